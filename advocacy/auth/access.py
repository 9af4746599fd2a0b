"""Login required by default: public views are an explicit allowlist, roles checked per view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, current_app, request
from flask_login import current_user

from advocacy.auth.models import Role

F = TypeVar("F", bound=Callable)

# Endpoints outside our blueprints that anyone may reach.
PUBLIC_ENDPOINTS = frozenset({"static"})


def public(view: F) -> F:
    """Mark a view as reachable without logging in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def role_required(role: Role | str) -> Callable[[F], F]:
    """Refuse (403) a logged-in user below this role; admins pass everything."""
    needed = Role(role)

    def decorator(view: F) -> F:
        view.required_role = needed  # type: ignore[attr-defined]

        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_role(needed):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def is_public_endpoint(endpoint: str | None) -> bool:
    if endpoint is None:
        return True  # 404s and 405s: nothing to protect, the error handler answers
    if endpoint in PUBLIC_ENDPOINTS:
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "is_public", False))


def require_login() -> object | None:
    """before_request hook: anything not allowlisted needs an active session."""
    if is_public_endpoint(request.endpoint):
        return None
    if current_user.is_authenticated:
        return None
    return current_app.login_manager.unauthorized()
