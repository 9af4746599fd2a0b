"""Sessions that end on the server, a lockout that spares the owner, and password reset by email."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from advocacy.auth.mail import wait_for_account_mail
from advocacy.auth.models import LoginSession, PasswordReset, User
from advocacy.db import utcnow
from advocacy.extensions import limiter
from tests.conftest import PASSWORD

CONTACTS = "/dashboard"
NEW_PASSWORD = "a brand new passphrase 42"


def session_cookie(app, client) -> str:
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def with_cookie(app, value: str):
    """A fresh browser that carries a copy of someone's session cookie (a stolen or saved cookie)."""
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return thief


def logged_in(app, email: str, password: str = PASSWORD):
    browser = app.test_client()
    response = browser.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser


# --- logout and password change end sessions on the server ------------------------------------------------


def test_a_cookie_saved_before_logout_opens_nothing_afterwards(app, make_user):
    make_user("staff@example.org", "staff")
    browser = logged_in(app, "staff@example.org")
    saved = session_cookie(app, browser)
    assert with_cookie(app, saved).get(CONTACTS).status_code == 200
    assert browser.post("/logout").status_code == 302
    response = with_cookie(app, saved).get(CONTACTS)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_logout_ends_only_this_browsers_session(app, make_user, db):
    make_user("staff@example.org", "staff")
    laptop, phone = logged_in(app, "staff@example.org"), logged_in(app, "staff@example.org")
    laptop.post("/logout")
    assert phone.get(CONTACTS).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_a_password_change_ends_every_other_session(app, make_user, db):
    make_user("staff@example.org", "staff")
    laptop, phone = logged_in(app, "staff@example.org"), logged_in(app, "staff@example.org")
    response = laptop.post(
        "/account/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert laptop.get(CONTACTS).status_code == 200
    assert phone.get(CONTACTS).status_code == 302
    assert (
        app.test_client().post("/login", data={"email": "staff@example.org", "password": NEW_PASSWORD}).status_code
        == 302
    )


def test_a_password_change_needs_the_current_password_and_changes_nothing_otherwise(app, make_user, db):
    user = make_user("staff@example.org", "staff")
    before = user.password_hash
    laptop, phone = logged_in(app, "staff@example.org"), logged_in(app, "staff@example.org")
    wrong = laptop.post(
        "/account/password", data={"current": "not it at all", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    short = laptop.post("/account/password", data={"current": PASSWORD, "new": "short", "confirm": "short"})
    assert (wrong.status_code, short.status_code) == (400, 400)
    assert "current password is not right" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before
    assert phone.get(CONTACTS).status_code == 200


def test_a_session_older_than_its_lifetime_is_over(app, make_user, db):
    make_user("staff@example.org", "staff")
    browser = logged_in(app, "staff@example.org")
    row = db.session.scalar(select(LoginSession))
    row.created_at = utcnow() - app.permanent_session_lifetime - timedelta(seconds=1)
    db.session.commit()
    assert browser.get(CONTACTS).status_code == 302


def test_the_database_keeps_no_session_token(app, make_user, db):
    make_user("staff@example.org", "staff")
    browser = logged_in(app, "staff@example.org")
    with browser.session_transaction() as sess:
        token = sess["login_token"]
    assert token not in {row.token_hash for row in db.session.scalars(select(LoginSession))}


# --- lockout: strangers' failures do not lock the owner out -------------------------------------------------


def test_the_owner_on_a_known_device_logs_in_after_strangers_failures(app, make_user):
    make_user("owner@example.org", "staff")
    owner = logged_in(app, "owner@example.org")
    owner.post("/logout")
    limiter.reset()  # the owner's login was yesterday: its count has expired
    stranger = app.test_client()
    codes = [
        stranger.post("/login", data={"email": "owner@example.org", "password": "guess guess guess"}).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    # The stranger stays throttled, even with the right password ...
    assert stranger.post("/login", data={"email": "owner@example.org", "password": PASSWORD}).status_code == 429
    # ... and a browser the account has never logged in from is too; the owner's own browser is not.
    assert (
        app.test_client().post("/login", data={"email": "owner@example.org", "password": PASSWORD}).status_code == 429
    )
    response = owner.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"


def test_a_known_device_is_throttled_on_its_own(app, make_user):
    make_user("owner@example.org", "staff")
    owner = logged_in(app, "owner@example.org")
    owner.post("/logout")
    codes = [
        owner.post("/login", data={"email": "owner@example.org", "password": "guess guess guess"}).status_code
        for _ in range(11)
    ]
    assert codes == [401] * 10 + [429]


def test_a_device_cookie_for_another_account_does_not_help(app, make_user):
    make_user("owner@example.org", "staff")
    make_user("eve@example.org", "staff")
    eve = logged_in(app, "eve@example.org")
    codes = [
        eve.post("/login", data={"email": "owner@example.org", "password": "guess guess guess"}).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]


# --- password reset by email --------------------------------------------------------------------------------


@pytest.fixture
def app_config(smtp_server):
    return {"ENVIRON": smtp_server.environ()}


def ask_reset(app, email: str):
    browser = app.test_client()
    response = browser.post("/login/forgot", data={"email": email})
    wait_for_account_mail(app)  # the email goes out on a background thread, after the answer
    return response


def link_in(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/login/reset\?token=\S+)", text).group(1)


def test_a_reset_link_works_once_and_ends_every_session(app, make_user, smtp_server, db, caplog):
    make_user("staff@example.org", "staff")
    browser = logged_in(app, "staff@example.org")
    response = ask_reset(app, "Staff@Example.org")
    assert response.status_code == 200
    [message] = smtp_server.messages
    assert message["To"] == "staff@example.org"
    link = link_in(message)
    token = link.split("token=")[1]
    # Only a hash of the token is stored, and it is never logged.
    assert token not in {row.token_hash for row in db.session.scalars(select(PasswordReset))}
    assert token not in caplog.text
    stranger = app.test_client()
    assert "Set the new password" in stranger.get(link).get_data(as_text=True)
    done = stranger.post("/login/reset", data={"token": token, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert browser.get(CONTACTS).status_code == 302  # the session from before the reset is over
    assert (
        app.test_client().post("/login", data={"email": "staff@example.org", "password": NEW_PASSWORD}).status_code
        == 302
    )
    again = stranger.post(
        "/login/reset", data={"token": token, "new": "yet another passphrase", "confirm": "yet another passphrase"}
    )
    assert again.status_code == 400 and "not valid any more" in again.get_data(as_text=True)
    assert (
        app.test_client().post("/login", data={"email": "staff@example.org", "password": NEW_PASSWORD}).status_code
        == 302
    )


def test_a_reset_link_expires_after_an_hour(app, make_user, smtp_server, db):
    make_user("staff@example.org", "staff")
    ask_reset(app, "staff@example.org")
    link = link_in(smtp_server.messages[0])
    reset = db.session.scalar(select(PasswordReset))
    reset.expires_at = utcnow() - timedelta(seconds=1)  # issued an hour and a second ago
    db.session.commit()
    browser = app.test_client()
    assert "not valid any more" in browser.get(link).get_data(as_text=True)
    token = link.split("token=")[1]
    response = browser.post("/login/reset", data={"token": token, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert (
        app.test_client().post("/login", data={"email": "staff@example.org", "password": PASSWORD}).status_code == 302
    )


def test_the_answer_is_the_same_whether_or_not_the_account_exists(app, make_user, smtp_server):
    make_user("staff@example.org", "staff")
    make_user("gone@example.org", "staff", active=False)
    known = ask_reset(app, "staff@example.org")
    unknown = ask_reset(app, "nobody@example.org")
    inactive = ask_reset(app, "gone@example.org")
    assert known.status_code == unknown.status_code == inactive.status_code == 200

    def page(response):
        return re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))

    assert page(known) == page(unknown) == page(inactive)
    assert [m["To"] for m in smtp_server.messages] == ["staff@example.org"]


def test_reset_requests_are_throttled_per_account_without_telling(app, make_user, smtp_server):
    make_user("staff@example.org", "staff")
    answers = {ask_reset(app, "staff@example.org").status_code for _ in range(4)}
    assert answers == {200}
    assert len(smtp_server.messages) == 3


def test_a_new_link_voids_the_older_one(app, make_user, smtp_server):
    make_user("staff@example.org", "staff")
    ask_reset(app, "staff@example.org")
    ask_reset(app, "staff@example.org")
    first, second = (link_in(m).split("token=")[1] for m in smtp_server.messages)
    browser = app.test_client()
    data = {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert browser.post("/login/reset", data={"token": first, **data}).status_code == 400
    assert browser.post("/login/reset", data={"token": second, **data}).status_code == 302


def test_a_reset_link_leads_to_the_sites_address_whatever_host_the_request_names(app, make_user, smtp_server, db):
    """Reset poisoning: a stranger asks for the owner's reset with a Host header of their own choosing. The link
    in the owner's mailbox must lead to this site (its public address, here saved by an admin), not to them."""
    from advocacy.organization import settings as org_settings

    org_settings.save({"site_url": "https://write.example.org"}, None)
    db.session.commit()
    org_settings.forget_saved()
    make_user("staff@example.org", "staff")
    stranger = app.test_client()
    response = stranger.post("/login/forgot", data={"email": "staff@example.org"}, base_url="http://evil.example")
    wait_for_account_mail(app)
    assert response.status_code == 200
    [message] = smtp_server.messages
    text = message.get_body(("plain",)).get_content()
    assert "evil.example" not in text
    assert re.search(r"https://write\.example\.org/login/reset\?token=\S+", text)


def test_in_production_without_a_site_address_no_reset_link_is_built_from_the_request(
    app, make_user, smtp_server, caplog
):
    app.config["ADVOCACY_SETTINGS"] = replace(app.config["ADVOCACY_SETTINGS"], env="production", site_url="")
    make_user("staff@example.org", "staff")
    known = ask_reset(app, "staff@example.org")
    unknown = ask_reset(app, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200  # still the same answer for both
    assert smtp_server.messages == []
    assert "password reset link not sent: ADVOCACY_SITE_URL is not set" in caplog.text


def test_every_page_for_staff_links_to_the_password_change(app, make_user):
    make_user("staff@example.org", "staff")
    browser = logged_in(app, "staff@example.org")
    assert 'href="/account/password"' in browser.get(CONTACTS).get_data(as_text=True)
