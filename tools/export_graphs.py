"""Copy every graph the saved notebooks draw into images/, so the README can show them.

A notebook's SVG outputs become images/<notebook>.svg, or <notebook>-1.svg, -2.svg, ... when it
draws several. Only saved outputs are read, so the files are exactly what the notebooks show.
    python tools/export_graphs.py          write images/
    python tools/export_graphs.py --check  exit 1 if images/ differs from the notebooks
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def graphs_in_notebooks():
    """Map each images/ file name to the SVG text it should hold."""
    wanted = {}
    for notebook in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        svgs = ["".join(output["data"]["image/svg+xml"])
                for cell in cells for output in cell.get("outputs", [])
                if "image/svg+xml" in output.get("data", {})]
        for number, svg in enumerate(svgs, start=1):
            name = notebook.stem if len(svgs) == 1 else f"{notebook.stem}-{number}"
            wanted[f"{name}.svg"] = svg
    return wanted


def main():
    wanted = graphs_in_notebooks()
    images = ROOT / "images"
    present = {path.name: path.read_text(encoding="utf-8") for path in images.glob("*.svg")}
    if "--check" in sys.argv[1:]:
        stale = sorted(set(wanted.items()) ^ set(present.items()))
        for name in sorted({name for name, _ in stale}):
            print(f"images/{name} does not match the notebooks: run ./run.sh record or tools/export_graphs.py")
        return 1 if stale else 0
    for name in present.keys() - wanted.keys():
        (images / name).unlink()
    for name, svg in wanted.items():
        (images / name).write_text(svg, encoding="utf-8")
    print(f"images/: {len(wanted)} graphs from the notebooks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
