"""Browser tests: the real app on a real port, driven by Debian's Chromium through Playwright.

In CI (CI=true) a missing browser fails the run; elsewhere these tests skip with the reason.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from advocacy.extensions import db
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str:
    for candidate in (os.environ.get("ADVOCACY_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    _missing("Chromium not found (scripts/install-browser installs Debian's chromium)")
    return ""


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app with a fresh SQLite database, served on 127.0.0.1 in a background thread."""
    path = tmp_path_factory.mktemp("browser") / "browser.db"
    app = make_app(f"sqlite:///{path}", WTF_CSRF_ENABLED=True, FORM_MIN_FILL_SECONDS=0)
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


@pytest.fixture
def page(browser, request):
    context = browser.new_context(bypass_csp=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.nodeid)[-150:]
        page.screenshot(path=str(ARTIFACTS / f"{safe}.png"), full_page=True)
    context.close()


@pytest.fixture
def axe_page(browser):
    """A page where axe-core may be injected (CSP bypassed for the injected script only)."""
    if not AXE.exists():
        _missing("axe-core not installed (npm ci installs it from package.json)")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]
