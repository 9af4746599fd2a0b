"""The signed-in navigation: one list of tools, shown to a user only when the route's own role rule lets them in.

Visibility is read from the view itself (`@role_required` sets `required_role`), so the menu cannot drift from
what the routes enforce. A feature adds a tool with one line in NAV.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for

from advocacy.auth.models import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    text: str
    # Other endpoints or blueprints ("statements.*") that are part of this tool: the item is marked current there.
    within: tuple[str, ...] = ()


NAV: tuple[NavItem, ...] = (
    NavItem("main.dashboard", "Home"),
    NavItem("campaigns.index", "Campaigns", ("campaigns.*", "statements.*")),
    NavItem("delivery.dashboard", "Deliveries"),
    NavItem("reports.index", "Reports", ("reports.*",)),
    NavItem("admin.users", "Users", ("admin.*",)),
    NavItem("organization.settings", "Organization"),
    NavItem("privacy.audit_log", "Audit log"),
    NavItem("privacy.privacy", "Data requests"),
    NavItem("lookup.lookup", "Public lookup"),
    NavItem("auth.password", "Password"),
)


def may_use(user, endpoint: str) -> bool:
    """What the route itself enforces: a login (every nav item) and, if declared, a role."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    needed = getattr(view, "required_role", None)
    return needed is None or user.has_role(Role(needed))


def _current(item: NavItem, endpoint: str | None) -> str | None:
    if endpoint is None:
        return None
    if endpoint == item.endpoint:
        return "page"
    blueprint = endpoint.split(".", 1)[0]
    if endpoint in item.within or f"{blueprint}.*" in item.within:
        return "true"
    return None


def nav_for(user) -> list[dict]:
    """The items this user may use, each with its URL and its aria-current value (None when elsewhere)."""
    if not getattr(user, "is_authenticated", False):
        return []
    endpoint = request.endpoint
    return [
        {"url": url_for(item.endpoint), "text": item.text, "current": _current(item, endpoint)}
        for item in NAV
        if may_use(user, item.endpoint)
    ]
