"""Build the static HTML edition: every notebook as a page, with its saved outputs, plus an index page.

    python tools/build_html.py [OUTPUT_DIR]     (default: site/, which git ignores)

Nothing is re-executed: the pages show exactly what the notebooks saved, graphs included. Links between
notebooks (`02_x.ipynb`) are pointed at their pages (`02_x.html`), and links to the README at the index,
so the edition reads on its own.
"""
import html
import json
import pathlib
import re
import sys

from nbconvert import HTMLExporter

ROOT = pathlib.Path(__file__).resolve().parent.parent


def title_of(notebook):
    """The notebook's first Markdown heading, as HTML (inline `code` kept), or its file name."""
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            heading = re.search(r"^#+\s+(.+)$", "".join(cell["source"]), re.MULTILINE)
            if heading:
                return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(heading.group(1).strip(), quote=False))
    return html.escape(notebook.stem)


def index_page(entries):
    items = "\n".join(f'    <li><a href="{page}">{title}</a></li>' for page, title in entries)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>detach() vs .data: the notebooks</title>
  <style>body {{ font-family: sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em; line-height: 1.5 }}</style>
</head>
<body>
  <h1><code>detach()</code> vs <code>.data</code>: the notebooks</h1>
  <p>Each page shows a notebook with the outputs it saved when it last ran on the CPU.</p>
  <ol id="notebooks">
{items}
  </ol>
</body>
</html>
"""


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site"
    out.mkdir(parents=True, exist_ok=True)
    notebooks = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    names = {notebook.name for notebook in notebooks}
    exporter = HTMLExporter(template_name="lab")
    entries = []
    for notebook in notebooks:
        body, _ = exporter.from_filename(str(notebook))
        body = re.sub(r'href="([^"/]+)\.ipynb(#[^"]*)?"',
                      lambda m: f'href="{m[1]}.html{m[2] or ""}"' if f"{m[1]}.ipynb" in names else m[0], body)
        body = body.replace('href="../README.md"', 'href="index.html"')
        (out / f"{notebook.stem}.html").write_text(body, encoding="utf-8")
        entries.append((f"{notebook.stem}.html", title_of(notebook)))
    (out / "index.html").write_text(index_page(entries), encoding="utf-8")
    print(f"{out}/: index.html and {len(entries)} notebook pages")


if __name__ == "__main__":
    main()
