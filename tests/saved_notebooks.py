"""What the saved notebooks hold, read from their JSON: shared by the hygiene and browser tests."""
import json
import pathlib

from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
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
