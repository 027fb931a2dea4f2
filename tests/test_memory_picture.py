"""The memory pictures are read from the tensors: change the code of notebook 04, and its picture changes.

A copy of 04 is run with `c = out.detach()` made `c = out.clone()` and `d = out.data` made
`d = out.detach()`. The DOT source that the picture cell saves as text must then show c in memory of
its own, unchanged, and d sharing the counter of out, its saved result stale: none of it typed by hand.
"""
import re

import nbformat
from saved_notebooks import ROOT, execute

NOTEBOOK = ROOT / "notebooks" / "04_zero_after_detach_vs_data.ipynb"
PICTURE_CELL = "show_graph(side_by_side(after_detach, after_data))"


def clusters(notebook):
    """The picture's DOT source, split into its two panels, keyed by the variable each panel names."""
    cell = next(cell for cell in notebook.cells if cell.source.strip() == PICTURE_CELL)
    dot = next(output["data"]["text/plain"] for output in cell.outputs if "text/plain" in output.get("data", {}))
    panels = re.split(r"\n\tsubgraph cluster_", dot)[1:]
    return {"c": next(panel for panel in panels if panel.startswith("c_")),
            "d": next(panel for panel in panels if panel.startswith("d_"))}


def facts(panel):
    return {"memories": len(re.findall(r"^\s*\w+ \[label=\"memory \d+", panel, re.MULTILINE)),
            "shared counter": "one version counter" in panel,
            "saved tensor": re.search(r"node\d+ -> \S+ \[.*?color=(\w+)", panel, re.DOTALL).group(1)}


def test_picture_follows_the_code():
    saved = nbformat.read(NOTEBOOK, as_version=4)
    changed = nbformat.read(NOTEBOOK, as_version=4)
    swaps = {"c = out.detach()\n": "c = out.clone()\n", "d = out.data\n": "d = out.detach()\n"}
    for cell in changed.cells:
        for old, new in swaps.items():
            if cell.cell_type == "code" and old in cell.source:
                cell.source = cell.source.replace(old, new)
                swaps[old] = None
    assert not any(swaps.values()), f"04 no longer has these lines: {[k for k, v in swaps.items() if v]}"
    # The changed code breaks 04's own checks (no error where one is expected, one where none is): run on.
    execute(changed, allow_errors=True)

    before, after = clusters(saved), clusters(changed)
    assert facts(before["c"]) == {"memories": 1, "shared counter": True, "saved tensor": "red"}
    assert facts(after["c"]) == {"memories": 2, "shared counter": False, "saved tensor": "darkgreen"}
    assert facts(before["d"]) == {"memories": 1, "shared counter": False, "saved tensor": "purple"}
    assert facts(after["d"]) == {"memories": 1, "shared counter": True, "saved tensor": "red"}
