"""Every registered route, as anonymous, staff, organizer and admin: login and roles enforced.

A route is public only when its view carries @public; every other view needs a login, and every
view that is not open to all signed-in staff declares its role with @role_required.
"""

from __future__ import annotations

import pytest

from advocacy.auth.models import Role

# Views any signed-in account may use, whatever its role.
ANY_SIGNED_IN = {"main.dashboard"}
ROLES = ("staff", "organizer", "admin")


def dummy_args(rule) -> dict:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__
        values[name] = 999999 if converter in ("IntegerConverter",) else "no-such-thing"
    return values


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, view, method


def test_every_private_view_declares_its_role(app):
    undeclared = []
    for rule, view, _method in routes(app):
        if getattr(view, "is_public", False) or rule.endpoint in ANY_SIGNED_IN:
            continue
        if getattr(view, "required_role", None) is None:
            undeclared.append(rule.endpoint)
    assert undeclared == [], f"views without @public or @role_required: {sorted(set(undeclared))}"


def test_anonymous_is_refused_everywhere_but_public_views(app, client):
    for rule, view, method in routes(app):
        if getattr(view, "is_public", False):
            continue
        path = rule.build(dummy_args(rule), append_unknown=False)[1]
        response = client.open(path, method=method)
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, (method, path)
        else:
            assert response.status_code == 302, (method, path, response.status_code)
            assert "/login" in response.headers["Location"], (method, path)


@pytest.mark.parametrize("role", ROLES)
def test_roles_below_the_required_one_get_403(app, login_as, role):
    client = login_as(role)
    for rule, view, method in routes(app):
        needed = getattr(view, "required_role", None)
        if needed is None:
            continue
        path = rule.build(dummy_args(rule), append_unknown=False)[1]
        response = client.open(path, method=method)
        if Role(role).rank < Role(needed).rank:
            assert response.status_code == 403, (role, method, path, response.status_code)
        else:
            assert response.status_code != 403, (role, method, path)
            assert response.status_code < 500, (role, method, path, response.status_code)
