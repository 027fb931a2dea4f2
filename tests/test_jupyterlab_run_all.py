"""A notebook run in JupyterLab as a reader runs it: outputs cleared, then Run All with a real kernel.

Every code cell must get an execution count, and no error box may appear (the notebooks print their
intended errors; their checks raise here, SERIES_STRICT being set by conftest.py). A screenshot of the
last code cell goes to test-artifacts/screenshots/jupyterlab_run_all/.

This runs 04, the series' own question, only. What Run All does to any other notebook is already proven: nbval runs
each notebook top to bottom in the same kind of kernel (ipykernel's python3, which test_hygiene requires of every
notebook's kernelspec) and stops at an exception, test_hygiene forbids stderr (JupyterLab's error box) in every saved
output, and test_jupyterlab opens every notebook in JupyterLab and checks that its outputs show without error boxes.
What only JupyterLab can show is its own Run All, the same for every notebook.
"""
import pytest
from saved_notebooks import ROOT

pytestmark = pytest.mark.browser
KERNELS = True  # the lab fixture (conftest.py) lets this module's JupyterLab start kernels

# Per code cell, in order: its execution count (null until it ran), and how many error boxes it shows.
CELLS = """notebook => notebook.content.widgets.filter(cell => cell.model.type === 'code').map(cell => [
    cell.model.executionCount,
    cell.node.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length])"""


def test_run_all_in_jupyterlab(lab_page, screenshots):
    path = ROOT / "notebooks" / "04_zero_after_detach_vs_data.ipynb"
    page = lab_page
    notebook = page.evaluate_handle("""async path => {
        const app = window.jupyterapp;
        const notebook = await app.commands.execute('docmanager:open',
            {path, factory: 'Notebook', kernel: {name: 'python3'}});
        await notebook.context.ready;
        await notebook.sessionContext.ready;
        await app.commands.execute('notebook:clear-all-cell-outputs');
        await app.commands.execute('notebook:run-all-cells');
        return notebook;
    }""", f"notebooks/{path.name}")
    try:
        page.wait_for_function(f"notebook => ({CELLS})(notebook).every(([count]) => count !== null) && "
                               "notebook.sessionContext.session.kernel.status === 'idle'",
                               arg=notebook, polling=250, timeout=240_000)
        cells = notebook.evaluate(CELLS)
        page.evaluate("() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')].pop().scrollIntoView()")
        page.screenshot(path=screenshots / f"{path.stem}.jpg", quality=70)
    finally:
        notebook.evaluate("""async notebook => {
            await notebook.sessionContext.shutdown();
            notebook.dispose();
        }""")
    errors = [index for index, (_, boxes) in enumerate(cells) if boxes]
    assert not errors, f"{path.name}: error boxes in code cells {errors} after Run All " \
        f"(screenshot: {screenshots / path.stem}.jpg)"
