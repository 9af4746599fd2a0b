"""CSRF is required on every form."""

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_csrf_refuses_forms_without_token(client, make_user):
    make_user("ana@example.org")
    response = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_csrf_accepts_forms_with_token(client, make_user):
    from tests.conftest import csrf_token_from

    make_user("ana@example.org")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    # logout without the token is refused, and the session survives
    assert client.post("/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200
