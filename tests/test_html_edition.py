"""The HTML edition (tools/build_html.py, ./run.sh html), built afresh and read in headless Chromium.

Each page must show every graph its notebook saved as an SVG image, and error boxes only where cells
tagged raises-exception saved a traceback; the index must list every notebook, and links must stay
inside the edition. Screenshots: test-artifacts/screenshots/html_edition/.
"""
import re
import subprocess
import sys

import pytest
from pages import VIEWPORT, differences, screenshot
from saved_notebooks import NOTEBOOKS, ROOT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_html.py"), str(out)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def offline(browser):
    """A browser context that loads local files only (the pages name a few scripts on a CDN)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    yield context
    context.close()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_page_shows_saved_outputs(path, offline, site, screenshots):
    page = offline.new_page()
    try:
        page.goto((site / f"{path.stem}.html").as_uri())
        problems = differences(page, path, "the page")
        screenshot(page, screenshots / f"{path.stem}.jpg", everything=bool(problems))
    finally:
        page.close()
    assert not problems, f"{path.stem}.html (screenshot: {screenshots / path.stem}.jpg):\n" + "\n".join(problems)


def test_index_lists_every_notebook(offline, site, screenshots):
    page = offline.new_page()
    try:
        page.goto((site / "index.html").as_uri())
        listed = page.eval_on_selector_all("#notebooks a", "links => links.map(a => a.getAttribute('href'))")
        screenshot(page, screenshots / "index.jpg", everything=True)
    finally:
        page.close()
    assert listed == [f"{path.stem}.html" for path in NOTEBOOKS]


def test_links_stay_inside_the_edition(site):
    broken = sorted({(page.name, href) for page in site.glob("*.html")
                     for href in re.findall(r'href="([^"#:]+)(?:#[^"]*)?"', page.read_text(encoding="utf-8"))
                     if not (site / href).is_file()})
    assert not broken, f"links to files that are not in the HTML edition: {broken}"
