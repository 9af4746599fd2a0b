"""Accounts, roles, login and logout."""

from advocacy.auth.access import public, role_required  # noqa: F401
