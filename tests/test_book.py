"""The book (./run.sh html), built once into a temporary folder, served on localhost, read offline in headless Chromium.

Every page loads with nothing fetched from outside; every graph a notebook saved, and every picture, renders with
its text alternative;
the landing page shows the README's first screen; the sidebar lists every notebook in reading order, by part;
search finds "version counter"; no page shows a shared set-up cell's source. Launch buttons: with a repository
URL each notebook page opens its own notebook on Colab and Binder; without one, book/conf.py asks the theme for
none (read from the configuration, so the book is built once). Screenshots: test-artifacts/screenshots/book/.
"""
import functools
import http.server
import os
import re
import subprocess
import sys
import threading

import pytest
from pages import VIEWPORT
from saved_notebooks import NOTEBOOKS, ROOT, ZH_NOTEBOOKS, graphs, load, source, tags

# The whole module works on one build of the book, which the browser tests open: the launch-link tests, which read
# that build's HTML files, carry the browser mark with it, so that the suite without browser tests builds no book.
pytestmark = pytest.mark.browser
# The command of ./run.sh html, into a folder of the test's own.
SPHINX = [sys.executable, "-m", "sphinx", "-b", "html", "-c", "book", "-W", "--keep-going", "-q", "."]
REPOSITORY = "https://github.com/example-owner/detach-series"  # a made-up URL: the buttons are checked, not followed
# The reading path of the README, by the notebooks' numbers.
PARTS = {"The course": ["01", "02", "03", "04", "05", "11", "12"], "Reference: how it works": ["06", "07", "08"],
         "Reference: in practice": ["10", "13", "14"], "Appendix": ["09"],
         "中文课程 (the course in Chinese)": ["README.zh-CN", "zh/01", "zh/02", "zh/03", "zh/04", "zh/05"]}
REMOVED_OUTPUT_TAGS = {"remove-output", "remove-cell"}


def build(folder, repository):
    """Build the book into folder/site, with BOOK_REPOSITORY_URL set to `repository` ('' for none)."""
    done = subprocess.run([*SPHINX, str(folder / "site")], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "BOOK_REPOSITORY_URL": repository})
    assert done.returncode == 0, f"the book did not build:\n{done.stdout}{done.stderr}"
    return folder / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build(tmp_path_factory.mktemp("book"), REPOSITORY)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(site):
    """The site's URL on a free localhost port, as a static host such as GitHub Pages serves it."""
    handler = functools.partial(QuietHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}/"
        server.shutdown()


@pytest.fixture(scope="module")
def offline(browser, served):
    """A browser context that may load the site only; `context.outside` lists what a page tried to fetch elsewhere."""
    context = browser.new_context(viewport=VIEWPORT)
    context.outside = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(served)
                  else (context.outside.append(route.request.url), route.abort()))
    yield context
    context.close()


def open_page(context, url):
    """A loaded page, and the script errors it raised."""
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url)
    assert response.ok, f"{url}: HTTP {response.status}"
    page.wait_for_load_state("load")
    return page, errors


def words(text):
    """Letters and digits only: markup, quotes and spacing aside, the same words in the same order."""
    return re.sub(r"[\W_]+", "", text).lower()


def region(name):
    """The README's text between <!-- name:start --> and <!-- name:end -->, as the reader sees it (roughly)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    text = text.split(f"<!-- {name}:start -->")[1].split(f"<!-- {name}:end -->")[0]
    text = re.sub(r"<!--.*?-->|!\[[^\]]*\]\([^)]*\)", "", text, flags=re.DOTALL)  # comments, images
    text = re.sub(r"(`[^`]*`)|<[^>]+>", lambda m: m.group(1) or "", text)  # HTML tags, but not `<n>` in code
    return re.sub(r"\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)", r"\1", text)  # a link shows its text (its target
    # may hold one level of parentheses: heading anchors such as #detach_()-and-...)


SHOWN_IMAGES = """() => Array.from(document.querySelectorAll('article img')).map(img => ({
    src: img.getAttribute('src').slice(0, 60), shown: img.complete && img.naturalWidth > 0,
    alt: img.getAttribute('alt') || '',
    graph: !!img.closest('.cell_output') && img.getAttribute('src').startsWith('data:image/svg+xml')}))"""

# Each part of the sidebar: its caption, and the links of its chapters.
SIDEBAR = """() => Array.from(document.querySelectorAll('.bd-docs-nav p.caption'), caption => [caption.innerText.trim(),
    Array.from(caption.nextElementSibling.querySelectorAll(':scope > li > a'), a => a.getAttribute('href'))])"""


def test_pages_other_than_notebooks_load_offline(site, offline, served):
    """The landing page, search and the index; each notebook's page is loaded by a test of its own, below."""
    problems = []
    for path in sorted(site.glob("*.html")):
        page, errors = open_page(offline, served + path.relative_to(site).as_posix())
        try:
            hidden = [image["src"] for image in page.evaluate(SHOWN_IMAGES) if not image["shown"]]
        finally:
            page.close()
        problems += [f"{path.name}: script error {error}" for error in errors]
        problems += [f"{path.name}: picture not shown {src}" for src in hidden]
    assert not problems, problems
    assert not offline.outside, f"pages fetched from outside the site: {offline.outside}"


def test_landing_page_is_the_readme_first_screen(offline, served, screenshots):
    page, errors = open_page(offline, served + "index.html")
    try:
        article = page.text_content("article")  # the folded answer too, which innerText leaves out
        page.click("article details summary")  # open the answer: its picture must show
        images = page.evaluate(SHOWN_IMAGES)
        page.screenshot(path=screenshots / "index.png")
    finally:
        page.close()
    for name in ("landing", "error-index"):
        assert words(region(name)) in words(article), f"the landing page does not show README's {name} region"
    assert all(image["shown"] for image in images), f"pictures not shown on the landing page: {images}"
    assert not errors, errors


@pytest.mark.parametrize("path", NOTEBOOKS + ZH_NOTEBOOKS,
                         ids=[path.relative_to(ROOT / "notebooks").with_suffix("").as_posix()
                              for path in NOTEBOOKS + ZH_NOTEBOOKS])
def test_notebook_page_shows_graphs_and_no_setup_source(path, offline, served, screenshots):
    cells = load(path)["cells"]
    saved = sum(graphs(cell) for cell in cells if not REMOVED_OUTPUT_TAGS & set(tags(cell)))
    page, errors = open_page(offline, served + path.relative_to(ROOT).with_suffix(".html").as_posix())
    try:
        images = page.evaluate(SHOWN_IMAGES)
        visible = page.inner_text("body")
        first_graph = page.locator(".cell_output img[src^='data:image/svg+xml']").first
        if saved:
            first_graph.scroll_into_view_if_needed()
        page.screenshot(path=screenshots / f"{path.parent.name}-{path.stem}.png")
    finally:
        page.close()
    shown = [image for image in images if image["graph"] and image["shown"]]
    assert len(shown) == saved, f"{path.name}: {saved} graph(s) saved, {len(shown)} shown: {images}"
    assert all(image["shown"] for image in images), f"{path.name}: pictures not shown: {images}"
    assert all(len(image["alt"]) >= 20 for image in images), f"{path.name}: pictures without a text alternative"
    # Folded is as good as removed: what a closed fold holds is not in the page's visible text.
    for cell in cells:
        if "shared_cell" in cell["metadata"]:
            title, _, code = source(cell).partition("\n")
            assert title.removeprefix("# @title ") not in visible and words(code) not in words(visible), \
                f"{path.name}: the page shows the source of the set-up cell '{title}'"
    assert not errors, f"{path.name}: {errors}"
    assert not offline.outside, f"pages fetched from outside the site: {offline.outside}"


def test_sidebar_lists_every_notebook_in_reading_order(offline, served):
    page, _ = open_page(offline, served + "index.html")
    try:
        sidebar = page.evaluate(SIDEBAR)
    finally:
        page.close()
    listed = {caption: [re.fullmatch(r"(?:notebooks/((?:zh/)?\d\d)_\w+|(README\.zh-CN))\.html", href).group(1, 2)
                        for href in hrefs] for caption, hrefs in sidebar}
    listed = {caption: [number or readme for number, readme in pages] for caption, pages in listed.items()}
    assert listed == PARTS, f"the sidebar lists {listed}, the reading path is {PARTS}"
    in_sidebar = {href for _, hrefs in sidebar for href in hrefs}
    assert in_sidebar == {f"notebooks/{path.stem}.html" for path in NOTEBOOKS} | \
        {f"notebooks/zh/{path.stem}.html" for path in ZH_NOTEBOOKS} | {"README.zh-CN.html"}


def test_search_finds_version_counter(offline, served, screenshots):
    page, errors = open_page(offline, served + "search.html?q=version+counter")
    try:
        page.wait_for_selector("#search-results li", timeout=30_000)
        found = page.eval_on_selector_all("#search-results li a", "links => links.map(a => a.getAttribute('href'))")
        page.screenshot(path=screenshots / "search.png")
    finally:
        page.close()
    assert any("06_version_counters_and_saved_tensors.html" in href for href in found), found
    assert not errors, errors


def launch_links(page_html):
    return sorted(set(re.findall(r'href="(https://(?:colab\.research\.google\.com|mybinder\.org)/[^"]*)"', page_html)))


def test_launch_buttons_open_each_page_own_notebook(site):
    for path in NOTEBOOKS:
        notebook = f"notebooks/{path.name}"
        found = launch_links((site / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8"))
        owner_repo = REPOSITORY.removeprefix("https://github.com/")
        assert found == sorted([f"https://colab.research.google.com/github/{owner_repo}/blob/main/{notebook}",
                                f"https://mybinder.org/v2/gh/{owner_repo}/main?urlpath=lab/tree/{notebook}"]), found


def test_no_launch_links_without_a_repository(site, monkeypatch):
    """Without a repository URL the configuration asks the theme for no repository and no launch buttons; the one
    build of this module has a URL, and shows no placeholder link either."""
    monkeypatch.setenv("BOOK_REPOSITORY_URL", "")
    settings = {"__file__": str(ROOT / "book" / "conf.py")}
    exec((ROOT / "book" / "conf.py").read_text(encoding="utf-8"), settings)
    assert settings["repository_url"] is None
    assert not {"repository_url", "launch_buttons", "use_repository_button"} & set(settings["html_theme_options"])
    placeholder = re.compile(r"(colab\.research\.google\.com/github|mybinder\.org/v2/gh)/(OWNER|<owner>|USER)\b")
    assert not any(placeholder.search(page.read_text(encoding="utf-8")) for page in site.rglob("*.html")), \
        "a placeholder launch link"
