"""What JupyterLab in headless Chromium shows of a notebook, against what the notebook saved; the browsers' window size.

JupyterLab marks up a notebook with .jp-Cell and .jp-OutputArea-output; tests/test_book.py reads the book's own markup.
"""
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from saved_notebooks import error_boxes, graphs, load

VIEWPORT = {"width": 1280, "height": 900}

# Per cell, in order: [graphs shown as SVG images, error boxes], and with texts, the start of each output's text.
SHOWN = """texts => Array.from(document.querySelectorAll('.jp-Cell')).map(cell => {
    const outputs = Array.from(cell.querySelectorAll('.jp-OutputArea-output'));
    const images = outputs.flatMap(o => Array.from(o.querySelectorAll('img[src^="data:image/svg+xml"], svg')))
        .filter(e => e.tagName.toLowerCase() === 'svg' ? !e.parentElement.closest('svg')
                                                      : e.complete && e.naturalWidth > 0);
    const errors = outputs.filter(o => o.dataset.mimeType === 'application/vnd.jupyter.stderr');
    const shown = [images.length, errors.length];
    return texts ? [...shown, outputs.map(o => o.textContent.trim().slice(0, 100))] : shown;
})"""
# True once the page shows what was saved, or has shown the same cells otherwise for 3 s (and will stay so).
SETTLED = f"""expected => {{
    const now = JSON.stringify(({SHOWN})(false));
    if (now !== window.shownBefore) [window.shownBefore, window.shownSince] = [now, Date.now()];
    return now === JSON.stringify(expected) || (now !== '[]' && Date.now() - window.shownSince > 3000);
}}"""
FIRST_GRAPH_IN_VIEW = """() => {
    const graph = document.querySelector('.jp-OutputArea-output :is(img[src^="data:image/svg+xml"], svg)');
    if (graph) graph.scrollIntoView({block: 'center'});
}"""


def differences(page, path, where):
    """Wait until the page shows what the notebook saved (or settles on something else), then list the differences."""
    expected = [[graphs(cell), error_boxes(cell)] for cell in load(path)["cells"]]
    page.evaluate("() => { window.shownBefore = undefined; }")
    try:
        page.wait_for_function(SETTLED, arg=expected, polling=100, timeout=30_000)
    except PlaywrightTimeout:
        pass
    shown = page.evaluate(SHOWN, True)
    if len(shown) != len(expected):
        return [f"{where} shows {len(shown)} cells, the notebook has {len(expected)}"]
    problems = []
    for index, (saved, (graphs_shown, errors_shown, texts)) in enumerate(zip(expected, shown, strict=True)):
        graphs_saved, errors_saved = saved
        if graphs_shown != graphs_saved:
            problems.append(f"cell {index}: {graphs_saved} graph(s) saved, {graphs_shown} shown as SVG "
                            f"(the outputs read: {texts})")
        if errors_shown != errors_saved:
            problems.append(f"cell {index}: {errors_saved} error box(es) saved, {errors_shown} shown")
    return problems


def screenshot(page, target, everything):
    """A JPEG of the view around the first graph, or, after a failure, of the whole page."""
    if everything:
        # JupyterLab scrolls the notebook inside its panel, not the page: make the window as tall as the notebook.
        height = page.evaluate("() => document.querySelector('.jp-WindowedPanel-outer')?.scrollHeight ?? 0")
        if height:
            page.set_viewport_size({"width": VIEWPORT["width"], "height": min(height + 150, 16_000)})
        page.screenshot(path=target, quality=70, full_page=True)
        page.set_viewport_size(VIEWPORT)
    else:
        page.evaluate(FIRST_GRAPH_IN_VIEW)
        page.screenshot(path=target, quality=70)
