"""Stamp the shared cells of tools/shared_cells.py into every notebook, and fold the machinery cells.

    python tools/stamp.py [notebooks]           write the notebooks, all by default (./run.sh stamp)
    python tools/stamp.py --check [notebooks]   exit 1, naming each notebook that is not as stamping would leave it

The shared cells go right after a notebook's title cell, marked with the cell metadata `shared_cell`.
One convention hides machinery everywhere: a code cell whose first line is `# @title <what it does>` is
folded in Colab (a form cell: `cellView: form`) and in JupyterLab (`jupyter.source_hidden`); in the book
its source is folded (tag `hide-input`), or removed (tag `remove-input`) if it is a shared cell, the same
set-up on every page. Its outputs show everywhere. The tool writes all of this from the `# @title` line and
`shared_cell`, and removes it from every other cell. Outputs are left as they are: run ./run.sh record afterwards.
"""
import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT / "tools" / "shared_cells.py"
TITLE = "# @title "
FOLDED_TAG, REMOVED_TAG = "hide-input", "remove-input"  # the book's tags (MyST-NB)


def shared_sources():
    """The cells of tools/shared_cells.py: each `# %% <title>` section, its first line made `# @title <title>`."""
    sections = re.split(r"^# %% (.+)\n", SHARED.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]
    return [f"{TITLE}{title}\n{body.strip()}" for title, body in zip(sections[::2], sections[1::2], strict=True)]


def fold(cell):
    """Give a code cell the folding metadata its first line asks for, and no other."""
    folded = cell.source.startswith(TITLE)
    book_tag = REMOVED_TAG if "shared_cell" in cell.metadata else FOLDED_TAG
    tags = [tag for tag in cell.metadata.get("tags", []) if tag not in (FOLDED_TAG, REMOVED_TAG)]
    tags += [book_tag] if folded else []
    cell.metadata.pop("cellView", None)
    cell.metadata.get("jupyter", {}).pop("source_hidden", None)
    if not cell.metadata.get("jupyter", True):
        del cell.metadata["jupyter"]
    cell.metadata.pop("tags", None)
    if tags:
        cell.metadata["tags"] = tags
    if folded:
        cell.metadata["cellView"] = "form"
        cell.metadata.setdefault("jupyter", {})["source_hidden"] = True


def stamped(notebook, sources):
    """The notebook with its shared cells replaced by `sources` (inserted after the title if it had none)."""
    old = [index for index, cell in enumerate(notebook.cells) if "shared_cell" in cell.metadata]
    at = old[0] if old else 1
    kept = {index: notebook.cells[index] for index in old}
    cells = [cell for index, cell in enumerate(notebook.cells) if index not in kept]
    for offset, source in enumerate(sources):
        previous = kept.get(old[offset]) if offset < len(old) else None
        cell = previous if previous is not None else nbformat.v4.new_code_cell()
        cell.source = source
        cell.metadata["shared_cell"] = offset + 1
        cells.insert(at + offset, cell)
    notebook.cells = cells
    for cell in notebook.cells:
        if cell.cell_type == "code":
            fold(cell)
    return notebook


def main():
    check = "--check" in sys.argv[1:]
    paths = [pathlib.Path(arg).resolve() for arg in sys.argv[1:] if arg != "--check"]
    sources = shared_sources()
    stale = []
    for path in paths or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        before = path.read_text(encoding="utf-8")
        after = nbformat.writes(stamped(nbformat.reads(before, as_version=4), sources)) + "\n"
        if after != before:
            stale.append(path)
            if not check:
                path.write_text(after, encoding="utf-8")
    verb = "differs from what stamping writes" if check else "stamped"
    for path in stale:
        print(f"{path.relative_to(ROOT)}: {verb}" + (" (run ./run.sh stamp, then ./run.sh record)" if check else ""))
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
