"""Security headers and cookie flags on every answer the app gives: every GET route, built once with arguments that
match nothing (the error pages) and once with real ones (the shipped sample campaign and its letters), as an anonymous
visitor and as an admin, on a production configuration (HSTS and Secure cookies are on only there).
"""

from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.exceptions import HTTPException

from advocacy.security import CACHEABLE_ENDPOINTS, CSP
from tests.conftest import PASSWORD
from tests.test_route_matrix import dummy_args

PRODUCTION = {"ADVOCACY_ENV": "production"}
BASELINE_CSP = {part.strip() for part in CSP.split(";")}


@pytest.fixture
def app_config():
    return {"ENVIRON": PRODUCTION}


def get_rules(app):
    return [r for r in app.url_map.iter_rules() if "GET" in r.methods]


def real_args(rule, known: dict) -> dict:
    return {name: known.get(name, dummy_args(rule)[name]) for name in rule.arguments}


def check_response(app, path: str, response) -> list[str]:
    """Every problem with one response's security headers and cookies (empty when there is none)."""
    h = response.headers
    problems = []
    csp = {part.strip() for part in h.get("Content-Security-Policy", "").split(";")}
    if not BASELINE_CSP <= csp:
        problems.append(f"CSP lacks {sorted(BASELINE_CSP - csp)}")
    if any("unsafe-" in part for part in csp):
        problems.append("CSP allows unsafe-*")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    problems += [f"{name}: {h.get(name)!r}" for name, value in expected.items() if h.get(name) != value]
    if not h.get("Strict-Transport-Security", "").startswith("max-age=63072000"):
        problems.append("no HSTS")
    if "geolocation=()" not in h.get("Permissions-Policy", ""):
        problems.append("no Permissions-Policy")
    if response.mimetype == "text/html" and response.mimetype_params.get("charset", "").lower() != "utf-8":
        problems.append("HTML without charset=utf-8")
    problems += cache_problems(app, path, response)
    for cookie in h.getlist("Set-Cookie"):
        flags = {flag.strip().split("=")[0].lower(): flag.strip() for flag in cookie.split(";")[1:]}
        if "httponly" not in flags or "secure" not in flags or flags.get("samesite") != "SameSite=Lax":
            problems.append(f"cookie without HttpOnly, Secure and SameSite=Lax: {cookie.split('=')[0]}")
    return problems


def cache_problems(app, path: str, response) -> list[str]:
    """Only public views may let caches keep an answer, and never one that sets a cookie."""
    cache = response.headers.get("Cache-Control", "")
    try:
        endpoint = app.url_map.bind("localhost").match(path.split("?")[0])[0]
    except HTTPException:
        endpoint = None
    if endpoint in CACHEABLE_ENDPOINTS:  # static files and the health check: nothing personal, any caching
        return ["a cacheable answer sets a cookie"] if response.headers.get("Set-Cookie") else []
    if "public" in cache or "max-age" in cache:
        if "private" in cache or "no-store" in cache:
            return [f"contradictory Cache-Control {cache!r}"]
        view = app.view_functions.get(endpoint) if endpoint else None
        public = endpoint == "static" or getattr(view, "is_public", False)
        problems = [] if public else [f"a signed-in view is cacheable: {cache!r}"]
        if response.headers.get("Set-Cookie"):
            problems.append("a cacheable answer sets a cookie")
        return problems
    if "no-store" not in cache:
        return [f"Cache-Control {cache!r} neither no-store nor public"]
    return []


# Downloads of every kind and format, beside the paths the rules build.
DOWNLOADS = [
    "/staff/campaigns/sample-campaign/exports/contacts.xlsx",
    "/staff/campaigns/sample-campaign/exports/offices.csv",
    "/staff/campaigns/sample-campaign/exports/statements.xlsx",
    "/staff/campaigns/sample-campaign/packets/G000555.pdf",
    "/staff/campaigns/sample-campaign/packets.zip",
]
# Answers made by send_file say "Cache-Control: no-cache"; security.py turns that into no-store, since these
# files hold personal data. Checked by the sweep and by test_personal_data_downloads_are_never_stored.
SEND_FILE_DOWNLOADS = {
    "/staff/campaigns/sample-campaign/exports/contacts.xlsx",
    "/staff/campaigns/sample-campaign/exports/statements.xlsx",
    "/staff/campaigns/sample-campaign/packets.zip",
}


def sweep(app, client, known: dict) -> dict[str, list[str]]:
    paths = []
    for rule in get_rules(app):
        paths += [rule.build(args, append_unknown=False)[1] for args in (dummy_args(rule), real_args(rule, known))]
    found = {}
    for path in paths + DOWNLOADS:
        response = client.get(path, buffered=True)  # streamed exports run to their end here
        if problems := check_response(app, path, response):
            found[f"{path} ({response.status_code})"] = problems
    return found


@pytest.fixture
def known(app, db, live_campaign, admin_client):
    """Real arguments for the routes: the sample campaign, a letter variant, a statement and sent letters."""
    from advocacy.statements.services import StatementInput, record_statement
    from tests.letters_support import GOOD

    # On this production configuration a live campaign is a real one: a sample takes no letters in production.
    live_campaign.sample = False
    db.session.commit()
    admin_client.post("/api/v1/campaigns/sample-campaign/actions", json=GOOD)
    statement = record_statement(
        live_campaign.id,
        StatementInput("G000555", dt.date(2025, 8, 12), "press_release", "supports", "https://x.gov/s"),
        None,
    )
    return {
        "slug": "sample-campaign",
        "campaign_id": live_campaign.id,
        "letter_id": live_campaign.letters[0].id,
        "statement_id": statement.id,
        "kind": "contacts",
        "fmt": "csv",
        "office_key": "G000555",
        "filename": "site.css",
    }


def test_every_get_route_as_anonymous(app, client, known):
    assert sweep(app, client, known) == {}


def test_every_get_route_as_admin(app, admin_client, known):
    assert sweep(app, admin_client, known) == {}
    assert {p: admin_client.get(p, buffered=True).status_code for p in DOWNLOADS} == dict.fromkeys(DOWNLOADS, 200)


def test_personal_data_downloads_are_never_stored(app, known, staff_client):
    for path in sorted(SEND_FILE_DOWNLOADS):
        response = staff_client.get(path, buffered=True)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", (path, response.headers["Cache-Control"])


def test_error_answers_carry_the_headers(app, client):
    for method, path in [
        ("GET", "/no-such-page"),
        ("GET", "/api/v1/no-such"),
        ("POST", "/healthz"),  # 405
        ("GET", "/api/v1/representatives"),  # 400
        ("GET", "/api/v1/representatives?zip=00000"),  # 404 (no congress data loaded)
        ("POST", "/api/v1/campaigns/sample-campaign/actions"),  # 404
        ("GET", "/c/no-such/scoreboard"),
        ("GET", "/admin/users"),  # 302 to the login page
    ]:
        response = client.open(path, method=method)
        assert response.status_code >= 300, path
        assert check_response(app, path, response) == [], (method, path, response.status_code)


def test_a_too_large_request_gets_the_headers(app, client):
    response = client.post("/login", data={"email": "a" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert check_response(app, "/login", response) == []


def test_the_session_cookie_is_secure_httponly_and_samesite(app, client, make_user):
    make_user("ana@example.org")
    response = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 302
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("advocacy_session=")]
    assert {"Secure", "HttpOnly", "SameSite=Lax", "Path=/"} <= {part.strip() for part in cookie.split(";")}
    assert "Domain=" not in cookie  # host-only: never sent to other subdomains
    assert check_response(app, "/login", response) == []


def test_the_checks_catch_a_missing_header(app, client):
    """The sweep can fail: a response stripped of its headers is reported."""
    response = client.get("/login")
    del response.headers["X-Frame-Options"]
    response.headers["Cache-Control"] = "private"
    response.headers["Set-Cookie"] = "x=1; Path=/"
    problems = check_response(app, "/login", response)
    assert "X-Frame-Options: None" in problems
    assert any(p.startswith("cookie without") for p in problems) and any("Cache-Control" in p for p in problems)
