"""Sphinx configuration of the book: the notebooks with their saved outputs, as a site (./run.sh html builds it).

The sources are the repository itself (`sphinx-build -c book . site`): the landing page is index.md, which
includes the README's first screen, and the chapters are notebooks/*.ipynb, listed by part in index.md; the Chinese
part is README.zh-CN.md and notebooks/zh/*.ipynb.
Nothing is executed. Launch buttons (Colab, Binder) appear only when the repository's GitHub URL is known.
"""
import operator
import os
import pathlib
import re
import subprocess

from sphinx.addnodes import pending_xref

ROOT = pathlib.Path(__file__).resolve().parent.parent
BRANCH = "main"  # the branch the launch buttons open the notebooks from


def github_url():
    """The one place the repository URL comes from: $BOOK_REPOSITORY_URL if set (empty: none), else git's origin
    when it is on GitHub. Colab opens notebooks from GitHub only, so any other origin gives no launch buttons."""
    url = os.environ.get("BOOK_REPOSITORY_URL")
    if url is None:
        try:
            url = subprocess.run(["git", "remote", "get-url", "origin"], cwd=ROOT, capture_output=True,
                                 text=True).stdout.strip()
        except OSError:  # no git here
            url = ""
    found = re.fullmatch(r"(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)([\w.-]+)/([\w.-]+?)"
                         r"(?:\.git)?/?", url)
    if url and not found and "BOOK_REPOSITORY_URL" in os.environ:
        raise ValueError(f"BOOK_REPOSITORY_URL={url!r}: give it as https://github.com/<owner>/<repository>")
    return f"https://github.com/{found[1]}/{found[2]}" if found else None


# The README's title, without its backticks, names the book.
project = re.search(r"^# (.+)", (ROOT / "README.md").read_text(encoding="utf-8"), re.MULTILINE)[1].replace("`", "")
html_title = project
extensions = ["myst_nb"]

root_doc = "index"
include_patterns = ["index.md", "notebooks/[0-9]*.ipynb", "README.zh-CN.md", "notebooks/zh/[0-9]*.ipynb"]
exclude_patterns = [".venv", ".git", "site", "test-artifacts", "**/.ipynb_checkpoints"]

# The saved outputs, as recorded by ./run.sh record. A graph is shown by its text/html twin, an <img> of the SVG that
# carries the picture's text alternative (MyST-NB gives an image/svg+xml output none), as JupyterLab shows it.
nb_execution_mode = "off"
# A link to a heading in JupyterLab's form (notebooks/04_x.ipynb#The-question: its text, spaces made '-') works in
# the book too; so does the lower-case form (#the-question). A link to no heading stops the build.
myst_heading_anchors = 6
myst_heading_slug_func = operator.methodcaller("replace", " ", "-")  # a function Sphinx can save with its cache

html_theme = "sphinx_book_theme"
html_copy_source = True  # the download button offers each page's .ipynb
html_show_sourcelink = False
repository_url = github_url()
html_theme_options = {
    "home_page_in_toc": True,
    "navbar_persistent": [],  # no second search box in a header bar: the sidebar has one
    "show_toc_level": 2,
    "footer_content_items": [],  # no author or copyright line: the README says who and how
    "use_download_button": True,
}
if repository_url:
    html_theme_options |= {
        "repository_url": repository_url,
        "repository_branch": BRANCH,
        "path_to_docs": "",
        "use_repository_button": True,
        "launch_buttons": {"colab_url": "https://colab.research.google.com", "binderhub_url": "https://mybinder.org",
                           "notebook_interface": "jupyterlab"},
    }


def readme_is_the_landing_page(app, doctree):
    """A notebook's link to ../README.md (the list of all notebooks) opens the book's landing page."""
    for node in doctree.findall(pending_xref):
        if node.get("reftype") == "myst" and node.get("reftarget") == "README":
            node["reftarget"] = root_doc


def setup(app):
    app.connect("doctree-read", readme_is_the_landing_page)
