"""advocacy.sessions: Flask's signed-cookie session with its signer kept per secret key."""

from __future__ import annotations


def test_a_request_without_a_session_cookie_sets_none(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_a_logged_in_session_survives_requests_and_follows_the_secret_key(app, login_as):
    staff = login_as("staff")
    assert staff.get("/dashboard").status_code == 200
    assert staff.get("/dashboard").status_code == 200
    old_key = app.secret_key
    # A new key with the old one as a fallback keeps people logged in ...
    app.secret_key = "rotated-" + "n" * 40
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert staff.get("/dashboard").status_code == 200
    # ... and without the fallback the old cookie no longer opens anything.
    app.config["SECRET_KEY_FALLBACKS"] = []
    response = staff.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_tampered_cookie_is_an_empty_session(app, login_as):
    staff = login_as("staff")
    cookie = staff.get_cookie(app.config["SESSION_COOKIE_NAME"])
    # Change a character of the signature that carries all its bits (the last one carries only some of them).
    other = "A" if cookie.value[-2] != "A" else "B"
    staff.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value[:-2] + other + cookie.value[-1])
    response = staff.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
