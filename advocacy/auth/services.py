"""Account operations shared by the login views, the admin pages and the CLI."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from advocacy.auth.models import Role, User
from advocacy.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from advocacy.db import utcnow
from advocacy.extensions import db
from advocacy.letters.validation import clean_identifier, pseudonym


class AccountError(ValueError):
    pass


def normalize_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(f"Not a valid email address: {exc}") from None


def email_key(raw: str) -> str:
    """A stable, keyed, non-reversible key for throttling and logs (never the email itself); invisible
    characters and case do not make a second key."""
    return pseudonym("account:" + clean_identifier(raw))[:16]


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(email: str, password: str, role: str) -> User:
    address = normalize_email(email)
    try:
        role = Role(role).value
    except ValueError:
        raise AccountError(f"Role must be admin, organizer or staff, not {role!r}") from None
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    if find_user(address):
        raise AccountError("A user with that email already exists.")
    user = User(email=address, password_hash=hash_password(password), role=role)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; costs the same whether or not the email exists."""
    user = find_user(email)
    if user is None or not user.active:
        verify_password(None, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def set_role(user: User, role: str) -> None:
    user.role = Role(role).value
    user.end_sessions()
    db.session.commit()


def set_active(user: User, active: bool) -> None:
    user.active = active
    if not active:
        user.end_sessions()
    db.session.commit()
