"""Checks that the saved outputs, which nbval compares against, came from one clean, portable run."""
import re
import subprocess
import sys

import pytest
from saved_notebooks import NOTEBOOKS, RAISES_TAG, RECORD, ROOT, load, source, tags

by_notebook = pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])

MEMORY_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
MACHINE_PATH = re.compile(r"/tmp/ipykernel_\d+|/home/\w+|/root/|/Users/\w+|/work/|site-packages|[A-Za-z]:\\Users")
GRAPH_NODE_BY_ID = re.compile(r"<title>\d{9,}</title>")


def outputs_text(cell):
    """Every saved output of a code cell as text: streams, tracebacks and each text-like representation."""
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            yield "".join(output["text"])
        elif output["output_type"] == "error":
            # The notebooks print tracebacks in %xmode Minimal: full frames would name files on the recording machine.
            yield f"{output['ename']}: {output['evalue']}\n" + "\n".join(output.get("traceback", []))
        else:
            for value in output.get("data", {}).values():
                if isinstance(value, (str, list)):
                    yield "".join(value)


def fix(path):
    return RECORD.format(path=path.relative_to(ROOT))


def code_cells(path):
    return [(index, cell) for index, cell in enumerate(load(path)["cells"]) if cell["cell_type"] == "code"]


def test_notebooks_exist():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@by_notebook
def test_named_by_number(path):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name), f"{path.name}: name notebooks NN_snake_case.ipynb"


@by_notebook
def test_kernelspec_is_python3(path):
    kernelspec = load(path).get("metadata", {}).get("kernelspec", {})
    assert kernelspec.get("name") == "python3", \
        f"{path.name}: kernelspec is {kernelspec.get('name')!r}, not 'python3': {fix(path)}"


@by_notebook
def test_executed_once_top_to_bottom(path):
    counts = [cell.get("execution_count") for _, cell in code_cells(path) if source(cell).strip()]
    assert counts == list(range(1, len(counts) + 1)), \
        f"{path.name}: execution counts are {counts}, not 1..{len(counts)}: " + fix(path)


@by_notebook
def test_errors_only_where_intended(path):
    problems = []
    for index, cell in code_cells(path):
        tagged = RAISES_TAG in tags(cell)
        errors = [output for output in cell.get("outputs", []) if output["output_type"] == "error"]
        if errors and not tagged:
            problems.append(f"cell {index} saved {errors[0]['ename']} but is not tagged {RAISES_TAG}")
        if tagged and not errors:
            problems.append(f"cell {index} is tagged {RAISES_TAG} but saved no error")
    assert not problems, f"{path.name}: " + "; ".join(problems) + \
        ". Fix the source, then " + fix(path)


@by_notebook
def test_no_stderr(path):
    noisy = [index for index, cell in code_cells(path)
             if any(output.get("name") == "stderr" for output in cell.get("outputs", []))]
    assert not noisy, f"{path.name}: cells {noisy} saved stderr (usually a warning): remove its cause, then " + \
        fix(path)


@by_notebook
def test_outputs_are_machine_independent(path):
    problems = []
    for index, cell in code_cells(path):
        for text in outputs_text(cell):
            for pattern, what in [(MEMORY_ADDRESS, "a memory address"), (MACHINE_PATH, "a path on this machine"),
                                  (GRAPH_NODE_BY_ID, "a graph node named by id()")]:
                found = pattern.search(text)
                if found:
                    problems.append(f"cell {index} shows {what} ({found.group()!r})")
    assert not problems, f"{path.name}: " + "; ".join(problems) + ": these differ from run to run and machine to " \
        "machine. Print something stable instead (a type name, a boolean, a shape), then " + \
        fix(path)


def test_images_match_notebooks():
    check = subprocess.run([sys.executable, str(ROOT / "tools" / "export_graphs.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
