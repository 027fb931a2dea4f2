"""The memory pictures are read from the tensors: change the code of notebook 04, and its picture changes.

04's code cells are run again, in this test's own process (no kernel to start: nbval has already run 04 as it is),
with `c = out.detach()` made `c = out.clone()` and `d = out.data` made `d = out.detach()`. The DOT source of the
picture that the picture cell draws must then show c in memory of its own, unchanged, and d sharing the counter of
out, its saved result stale: none of it typed by hand. The saved picture is read from the notebook.
"""
import contextlib
import io
import re

import nbformat
from saved_notebooks import ROOT

NOTEBOOK = ROOT / "notebooks" / "04_zero_after_detach_vs_data.ipynb"
PICTURE_CELL = "show_graph(stacked(after_detach, after_data))"


def clusters(dot):
    """The picture's DOT source, split into its two panels, keyed by the variable each panel names."""
    panels = re.split(r"\n\tsubgraph cluster_", dot)[1:]
    return {"c": next(panel for panel in panels if panel.startswith("c_")),
            "d": next(panel for panel in panels if panel.startswith("d_"))}


def facts(panel):
    return {"memories": len(re.findall(r"^\s*\w+ \[label=\"memory \d+", panel, re.MULTILINE)),
            "shared counter": "one version counter" in panel,
            "saved tensor": re.search(r"node\d+ -> \S+ \[.*?color=(\w+)", panel, re.DOTALL).group(1)}


def saved_picture(notebook):
    cell = next(cell for cell in notebook.cells if cell.source.strip() == PICTURE_CELL)
    return next(output["data"]["text/plain"] for output in cell.outputs if "text/plain" in output.get("data", {}))


def picture_of_changed_code(notebook):
    """Run 04's code cells up to its picture cell, with the two lines swapped, and return the picture's DOT source.
    The changed code breaks 04's own checks (no error where one is expected, one where none is): run on, as a
    notebook run with errors allowed would."""
    swaps = {"c = out.detach()\n": "c = out.clone()\n", "d = out.data\n": "d = out.detach()\n"}
    shown, namespace = [], {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        code = cell.source
        for old, new in swaps.items():
            if old in code:
                code = code.replace(old, new)
                swaps[old] = None
        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(Exception):
            exec(compile(code, "<04>", "exec"), namespace)
        namespace["display"] = lambda data, raw=False: shown.append(data)  # show_graph's display, captured
        if cell.source.strip() == PICTURE_CELL:
            break
    assert not any(swaps.values()), f"04 no longer has these lines: {[k for k, v in swaps.items() if v]}"
    assert shown, "04's picture cell drew nothing"
    return shown[-1]["text/plain"]


def test_picture_follows_the_code():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    before, after = clusters(saved_picture(notebook)), clusters(picture_of_changed_code(notebook))
    assert facts(before["c"]) == {"memories": 1, "shared counter": True, "saved tensor": "red"}
    assert facts(after["c"]) == {"memories": 2, "shared counter": False, "saved tensor": "darkgreen"}
    assert facts(before["d"]) == {"memories": 1, "shared counter": False, "saved tensor": "purple"}
    assert facts(after["d"]) == {"memories": 1, "shared counter": True, "saved tensor": "red"}
