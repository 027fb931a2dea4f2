"""Each notebook opened in JupyterLab in headless Chromium, as a reader who has not run it sees it.

Every saved graph must show as an SVG image, and an error box appear only where a cell tagged
raises-exception saved its traceback. JupyterLab serves a temporary copy of notebooks/, keeps its
settings and state in a temporary folder, and may start no kernel: the page shows the saved outputs
only, and nothing in the repository changes. Screenshots: test-artifacts/screenshots/jupyterlab/.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from pages import VIEWPORT, differences, screenshot
from saved_notebooks import NOTEBOOKS, ROOT

pytestmark = pytest.mark.browser

SETTINGS = {
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},  # put every cell in the page
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
UNTRUSTED_SVG = ("a likely cause: JupyterLab shows an image/svg+xml output only in a trusted notebook, and a notebook "
                 "not run on the reader's own machine is untrusted; show_graph in each notebook therefore saves the "
                 "graph also as text/html with an <img> of the SVG")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a free localhost port, without a token, serving a copy of notebooks/."""
    home = tmp_path_factory.mktemp("jupyterlab")
    shutil.copytree(ROOT / "notebooks", home / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for plugin, values in SETTINGS.items():
        package, name = plugin.split(":")
        (home / "settings" / package).mkdir(parents=True, exist_ok=True)
        (home / "settings" / package / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
    port = free_port()
    env = {**os.environ, **{f"JUPYTER_{name}_DIR": str(home / name.lower()) for name in ("CONFIG", "DATA", "RUNTIME")}}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.open_browser=False",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={home}",
               f"--LabApp.user_settings_dir={home / 'settings'}", f"--LabApp.workspaces_dir={home / 'workspaces'}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.expose_app_in_browser=True",  # window.jupyterapp, to open notebooks with
               "--KernelSpecManager.allowed_kernelspecs=['none']"]  # no kernel can start
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = home / "jupyterlab.log"
    with open(log, "w") as log_file:
        server = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=home)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=5)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start; its log:\n{log.read_text()}")
            time.sleep(0.2)
    yield url
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture(scope="module")
def lab_page(browser, lab):
    """One JupyterLab page for every notebook: loading JupyterLab takes longer than opening a notebook in it."""
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(f"{lab}/lab?reset")
    page.wait_for_function("window.jupyterapp !== undefined")
    page.evaluate("() => window.jupyterapp.restored")
    yield page
    page.close()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_jupyterlab_shows_saved_outputs(path, lab_page, lab, screenshots):
    page = lab_page
    notebook = page.evaluate_handle("""async path => {
        const notebook = await window.jupyterapp.commands.execute('docmanager:open', {path, factory: 'Notebook'});
        await notebook.context.ready;
        return notebook;
    }""", f"notebooks/{path.name}")
    try:
        # No kernel may start, so JupyterLab asks which one to use: answer "No Kernel".
        page.locator(".jp-Dialog").get_by_role("button", name="No Kernel").click(timeout=60_000)
        page.locator(".jp-Dialog").wait_for(state="detached")
        problems = differences(page, path, "JupyterLab")
        screenshot(page, screenshots / f"{path.stem}.jpg", everything=bool(problems))
    finally:
        notebook.evaluate("notebook => notebook.dispose()")  # closes it, unsaved
    if any("graph(s) saved" in problem for problem in problems):
        problems.append(UNTRUSTED_SVG)
    assert not problems, f"{path.name} in JupyterLab (screenshot: {screenshots / path.stem}.jpg):\n" + \
        "\n".join(problems)
    kernels = json.load(urllib.request.urlopen(f"{lab}/api/kernels"))
    assert kernels == [], f"JupyterLab started a kernel: {kernels}"
