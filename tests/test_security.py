"""The security baseline: headers on every route, CSRF, error pages that reveal nothing."""

from tests.conftest import PASSWORD


def simple_get_routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments:
            yield rule.rule


def check_headers(response, production=True):
    h = response.headers
    csp = h["Content-Security-Policy"]
    for part in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert part in csp
    assert "unsafe-inline" not in csp
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "strict-origin-when-cross-origin"
    if production:
        assert h["Strict-Transport-Security"].startswith("max-age=")


def test_headers_on_every_route_anonymous_and_logged_in(app, client, admin_client):
    routes = list(simple_get_routes(app))
    assert "/healthz" in routes and "/login" in routes
    for c in (client, admin_client):
        for path in routes:
            response = c.get(path)
            check_headers(response)
            if path not in ("/healthz",) and not path.startswith("/static"):
                assert "no-store" in response.headers.get("Cache-Control", "") or "public" in response.headers.get(
                    "Cache-Control", ""
                ), path


def test_headers_on_error_pages(client):
    check_headers(client.get("/no-such-page"))
    check_headers(client.get("/api/v1/no-such"))


def test_no_hsts_in_development(database_url):
    from tests.conftest import make_app

    app = make_app(database_url, ENVIRON={"ADVOCACY_ENV": "development"})
    response = app.test_client().get("/healthz")
    assert "Strict-Transport-Security" not in response.headers
    assert "Content-Security-Policy" in response.headers


def test_logged_in_pages_are_not_cached(admin_client):
    assert admin_client.get("/admin/users").headers["Cache-Control"] == "no-store"


def test_api_errors_are_json(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.is_json
    assert response.json["error"]["code"] == "not_found"
    assert set(response.json["error"]) >= {"code", "message", "fields"}


def test_html_404_reveals_nothing(client):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert "text/html" in response.headers["Content-Type"]
    assert "Page not found" in response.get_data(as_text=True)


def test_500_page_reveals_nothing(app, client):
    @app.get("/boom-test")
    def boom():
        raise RuntimeError("secret internal detail")

    boom.is_public = True
    response = client.get("/boom-test")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internal detail" not in body and "Traceback" not in body
    assert "Something went wrong" in body


def test_request_too_large_is_refused(client):
    response = client.post("/login", data={"email": "a" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_session_cookie_flags(client, make_user):
    make_user("ana@example.org")
    response = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_outside_development(database_url):
    from tests.conftest import make_app

    app = make_app(database_url, ENVIRON={"ADVOCACY_ENV": "production"}, WTF_CSRF_ENABLED=True)
    response = app.test_client().get("/login")
    assert "Secure" in response.headers["Set-Cookie"]


def test_unknown_pages_need_login_by_default(app, client):
    """Every route is private unless it is explicitly marked public."""
    for path in simple_get_routes(app):
        if path.startswith("/static"):
            continue
        response = client.get(path)
        endpoint = app.url_map.bind("x").match(path)[0]
        if getattr(app.view_functions[endpoint], "is_public", False):
            # public: answered (400 without its parameters, 401 without its token), never a login redirect
            assert response.status_code in (200, 400, 401, 503), (path, response.status_code)
        else:
            assert response.status_code in (302, 401), path


def test_logs_carry_no_personal_data(client, make_user, caplog):
    make_user("ana@example.org")
    caplog.set_level("DEBUG")
    client.post("/login", data={"email": "secret.person@example.org", "password": "hunter2hunter2"})
    text = caplog.text
    assert "secret.person" not in text and "hunter2" not in text
    assert "login refused" in text
