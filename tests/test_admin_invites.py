"""Inviting a user: an admin names an email and a role, the person gets a one-time link (a week) to choose their
password; audited without the address; nothing is created for a bad or taken address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from advocacy.auth.models import PasswordReset, User
from advocacy.db import utcnow
from advocacy.reports.models import AuditEvent

NEW_PASSWORD = "a brand new passphrase 42"


@pytest.fixture
def app_config(smtp_server):
    return {"ENVIRON": smtp_server.environ()}


def link_in(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/login/reset\?token=\S+)", text).group(1)


def test_an_invited_person_chooses_a_password_once_and_logs_in(app, admin_client, smtp_server, db, caplog):
    response = admin_client.post(
        "/admin/users/invite", data={"email": "New.Organizer@Example.org", "role": "organizer"}
    )
    assert response.status_code == 302

    user = db.session.scalar(select(User).where(User.email == "new.organizer@example.org"))
    assert user.role == "organizer" and user.active
    [message] = smtp_server.messages
    assert message["To"] == "new.organizer@example.org"
    link = link_in(message)
    token = link.split("token=")[1]
    invite = db.session.scalar(select(PasswordReset).where(PasswordReset.user_id == user.id))
    assert invite.purpose == "invite" and invite.token_hash != token
    assert timedelta(days=6) < invite.expires_at - utcnow() <= timedelta(days=7)
    assert token not in caplog.text and "new.organizer@example.org" not in caplog.text
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.invite")).all()
    assert event.filters == {"user_id": user.id, "role": "organizer"} and event.user_id == admin_client.user.id

    invited = app.test_client()
    assert "Choose your password" in invited.get(link).get_data(as_text=True)
    done = invited.post("/login/reset", data={"token": token, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    login = app.test_client().post("/login", data={"email": "new.organizer@example.org", "password": NEW_PASSWORD})
    assert login.status_code == 302
    again = invited.post(
        "/login/reset", data={"token": token, "new": "another passphrase 43", "confirm": "another passphrase 43"}
    )
    assert again.status_code == 400 and "not valid any more" in again.get_data(as_text=True)


def test_an_invitation_for_a_taken_or_bad_address_creates_nothing(admin_client, make_user, smtp_server, db):
    make_user("taken@example.org", "staff")
    before = db.session.scalar(select(func.count()).select_from(User))
    taken = admin_client.post("/admin/users/invite", data={"email": "Taken@example.org", "role": "admin"})
    bad = admin_client.post("/admin/users/invite", data={"email": "not an address", "role": "staff"})
    assert taken.status_code == 400 and "already exists" in taken.get_data(as_text=True)
    assert bad.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert smtp_server.messages == []
    assert db.session.scalar(select(User.role).where(User.email == "taken@example.org")) == "staff"


def test_an_expired_invitation_opens_nothing_and_a_new_one_replaces_it(app, admin_client, smtp_server, db):
    admin_client.post("/admin/users/invite", data={"email": "late@example.org", "role": "staff"})
    user = db.session.scalar(select(User).where(User.email == "late@example.org"))
    first = link_in(smtp_server.messages[0])
    invite = db.session.scalar(select(PasswordReset).where(PasswordReset.user_id == user.id))
    invite.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "not valid any more" in app.test_client().get(first).get_data(as_text=True)
    assert "Send the invitation again" not in admin_client.get("/admin/users").get_data(as_text=True)

    assert admin_client.post(f"/admin/users/{user.id}/invite").status_code == 302
    second = link_in(smtp_server.messages[1])
    assert second != first
    assert "Choose your password" in app.test_client().get(second).get_data(as_text=True)
    assert "Send the invitation again" in admin_client.get("/admin/users").get_data(as_text=True)


def test_when_the_mail_server_refuses_the_admin_is_told(admin_client, smtp_server, db):
    smtp_server.refuse("bounce@example.org")
    response = admin_client.post(
        "/admin/users/invite", data={"email": "bounce@example.org", "role": "staff"}, follow_redirects=True
    )
    assert "was not sent" in response.get_data(as_text=True)
