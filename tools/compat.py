"""Run every notebook as Colab's Run all would, on this Python's PyTorch, and compare with the saved outputs.

    python tools/compat.py [--diff] [notebooks...]     (./run.sh compat TORCH_VERSION builds a venv and runs this)

Each notebook runs in a fresh kernel with its cell tags stripped (Colab ignores raises-exception), stopping at
the first exception, its checks not strict (a failed check prints ✗ and the notebook goes on, as for a reader).
Per notebook it prints whether the run reached the last cell, how many checks printed ✗, and how many code cells
the tests would compare differ from the saved outputs, after the rewrites of nbval_sanitize.cfg (cells marked
NBVAL_IGNORE_OUTPUT are not compared, as nbval does). --diff prints, for each differing cell, where its first
differing lines part. Exit status 1 if a notebook did not run to its end.
"""
import os
import pathlib
import re
import subprocess
import sys

import nbformat
import torch
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = pathlib.Path(__file__).resolve().parent.parent
SANITIZE = re.findall(r"^regex: (.*)$\n^replace: (.*)$", (ROOT / "nbval_sanitize.cfg").read_text(), re.MULTILINE)
NOT_COMPARED = ("image/png", "image/jpeg")  # nbval skips these too
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def sanitize(text):
    for pattern, replacement in SANITIZE:
        text = re.sub(pattern, replacement, text)
    return text


def compared_text(cell):
    """A cell's outputs as nbval compares them: streams joined by name, every other representation sanitized."""
    streams, parts = {}, []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            streams[output["name"]] = streams.get(output["name"], "") + output["text"]
        elif output["output_type"] == "error":
            parts.append(f"{output['ename']}: {output['evalue']}")
        else:
            parts += [f"{key}: {value}" for key, value in sorted(output.get("data", {}).items())
                      if key not in NOT_COMPARED]
    return sanitize("\n".join([f"{name}: {text}" for name, text in sorted(streams.items())] + parts))


def ignored(cell):
    return "NBVAL_IGNORE_OUTPUT" in cell.source or "nbval-ignore-output" in cell.metadata.get("tags", [])


def run(path, show_diff):
    saved = nbformat.read(path, as_version=4)
    fresh = nbformat.read(path, as_version=4)
    for cell in fresh.cells:
        cell.metadata.pop("tags", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    stopped = None
    try:
        client = NotebookClient(fresh, timeout=600, kernel_name="python3", allow_errors=False,
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute(stderr=subprocess.DEVNULL)  # without the kernel's start-up chatter
    except CellExecutionError as error:
        stopped = ANSI.sub("", str(error)).strip().splitlines()[-1][:100]
    code = [(old, new) for old, new in zip(saved.cells, fresh.cells, strict=True) if old.cell_type == "code"]
    ran = sum(new.execution_count is not None for _, new in code)
    failed_checks = sum(compared_text(new).count("✗ ") for _, new in code)
    compared = [(index, old, new) for index, (old, new) in enumerate(code) if not ignored(old)]
    differing = [(index, old, new) for index, old, new in compared if compared_text(old) != compared_text(new)]
    end = "yes" if stopped is None and ran == len(code) else f"no, stopped at code cell {ran}: {stopped}"
    print(f"{path.stem:40} {failed_checks:>13} {len(differing):>9} of {len(compared):<3}  {end}")
    if show_diff:
        for index, old, new in differing:
            print(f"    code cell {index}:")
            saved_lines, fresh_lines = compared_text(old).splitlines(), compared_text(new).splitlines()
            parted = [pair for pair in zip(saved_lines, fresh_lines, strict=False) if pair[0] != pair[1]]
            for before, after in parted[:3]:
                start = max(len(os.path.commonprefix([before, after])) - 40, 0)  # where the lines part, less context
                print(f"      saved: …{before[start:start + 110]}\n      now:   …{after[start:start + 110]}")
            if len(saved_lines) != len(fresh_lines):
                print(f"      {len(saved_lines)} lines saved, {len(fresh_lines)} now")
    return stopped is None


def main():
    show_diff = "--diff" in sys.argv[1:]
    paths = [pathlib.Path(arg).resolve() for arg in sys.argv[1:] if arg != "--diff"] or \
        sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    os.environ.pop("SERIES_STRICT", None)  # as for a reader: a failed check prints ✗ and the run goes on
    print(f"PyTorch {torch.__version__}, Python {sys.version.split()[0]}")
    print(f"{'notebook':40} {'failed checks':>13} {'outputs differing':>17}  ran to the end")
    ok = [run(path, show_diff) for path in paths]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
