"""Accounts: login, logout, roles, throttling, deactivation, the users command."""

import pytest
from sqlalchemy import select

from advocacy.auth.models import User
from advocacy.auth.views import GENERIC_LOGIN_ERROR
from tests.conftest import PASSWORD


def test_login_and_logout(client, make_user, auth):
    make_user("ana@example.org", "organizer")
    response = auth.login("ana@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    assert auth.logout().status_code == 302
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_is_post_only(client):
    assert client.get("/logout").status_code == 405


@pytest.mark.parametrize("email, password", [("ana@example.org", "wrong password!"), ("nobody@example.org", PASSWORD)])
def test_one_generic_error_for_wrong_email_or_password(make_user, auth, email, password):
    make_user("ana@example.org")
    response = auth.login(email, password)
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert GENERIC_LOGIN_ERROR in body


def test_email_is_case_insensitive(make_user, auth):
    make_user("ana@example.org")
    assert auth.login("ANA@Example.org").status_code == 302


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/admin/users", "/admin/users"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("javascript:alert(1)", "/dashboard"),
    ],
)
def test_next_is_checked(make_user, auth, target, expected):
    make_user("ana@example.org", "admin")
    response = auth.login("ana@example.org", next=target)
    assert response.headers["Location"] == expected


def test_session_is_regenerated_on_login(client, make_user, auth):
    make_user("ana@example.org")
    with client.session_transaction() as sess:
        sess["planted"] = "by-attacker"
    auth.login("ana@example.org")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert "_user_id" in sess


def test_deactivated_user_loses_access(app, admin_client, login_as, db):
    staff = login_as("staff")
    assert staff.get("/dashboard").status_code == 200
    response = admin_client.post(f"/admin/users/{staff.user.id}/active", data={})
    assert response.status_code == 302
    assert staff.get("/dashboard").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, staff.user.id).active is False
    # and cannot log in again
    assert staff.post("/login", data={"email": staff.user.email, "password": PASSWORD}).status_code == 401


def test_role_change_ends_sessions_and_applies(admin_client, login_as, db):
    organizer = login_as("organizer")
    response = admin_client.post(f"/admin/users/{organizer.user.id}/role", data={"role": "admin"})
    assert response.status_code == 302
    assert organizer.get("/dashboard").status_code == 302  # must log in again
    assert db.session.get(User, organizer.user.id).role == "admin"


def test_admin_cannot_demote_or_deactivate_self(admin_client, db):
    me = admin_client.user
    admin_client.post(f"/admin/users/{me.id}/role", data={"role": "staff"})
    admin_client.post(f"/admin/users/{me.id}/active", data={})
    db.session.expire_all()
    user = db.session.get(User, me.id)
    assert (user.role, user.active) == ("admin", True)


def test_admin_creates_user_with_validation(admin_client, db):
    bad = admin_client.post("/admin/users", data={"email": "not-an-email", "role": "staff", "password": "x"})
    assert bad.status_code == 400
    assert db.session.scalar(select(User).where(User.email == "not-an-email")) is None
    ok = admin_client.post(
        "/admin/users", data={"email": "new@example.org", "role": "staff", "password": "a long enough password"}
    )
    assert ok.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "new@example.org")).role == "staff"


ADMIN_ROUTES = [
    ("GET", "/admin/users"),
    ("POST", "/admin/users"),
    ("POST", "/admin/users/1/role"),
    ("POST", "/admin/users/1/active"),
]


@pytest.mark.parametrize("method, path", ADMIN_ROUTES)
@pytest.mark.parametrize("role", ["staff", "organizer"])
def test_admin_routes_refuse_lower_roles(login_as, role, method, path):
    c = login_as(role)
    response = c.open(path, method=method, data={"role": "admin"})
    assert response.status_code == 403


@pytest.mark.parametrize("method, path", ADMIN_ROUTES)
def test_admin_routes_need_login(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_admin_page_lists_users(admin_client, make_user):
    make_user("listed@example.org", "staff")
    body = admin_client.get("/admin/users").get_data(as_text=True)
    assert "listed@example.org" in body


def test_login_is_throttled_per_account(make_user, auth):
    make_user("ana@example.org")
    codes = [auth.login("ana@example.org", "wrong password!").status_code for _ in range(6)]
    assert codes[:5] == [401] * 5
    assert codes[5] == 429
    # the right password is refused too while the account is throttled
    assert auth.login("ana@example.org").status_code == 429


def test_login_is_throttled_per_ip(client, auth):
    codes = [auth.login(f"user{i}@example.org", "wrong password!").status_code for i in range(21)]
    assert codes[-1] == 429
    assert set(codes[:20]) == {401}


def test_users_create_command(runner, db):
    result = runner.invoke(
        args=["users", "create", "Org@Example.org", "--role", "organizer", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "org@example.org"))
    assert user.role == "organizer"
    assert user.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["users", "create", "bad", "--role", "staff", "--password-stdin"], "a long enough password\n", "valid email"),
        (["users", "create", "a@example.org", "--role", "staff", "--password-stdin"], "short\n", "at least 12"),
        (
            ["users", "create", "a@example.org", "--role", "boss", "--password-stdin"],
            "a long enough password\n",
            "boss",
        ),
    ],
)
def test_users_create_refuses_bad_input(runner, db, args, stdin, message):
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(User)) is None


def test_users_create_refuses_duplicate(runner, make_user):
    make_user("a@example.org")
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "staff", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_password_hash_parameters_are_explicit(app):
    from advocacy.config import flask_config, load_settings

    assert flask_config(load_settings({}))["PASSWORD_HASH"] == {"time_cost": 3, "memory_cost": 65536, "parallelism": 2}
