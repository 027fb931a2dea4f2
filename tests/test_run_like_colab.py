"""Each notebook run the way Colab's Run all runs it: cell tags ignored, stopping at the first exception.

Colab does not honour the raises-exception tag, so a notebook must run to its last cell with every tag
stripped. The checks in the notebooks are strict here too (SERIES_STRICT, set in conftest.py).
"""
import nbformat
import pytest
from saved_notebooks import NOTEBOOKS, execute


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_runs_to_its_last_cell_without_tags(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("tags", None)
    execute(notebook)  # raises CellExecutionError, naming the cell, at the first exception
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code), f"{path.name}: not every code cell ran"
