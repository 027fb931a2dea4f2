"""Fixtures of the browser tests: headless Chromium, found on this machine, a folder for its screenshots, and
JupyterLab with a page open in it."""
import os
import shutil

import pytest
from lab_server import jupyterlab
from saved_notebooks import ROOT

CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome"]
# Playwright adds --headless and a fresh temporary --user-data-dir; the rest keep Chromium off the network.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    executable = os.environ.get("CHROMIUM") or next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    if not executable:
        pytest.skip("no Chromium here (looked for $CHROMIUM and " + ", ".join(CHROMIUM_NAMES) + "): install "
                    "Debian's `chromium` package, as .ci/run does, to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def screenshots(request):
    """test-artifacts/screenshots/<test module>/, emptied first (git ignores test-artifacts/)."""
    folder = SCREENSHOTS / request.module.__name__.removeprefix("test_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(scope="module")
def lab(request, tmp_path_factory):
    """JupyterLab serving a copy of notebooks/; kernels may start only where the test module sets KERNELS = True."""
    kernels = getattr(request.module, "KERNELS", False)
    with jupyterlab(tmp_path_factory.mktemp(request.module.__name__), kernels=kernels) as url:
        yield url


@pytest.fixture(scope="module")
def lab_page(browser, lab):
    """One JupyterLab page for every notebook: loading JupyterLab takes longer than opening a notebook in it."""
    from pages import VIEWPORT  # pages imports Playwright, which only the browser tests need

    page = browser.new_page(viewport=VIEWPORT)
    page.goto(f"{lab}/lab?reset")
    page.wait_for_function("window.jupyterapp !== undefined")
    page.evaluate("() => window.jupyterapp.restored")
    yield page
    page.close()
