"""Fixtures for real-browser widget tests: JupyterLab + headless Chromium + Playwright.

Each test module gets a fresh JupyterLab on 127.0.0.1 (random free port, random token)
serving a temp copy of notebooks/ (Lab autosave must never touch the real files), with every
Jupyter/IPython/matplotlib folder pointed at a temp dir. Tests skip with a clear reason
where Chromium or Playwright is missing (a learner's laptop); CI installs both.

Helpers (import from this conftest via the fixtures' return values):

- ``lab`` fixture: a :class:`Lab` with ``url(name)`` and ``root`` (the temp notebooks dir);
- ``page`` fixture: a Playwright page (1400x1000), screenshot on failure in
  ``tests/browser/screenshots/``;
- :func:`open_and_run`: open a notebook, wait for an idle kernel, run all cells;
- :func:`image_pixels`: decode the PNG shown by an ``ipywidgets.Image`` into an array;
  :func:`wait_for_change`: poll it until the picture changes;
- :func:`type_into`: type into a text box and press Enter.

No fixed sleeps: every wait here is a poll for a condition (the server answers, every cell
has run, the picture differs), which returns as soon as the condition holds. Its deadline
is not a speed requirement: it is far above what a slow, loaded machine needs, and only
turns a hang into a failure that says what never happened. Playwright's own waits
(``expect(...)``, ``wait_for_selector``) work the same way.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser",
                       "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def _chromium() -> str | None:
    env = os.environ.get("CNNEDU_CHROMIUM")
    if env:
        return env
    return next((p for p in CHROMIUM_CANDIDATES if Path(p).exists()), None)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _skip_or_fail(reason: str):
    """Skip where the browser stack is missing, except in CI (CNNEDU_REQUIRE_BROWSER=1)."""
    if os.environ.get("CNNEDU_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CNNEDU_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def _playwright():
    """Playwright and Chromium for one test module. Not session-wide: the sync API keeps an
    asyncio loop running on this thread while it is open, which would leak into the
    unrelated tests collected after tests/browser/ (a test starting its own loop fails)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("browser tests need the playwright package: pip install -e '.[test]'")
    exe = _chromium()
    if exe is None:
        _skip_or_fail("browser tests need Chromium (Debian: apt-get install chromium); "
                      "set CNNEDU_CHROMIUM to its path if it is elsewhere")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    base: str
    token: str
    root: Path

    def url(self, notebook: str) -> str:
        return f"{self.base}/lab/tree/{notebook}?reset&token={self.token}"


def _write_settings(app_dir: Path) -> None:
    settings = app_dir / "lab" / "user-settings" / "@jupyterlab"
    for rel, content in {
        "docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        "apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                "checkForUpdates": False},
        # render every cell: with windowing, cells out of view have empty prompts and
        # outputs, so "has every cell run?" could not be read from the page
        "notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    }.items():
        f = settings / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(content))


@pytest.fixture(scope="module")
def lab(_playwright, tmp_path_factory):
    """A fresh JupyterLab serving a temp copy of notebooks/ (stopped after the module)."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "notebooks"
    shutil.copytree(ROOT / "notebooks", root,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    home = tmp / "home"
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "config" / "lab" / "user-settings"),
        "IPYTHONDIR": str(home / "ipython"), "MPLCONFIGDIR": str(home / "mpl"),
    })
    _write_settings(home / "config")
    port, token = _free_port(), uuid.uuid4().hex
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = open(tmp / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        # A poll, not a hope: it ends as soon as the server answers (a few seconds), or
        # at once when the process has exited; the deadline only bounds a hang. (The
        # server binds its port after it prints "running at", so no line announces it.)
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n"
                                       + (tmp / "lab.log").read_text()[-3000:])
                try:     # between two requests, wait on the server's exit (up to 0.3 s)
                    proc.wait(0.3)
                except subprocess.TimeoutExpired:
                    pass
        yield Lab(base, token, root)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture
def page(_playwright, request):
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    context = _playwright.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        SCREENSHOTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-failure.png"), full_page=True)
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a screenshot in tests/browser/screenshots/ (look at it)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def open_and_run(page, lab: Lab, notebook: str, *, timeout_s: float = 120) -> None:
    """Open ``notebook``, wait until the kernel is idle, run all cells, wait until idle."""
    from playwright.sync_api import expect

    page.goto(lab.url(notebook))
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    status = page.locator(".jp-StatusBar-Widget", has_text="| Idle")
    expect(status.first).to_be_visible(timeout=60_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    # Done when every code cell has a number in its prompt (none queued "[*]", none
    # unrun "[ ]") and the kernel is idle again.
    deadline = time.monotonic() + timeout_s
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt")
    while True:
        texts = prompts.evaluate_all("els => els.map(e => e.textContent)")
        if texts and all(t.strip().strip("[]:").strip().isdigit() for t in texts):
            break
        if time.monotonic() > deadline:
            pending = [t for t in texts if not t.strip().strip("[]:").strip().isdigit()]
            raise AssertionError(f"Run All did not finish in {timeout_s} s: {len(pending)} "
                                 f"cell(s) still {sorted(set(pending))}")
        page.wait_for_timeout(250)
    expect(status.first).to_be_visible(timeout=int(timeout_s * 1000))
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    if errors.count():
        text = errors.first.inner_text()
        if "Traceback" in text or "Error" in text:
            raise AssertionError(f"a cell wrote an error while running all cells:\n{text[:2000]}")


def image_pixels(locator) -> np.ndarray:
    """Decode the PNG an ``ipywidgets.Image`` shows (an ``img`` with a blob or data URL)."""
    from cnnedu.viz.render import png_to_array

    img = locator if locator.evaluate("e => e.tagName") == "IMG" else locator.locator("img").first
    b64 = img.evaluate("""async (e) => {
        const r = await fetch(e.src); const b = new Uint8Array(await r.arrayBuffer());
        let s = ''; for (let i = 0; i < b.length; i += 0x8000)
            s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
        return btoa(s); }""")
    return png_to_array(base64.b64decode(b64))


def type_into(box, text: str) -> None:
    """Type ``text`` into a text box and press Enter (what a learner does)."""
    box.click()
    box.fill(text)
    box.press("Enter")


def wait_for_change(locator, before: np.ndarray, timeout_s: float = 120.0) -> np.ndarray:
    """Poll the image until its pixels differ from ``before``; return the new pixels.

    Returns at the first poll that sees a change, however fast or slow the machine; the
    deadline only bounds a picture that never changes. Between polls Playwright's own
    wait runs (it keeps serving the page's events, where ``time.sleep`` would block them).
    """
    deadline = time.monotonic() + timeout_s
    while True:
        now = image_pixels(locator)
        if now.shape != before.shape or np.any(now != before):
            return now
        if time.monotonic() > deadline:
            raise AssertionError(f"the picture did not change within {timeout_s:g} s")
        locator.page.wait_for_timeout(100)
