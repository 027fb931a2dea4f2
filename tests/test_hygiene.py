"""Checks that the saved outputs, which nbval compares against, came from one clean, portable run."""
import re
import subprocess
import sys

import pytest
from saved_notebooks import NOTEBOOKS, RECORD, ROOT, folded, load, source, tags

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


# Markers that make nbval run a notebook otherwise than Colab's Run all does (which ignores them all).
SKIP_OR_RAISE = ("raises-exception", "nbval-raises-exception", "NBVAL_RAISES_EXCEPTION", "nbval-skip", "NBVAL_SKIP")
# What only the tests need, which a reader should not meet in a cell they see (folded cells may hold it).
MACHINERY = re.compile(r"^\s*assert\b|NBVAL|\bnbval\b|\bthe tests\b", re.IGNORECASE | re.MULTILINE)


@by_notebook
def test_no_cell_raises_or_is_skipped(path):
    """Colab's Run all runs every cell in order and stops at the first exception; it ignores cell tags. With no cell
    tagged or marked to raise or to be skipped, nbval's strict run of a notebook is that same run: every cell in
    order, in one fresh kernel, failing at the first exception. So nbval's run is the Colab-style run, and no second
    execution is needed. Every intended error is shown by outcome() or expect_error(), which print it and go on."""
    problems = []
    for index, cell in code_cells(path):
        errors = [output for output in cell.get("outputs", []) if output["output_type"] == "error"]
        if errors:
            problems.append(f"cell {index} saved {errors[0]['ename']}")
        if any(marker in tags(cell) or marker in source(cell) for marker in SKIP_OR_RAISE):
            problems.append(f"cell {index} is marked to raise or to be skipped")
    assert not problems, f"{path.name}: " + "; ".join(problems) + ": show an intended error with " \
        "`with outcome():` or `with expect_error(Kind):`, which print it, then " + fix(path)


ANSWER_HEADING = re.compile(r"^## Check your prediction", re.MULTILINE)
STATES_THE_OUTCOME = re.compile(r"\b(expect_error|expect_warning|symptom)\(")


@by_notebook
def test_predictions_stay_open(path):
    """Before "Check your prediction", code a reader sees does not state an outcome: errors are shown with outcome(),
    which prints whatever happens; expect_error, expect_warning and symptom, which name it, come after the answer."""
    cells = load(path)["cells"]
    answer = next((index for index, cell in enumerate(cells)
                   if cell["cell_type"] == "markdown" and ANSWER_HEADING.search(source(cell))), None)
    if answer is None:
        return  # the exercises have no prediction to keep open: each check answers its own question
    early = [f"cell {index}: {found.group(1)}" for index, cell in enumerate(cells[:answer]) if
             cell["cell_type"] == "code" and not folded(cell) for found in STATES_THE_OUTCOME.finditer(source(cell))]
    assert not early, f"{path.name}: an outcome is stated before 'Check your prediction': {early}; show it there " \
        "with `with outcome():`, which prints whatever happens"


INTERNALS = re.compile(r"\btorch\.ops\b|\bsym_\w*|_unsafe_\w*|\binspect\b")


@by_notebook
def test_the_course_uses_no_internals(path):
    """01-05 teach with public API and formulas: no torch.ops, sym_ names, _unsafe_ functions or inspect in a cell a
    reader sees (a private attribute such as _saved_result is introduced in the text as a look inside)."""
    if path.name[:2] > "05":
        return
    found = [f"cell {index}: {match.group()}" for index, cell in code_cells(path) if not folded(cell)
             for match in INTERNALS.finditer(source(cell))]
    assert not found, f"{path.name}: internals in the core path: {found}; write the formula or the public call instead"


ALT = re.compile(r'<img alt="([^"]{20,})" src="data:image/svg\+xml')


@by_notebook
def test_every_picture_has_a_text_alternative(path):
    """show_graph saves each picture as an <img> (what JupyterLab and the book show) with its text alternative."""
    missing = [index for index, cell in code_cells(path) for output in cell.get("outputs", [])
               if "image/svg+xml" in output.get("data", {})
               and not ALT.search("".join(output["data"].get("text/html", "")))]
    assert not missing, f"{path.name}: pictures without a text alternative in cells {missing}: draw them with " \
        "show_graph(graph, alt=...), then " + fix(path)


@by_notebook
def test_no_machinery_in_view(path):
    problems = [f"cell {index}: {found.group().strip()!r}" for index, cell in code_cells(path) if not folded(cell)
                for found in MACHINERY.finditer(source(cell))]
    assert not problems, f"{path.name}: test machinery in cells the reader sees: " + "; ".join(problems) + \
        ". State a fact with check(claim, holds), which prints a verdict line, or move helper code into a cell " \
        "whose first line is `# @title ...` (folded), then ./run.sh stamp"


def prose_words(path):
    return sum(len(source(cell).split()) for cell in load(path)["cells"] if cell["cell_type"] == "markdown")


def test_prose_stays_short():
    # The core path (01-05) is meant to be read in about an hour, and the whole series in a few sittings.
    words = {path.name[:2]: prose_words(path) for path in NOTEBOOKS}
    core = sum(count for number, count in words.items() if number <= "05")
    assert core <= 3500 and sum(words.values()) <= 15000, \
        f"markdown words: core path 01-05 {core} (at most 3,500), series {sum(words.values())} (at most 15,000); " \
        f"per notebook {words}: cut repetition, not facts"


def test_shared_cells_are_stamped():
    stamp = subprocess.run([sys.executable, str(ROOT / "tools" / "stamp.py"), "--check"],
                           capture_output=True, text=True)
    assert stamp.returncode == 0, stamp.stdout + stamp.stderr


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
