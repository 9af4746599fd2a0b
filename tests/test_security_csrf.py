"""CSRF on every state-changing route: with CSRF protection on, a signed-in admin's POST (PUT, PATCH, DELETE) without
a token is refused with 400 on every route, and nothing changes; the same request with the token gets past the
check. The only exemptions are the JSON letters API, which uses no cookie and accepts nothing a cross-site form can
send, and RFC 8058's one-click unsubscribe, which a mail client POSTs with no form and reads nothing but the signed
token in its URL (tests/test_updates.py).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf_token_from
from tests.test_route_matrix import dummy_args

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_REFUSAL = "This form has expired or was not sent from this site"
# Views exempt from CSRF, as "module.function" (Flask-WTF's own record of @csrf.exempt).
EXEMPT_VIEWS = {"advocacy.letters.api.create_action", "advocacy.updates.views.one_click"}
EXEMPT_ROUTES = {("POST", "/api/v1/campaigns/<slug>/actions"), ("POST", "/unsubscribe/<token>")}


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def admin(client, make_user):
    make_user("csrf-admin@example.org", role="admin")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    form = {"email": "csrf-admin@example.org", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form).status_code == 302
    return client


def state_changing_routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & STATE_CHANGING):
            yield method, rule


def is_csrf_refusal(response) -> bool:
    return response.status_code == 400 and CSRF_REFUSAL in response.get_data(as_text=True)


def count_rows(db) -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def test_the_exemptions_are_exactly_the_json_letters_api_and_one_click_unsubscribe(app):
    from advocacy.extensions import csrf

    assert csrf._exempt_views == EXEMPT_VIEWS
    assert csrf._exempt_blueprints == set()
    exempt = {
        (method, rule.rule)
        for method, rule in state_changing_routes(app)
        if f"{app.view_functions[rule.endpoint].__module__}.{app.view_functions[rule.endpoint].__name__}"
        in EXEMPT_VIEWS
    }
    assert exempt == EXEMPT_ROUTES


def test_every_state_changing_route_refuses_a_request_without_the_token(app, admin, db):
    routes = [(m, r) for m, r in state_changing_routes(app) if (m, r.rule) not in EXEMPT_ROUTES]
    assert len(routes) >= 30  # every form of the app, not a handful
    before = count_rows(db)
    accepted = []
    for method, rule in routes:
        path = rule.build(dummy_args(rule), append_unknown=False)[1]
        for data in ({}, {"csrf_token": "forged"}):
            response = admin.open(path, method=method, data=data)
            if not is_csrf_refusal(response):
                accepted.append((method, path, data, response.status_code))
        response = admin.open(path, method=method, json={"csrf_token": "x"})  # JSON is no way around it
        if not is_csrf_refusal(response):
            accepted.append((method, path, "json", response.status_code))
    assert accepted == []
    assert count_rows(db) == before
    assert admin.get("/dashboard").status_code == 200  # still signed in: /logout refused too


def test_the_token_from_a_page_gets_past_the_check(app, admin):
    """The refusals above are the token's doing: with it, no route answers with the CSRF refusal."""
    token = csrf_token_from(admin.get("/admin/users").get_data(as_text=True))
    routes = [(m, r) for m, r in state_changing_routes(app) if (m, r.rule) not in EXEMPT_ROUTES]
    routes.sort(key=lambda mr: mr[1].rule == "/logout")  # last: it ends the session
    refused = []
    for method, rule in routes:
        path = rule.build(dummy_args(rule), append_unknown=False)[1]
        response = admin.open(path, method=method, data={"csrf_token": token})
        if is_csrf_refusal(response) or response.status_code >= 500:
            refused.append((method, path, response.status_code))
    assert refused == []


def test_a_token_from_another_session_is_refused(app, admin, make_user):
    other = app.test_client()
    token = csrf_token_from(other.get("/login").get_data(as_text=True))
    response = admin.post("/admin/users", data={"csrf_token": token, "email": "x@example.org", "role": "staff"})
    assert is_csrf_refusal(response)


def test_the_exempt_api_accepts_nothing_a_cross_site_form_can_send(app, client, live_campaign):
    """A form on another site can POST urlencoded, multipart or text/plain, never application/json."""
    from tests.letters_support import GOOD

    form = {k: str(v) for k, v in GOOD.items()}
    for kwargs in (
        {"data": form},
        {"data": form, "content_type": "multipart/form-data"},
        {"data": "first_name=Ana", "content_type": "text/plain"},
    ):
        response = client.post("/api/v1/campaigns/sample-campaign/actions", **kwargs)
        assert response.status_code == 415, kwargs
    assert client.post("/api/v1/campaigns/sample-campaign/actions", json=GOOD).status_code == 201
    # the same letters again (idempotent), and no session cookie is set for anyone to ride on
    response = client.post("/api/v1/campaigns/sample-campaign/actions", json=GOOD)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
