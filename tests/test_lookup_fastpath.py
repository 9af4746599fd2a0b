"""advocacy.congress.fastpath: ZIP-only lookups answered without the Flask request cycle, byte for byte as the view."""

from __future__ import annotations

import io
import json

import pytest
from flask import request_started

pytestmark = pytest.mark.usefixtures("congress_data")

PATH = "/api/v1/representatives"
# One district; split between districts; across a state line; at-large; DC; unknown; malformed.
ZIPS = ["12207", "91711", "97635", "82001", "20001"]


def environ(query: str, **extra) -> dict:
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": PATH,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "REMOTE_ADDR": "198.51.100.20",
    }
    env.update(extra)
    return env


def call(wsgi_app, env: dict) -> tuple[str, list, bytes]:
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, list(headers)

    body = b"".join(wsgi_app(env, start_response))
    return seen["status"], seen["headers"], body


@pytest.fixture
def through_flask(app):
    """Count the requests that went through Flask's request cycle (its own request_started signal)."""
    started = []

    def record(sender, **_):
        started.append(True)

    request_started.connect(record, app)
    yield started
    request_started.disconnect(record, app)


def test_answers_are_the_views_byte_for_byte(app, through_flask):
    fast = app.wsgi_app
    call(fast, environ("zip=12207"))  # the first answer of the kind teaches it the view's headers
    for zip5 in ZIPS:
        before = len(through_flask)
        answer = call(fast, environ(f"zip={zip5}"))
        assert len(through_flask) == before, f"{zip5} went through Flask"
        assert answer == call(fast.wsgi_app, environ(f"zip={zip5}")), zip5
        assert answer[0] == "200 OK"


@pytest.mark.parametrize(
    ("query", "extra", "status"),
    [
        ("zip=00000", {}, "404 NOT FOUND"),
        ("zip=1234", {}, "400 BAD REQUEST"),
        ("zip=12207&address=1+Main+St", {}, None),
        ("zip=12207-1234", {}, "200 OK"),
        ("zip=12207", {"HTTP_COOKIE": "advocacy_session=x"}, "200 OK"),
        ("zip=12207", {"REQUEST_METHOD": "HEAD"}, "200 OK"),
    ],
)
def test_anything_else_goes_to_the_view(app, through_flask, no_network, query, extra, status):
    call(app.wsgi_app, environ("zip=12207"))
    before = len(through_flask)
    answer = call(app.wsgi_app, environ(query, **extra))
    assert len(through_flask) == before + 1
    if status:
        assert answer[0] == status


@pytest.mark.parametrize("app_config", [{"LOOKUP_RATE_LIMIT": "3 per minute"}])
def test_the_rate_limit_holds_on_the_fast_path(app):
    answers = [call(app.wsgi_app, environ("zip=12207")) for _ in range(4)]
    assert [a[0] for a in answers] == ["200 OK"] * 3 + ["429 TOO MANY REQUESTS"]
    headers = dict(answers[3][1])
    assert 0 < int(headers["Retry-After"]) <= 60 and b"rate_limited" in answers[3][2]
    other = call(app.wsgi_app, environ("zip=12207", REMOTE_ADDR="198.51.100.21"))
    assert other[0] == "200 OK"


def test_when_the_answer_fails_the_view_answers_with_the_apps_error(app, db, through_flask):
    from sqlalchemy import text

    from advocacy import caching

    call(app.wsgi_app, environ("zip=12207"))
    app.config["CONGRESS_CACHE_SECONDS"] = 0
    db.session.execute(text("ALTER TABLE congress_datasets RENAME TO congress_datasets_away"))
    db.session.commit()
    try:
        caching.clear_all()
        before = len(through_flask)
        status, headers, body = call(app.wsgi_app, environ("zip=12207"))
        assert len(through_flask) == before + 1  # the fast path stepped aside
        assert status.startswith("5") and b'"error"' in body and b"Traceback" not in body
    finally:
        db.session.rollback()
        db.session.execute(text("ALTER TABLE congress_datasets_away RENAME TO congress_datasets"))
        db.session.commit()
        caching.clear_all()


# The `notice` of a ZIP-only answer in the request's language (Accept-Language, as the view reads it), the same
# bytes on both paths in every language; the API's codes and data stay as they are.
NOTICES = {
    "en": "A ZIP code is only an approximation of a congressional district",
    "zh-CN": "邮政编码只能大致确定国会选区",
    "zh-TW": "郵政編碼只能大致確定國會選區",
    "es-MX,es;q=0.9": "Un código postal solo se aproxima a un distrito del Congreso",
    "ug": "پوچتا نومۇرى پەقەت كونگرېس سايلام رايونىنى تەخمىنەن كۆرسىتىدۇ",
    "fr-FR, es;q=0.5": "Un código postal solo se aproxima a un distrito del Congreso",  # the first language we speak
}


@pytest.mark.parametrize("accept", list(NOTICES))
def test_the_fast_path_notice_follows_accept_language_and_agrees_with_the_view(app, through_flask, accept):
    fast = app.wsgi_app
    call(fast, environ("zip=12207"))  # learn the view's headers (asked in English)
    for zip5 in ZIPS:
        before = len(through_flask)
        answer = call(fast, environ(f"zip={zip5}", HTTP_ACCEPT_LANGUAGE=accept))
        assert len(through_flask) == before, f"{zip5} went through Flask"
        with app.app_context():  # a request's own context, as in a server (the test's would keep its `g`)
            view = call(fast.wsgi_app, environ(f"zip={zip5}", HTTP_ACCEPT_LANGUAGE=accept))
        assert answer == view, zip5
        notice = json.loads(answer[2])["notice"]
        assert NOTICES[accept] in notice, (accept, notice)
        if accept != "en":
            assert "approximation" not in notice
