"""Browser tests: the real app on a real port, driven by Debian's Chromium through Playwright.

In CI (CI=true) a missing browser fails the run; elsewhere these tests skip with the reason.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from werkzeug.serving import make_server

from advocacy.extensions import db
from tests.conftest import make_app
from tests.fakes.geocoder import FakeGeocoder

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


@pytest.fixture(scope="module")  # per module: Playwright started and stopped with each test module
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
def live_app(tmp_path_factory, fake_geocoder):
    """The app with a fresh SQLite database, served on 127.0.0.1 in a background thread.

    It geocodes through `fake_geocoder` (never the internet) and holds the mini congress data and the shipped
    campaigns (see `load_reference_data`)."""
    path = tmp_path_factory.mktemp("browser") / "browser.db"
    environ = fake_geocoder.environ()  # e2e: no request leaves the machine
    environ["ADVOCACY_CASE_KEYS"] = Fernet.generate_key().decode()  # casework: private facts, encrypted
    app = make_app(
        f"sqlite:///{path}",
        WTF_CSRF_ENABLED=True,
        FORM_MIN_FILL_SECONDS=0,
        ENVIRON=environ,
        CASE_FILES_DIR=str(path.parent / "casefiles"),
    )
    with app.app_context():
        db.create_all()
        load_reference_data()  # e2e: congress data + the campaigns, once
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
    # expect() has its own clock (5 s by default): give it the page's, for a CI machine running two workers.
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
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


# --- e2e (issue 9): the loopback geocoder, the mini congress data and the shipped campaigns ---


# 10025 (Manhattan) spans NY-12 and NY-13: this street is in NY-12; any other street is unknown to the geocoder.
SPLIT_ZIP = "10025"
NY12_STREET = "200 W 95th St"
NY12_POINT = (40.79368, -73.97049)


@pytest.fixture(scope="session")
def fake_geocoder():
    """The loopback Census geocoder (tests/fakes/geocoder.py) for the whole browser session: NY12_STREET is in
    NY-12, every other street is not found."""
    with FakeGeocoder() as fake:
        fake.place(NY12_STREET, "NY", 12, NY12_POINT)
        yield fake


def load_reference_data() -> None:
    """The committed mini congress data (tests/fixtures/congress-mini: real rows) and the shipped campaigns (the
    live sample, Guan Heng's closed one), into the current app's database."""
    from advocacy.campaigns.loading import load_campaigns
    from advocacy.congress.sources import districts_source, legislators_source
    from advocacy.congress.sync import sync_districts, sync_legislators
    from tests.congress_support import MINI
    from tests.letters_support import GUAN_HENG, SAMPLE

    sync_legislators(legislators_source(str(MINI)))
    sync_districts(districts_source(str(MINI)))
    load_campaigns(GUAN_HENG)
    load_campaigns(SAMPLE)


@pytest.fixture(scope="session")
def live_site(live_app):
    """The live app with the mini congress data and the shipped campaigns."""
    return live_app


@pytest.fixture(scope="session")
def accounts(live_app):
    """One account per role on the live app: {role: (email, password)}."""
    from advocacy.auth.services import create_user

    made = {role: (f"e2e-{role}@example.org", f"e2e {role} password, long enough") for role in ROLES}
    with live_app.app_context():
        for role, (email, password) in made.items():
            create_user(email, password, role)
    return made


ROLES = ("staff", "organizer", "admin")


def log_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")


@pytest.fixture(scope="session")
def signed_in(live_app, accounts):
    """A factory: the browser storage state (the session cookie) of an account of the given role, signed in once
    per role through the real login form over HTTP (the login throttle allows 5 logins a minute per account)."""
    import requests

    from tests.conftest import csrf_token_from

    states: dict[str, dict] = {}

    def state(role: str) -> dict:
        if role not in states:
            email, password = accounts[role]
            http = requests.Session()
            token = csrf_token_from(http.get(live_app.base_url + "/login", timeout=30).text)
            form = {"email": email, "password": password, "csrf_token": token}
            response = http.post(live_app.base_url + "/login", data=form, allow_redirects=False, timeout=30)
            assert response.status_code == 302, response.text
            cookies = [
                {"name": c.name, "value": c.value, "domain": "127.0.0.1", "path": c.path or "/", "expires": -1,
                 "httpOnly": True, "secure": False, "sameSite": "Lax"}
                for c in http.cookies
            ]  # fmt: skip
            states[role] = {"cookies": cookies, "origins": []}
        return states[role]

    return state


# Keyboard alone: Tab (and Shift+Tab), Enter and Space; never a click.


def tab_to(page, locator, limit: int = 80) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would; fails if it is never reached."""
    handle = locator.element_handle()
    for _ in range(limit):
        if page.evaluate("el => el === document.activeElement", handle):
            # and a sighted keyboard user can see where the focus is
            outline = page.evaluate("el => getComputedStyle(el).outlineStyle", handle)
            assert outline not in ("", "none"), f"{locator} has the focus but no visible focus indicator"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} cannot be reached with the Tab key")


def type_into(page, locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)
