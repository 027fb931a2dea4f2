"""Time the test suite against its floor, in one run, and print the ratio and the five slowest tests.

    python tools/benchmark.py       (or ./run.sh bench)

The floor is what even a perfect runner pays on one core: each English notebook is executed once, in a kernel that
imports torch and torchviz, so floor = number of notebooks x the time of `python -c "import torch, torchviz"`
(median of 3). The suite is `./run.sh test -q -m "not browser"`: nbval over every notebook, the exercises, the
hygiene, index and lint tests, in parallel as pytest.ini says. Where Chromium is installed, the whole suite (with the
browser tests: JupyterLab and the book) is timed as well and printed on a second line. After each line come the
five slowest tests of that run, from pytest's --durations, so that the next regression shows where it is.
"""
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def seconds(command):
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode, done.stdout


def slowest(output):
    """The lines of pytest's "slowest 5 durations" section."""
    section = output.split("slowest 5 durations", 1)[-1].split("\n=", 1)[0]
    return [line for line in section.splitlines() if re.match(r"\d+\.\d+s ", line)]


def main():
    notebooks = len(list((ROOT / "notebooks").glob("[0-9]*.ipynb")))
    imports = statistics.median(seconds([sys.executable, "-c", "import torch, torchviz"])[0] for _ in range(3))
    floor = notebooks * imports
    print(f"floor: {notebooks} notebooks x {imports:.2f} s (import torch, torchviz) = {floor:.1f} s")
    runs = [("suite (nbval, exercises, hygiene, index, lint)", ["./run.sh", "test", "-q", "-m", "not browser"])]
    if os.environ.get("CHROMIUM") or any(map(shutil.which, ["chromium", "chromium-browser", "google-chrome"])):
        runs.append(("suite with the browser tests", ["./run.sh", "test", "-q"]))
    failed = False
    for name, command in runs:
        wall, returncode, output = seconds([*command, "--durations=5"])
        failed |= returncode != 0
        note = "" if returncode == 0 else f"  (pytest exit code {returncode}: the tests did not pass)"
        print(f"{name}: {wall:.1f} s, ratio {wall / floor:.2f}{note}")
        for line in slowest(output):
            print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
