"""Stamp the English notebooks' code cells, with their saved outputs, into their Chinese translations.

    python tools/stamp_zh.py            write notebooks/zh/*.ipynb (./run.sh record runs it after recording)
    python tools/stamp_zh.py --check    exit 1, naming each Chinese notebook whose code differs from the English one

A translation notebooks/zh/NN_name.ipynb translates only the markdown of notebooks/NN_name.ipynb. Its code cells
are the English ones, in the same order: source, metadata, execution count and outputs, copied from the English
notebook, so that the two cannot drift and the English run is the evidence of both. The translator places the code
cells among the translated markdown; this tool fills them in, the first code cell with the first English one, and so
on. The notebook's own metadata (kernelspec, language) is the English notebook's too.
"""
import copy
import pathlib
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
ZH = ROOT / "notebooks" / "zh"


def stamped(english, chinese):
    """The Chinese notebook with every code cell taken from the English one, in order."""
    code = [cell for cell in english.cells if cell.cell_type == "code"]
    slots = [index for index, cell in enumerate(chinese.cells) if cell.cell_type == "code"]
    if len(slots) != len(code):
        raise SystemExit(f"{len(slots)} code cells where the English notebook has {len(code)}: add or remove "
                         "code cells in the translation so that each English code cell has its place")
    result = copy.deepcopy(chinese)
    for index, cell in zip(slots, code, strict=True):
        result.cells[index] = copy.deepcopy(cell)
    result.metadata = copy.deepcopy(english.metadata)
    return result


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for path in sorted(ZH.glob("[0-9]*.ipynb")):
        english_path = ROOT / "notebooks" / path.name
        if not english_path.exists():
            print(f"{path.relative_to(ROOT)}: no English notebook {english_path.relative_to(ROOT)}")
            stale.append(path)
            continue
        before = path.read_text(encoding="utf-8")
        chinese = nbformat.reads(before, as_version=4)
        try:
            after = nbformat.writes(stamped(nbformat.read(english_path, as_version=4), chinese)) + "\n"
        except SystemExit as problem:
            print(f"{path.relative_to(ROOT)}: {problem}")
            stale.append(path)
            continue
        if after != before:
            stale.append(path)
            if check:
                print(f"{path.relative_to(ROOT)}: its code differs from {english_path.relative_to(ROOT)} "
                      "(run python tools/stamp_zh.py)")
            else:
                path.write_text(after, encoding="utf-8")
                print(f"{path.relative_to(ROOT)}: stamped from {english_path.relative_to(ROOT)}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
