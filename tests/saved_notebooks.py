"""What the saved notebooks hold, read from their JSON: shared by the hygiene and browser tests."""
import json
import pathlib
import re

from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ZH_NOTEBOOKS = sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))  # translations of 01-05: markdown only
RECORD = "re-record it in one clean run: ./run.sh record {path}"


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell.get("source", ""))


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def folded(cell):
    """A cell whose first line is `# @title ...`: tools/stamp.py folds it in Colab, JupyterLab and the book."""
    return source(cell).startswith("# @title ")


def graphs(cell):
    """How many graphs (SVG outputs) the cell saved."""
    return sum("image/svg+xml" in output.get("data", {}) for output in cell.get("outputs", []))


def error_boxes(cell):
    """How many outputs a reader sees in an error box: tracebacks, and anything written to stderr."""
    return sum(output["output_type"] == "error" or output.get("name") == "stderr" for output in cell.get("outputs", []))


def execute(notebook, allow_errors=False):
    """Run a notebook (an nbformat node) top to bottom in a fresh kernel, from notebooks/, filling in its outputs.
    Unless allow_errors, it stops at the first exception (CellExecutionError, naming the cell)."""
    NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    return notebook


def heading_text(line):
    """What JupyterLab shows of a Markdown heading line, as it makes the heading's anchor from it."""
    text = re.sub(r"^#+\s*|\s+#+\s*$", "", line.strip())
    text = re.sub(r"`([^`]*)`|\*\*(.*?)\*\*|\*(.*?)\*", lambda m: next(g for g in m.groups() if g is not None), text)
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("&lt;", "<").replace("&gt;", ">").strip()


def sections(path):
    """{anchor: the cells under that heading, down to the next heading of the same or a higher level}. JupyterLab's
    anchor is the heading's text with each space made '-'."""
    cells = load(path)["cells"]
    found = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            fenced = False
            for line in source(cell).splitlines():
                fenced ^= line.lstrip().startswith(("```", "~~~"))
                heading = re.match(r"(#{1,6})\s", line)
                if heading and not fenced:
                    found.append((index, len(heading.group(1)), heading_text(line).replace(" ", "-")))
    result = {}
    for number, (index, level, anchor) in enumerate(found):
        end = next((later for later, other, _ in found[number + 1:] if other <= level), len(cells))
        result[anchor] = cells[index:end]
    return result
