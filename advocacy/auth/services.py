"""Account operations shared by the login views, the admin pages and the CLI."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from advocacy.auth.models import LoginSession, PasswordReset, Role, User, token_hash
from advocacy.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from advocacy.db import utcnow
from advocacy.extensions import db
from advocacy.identity import InvalidEmail, normalize_email


class AccountError(ValueError):
    pass


def account_address(raw: str) -> str:
    """An account's email as stored, or AccountError saying why it is not an address."""
    try:
        return normalize_email(raw)
    except InvalidEmail as exc:
        raise AccountError(f"Not a valid email address: {exc}") from None


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(email: str, password: str, role: str) -> User:
    address = account_address(email)
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


# --- sessions on the server (LoginSession) ---------------------------------------------------------------


def _session_lifetime() -> timedelta:
    return current_app.permanent_session_lifetime


def start_session(user: User) -> str:
    """A new server-side session for `user` (commits); returns the token the session cookie carries.
    The user's sessions that have outlived PERMANENT_SESSION_LIFETIME are cleared on the way."""
    now = utcnow()
    db.session.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.created_at < now - _session_lifetime())
    )
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=token_hash(token), created_at=now))
    db.session.commit()
    return token


def session_user(user_id: int, user_token: str, session_token: str | None) -> User | None:
    """The user a request's session stands for, or None: the account must be active, its session
    generation (User.session_token) unchanged, and the session's own record present and not too old."""
    if not session_token:
        return None
    row = db.session.execute(
        select(User, LoginSession.created_at)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(User.id == user_id, LoginSession.token_hash == token_hash(session_token))
    ).one_or_none()
    if row is None:
        return None
    user, started = row
    if not user.active or not secrets.compare_digest(user.session_token, user_token):
        return None
    if started < utcnow() - _session_lifetime():
        return None
    return user


def end_session(session_token: str | None) -> None:
    """Logout: this session's record goes, so its cookie opens nothing any more, wherever it was copied."""
    if session_token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(session_token)))
        db.session.commit()


def end_other_sessions(user: User, keep: str | None) -> None:
    """Every session of `user` except the one whose token is `keep` (None: all of them). No commit."""
    condition = LoginSession.user_id == user.id
    if keep:
        condition = condition & (LoginSession.token_hash != token_hash(keep))
    db.session.execute(delete(LoginSession).where(condition))


def change_password(user: User, current: str, new: str, confirm: str, *, keep_session: str | None) -> None:
    """Set a new password after checking the current one; every other session of the user ends."""
    if not verify_password(user.password_hash, current):
        raise AccountError("Your current password is not right.")
    _set_password(user, new, confirm)
    end_other_sessions(user, keep_session)
    db.session.commit()


def _set_password(user: User, new: str, confirm: str) -> None:
    if new != confirm:
        raise AccountError("The two new passwords are not the same.")
    problem = password_problem(new)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(new)


# --- password reset by email -----------------------------------------------------------------------------

RESET_LIFETIME = timedelta(hours=1)
INVITE_LIFETIME = timedelta(days=7)
RESET, INVITE = "reset", "invite"


def _issue_link(user: User, purpose: str, lifetime: timedelta) -> str:
    """A one-time token that sets `user`'s password (commits). Only the token's hash is stored; the account's
    earlier links are deleted (they stop working, and the table holds at most one row per account)."""
    now = utcnow()
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordReset(
            user_id=user.id, token_hash=token_hash(token), purpose=purpose, created_at=now, expires_at=now + lifetime
        )
    )
    db.session.commit()
    return token


def issue_password_reset(email: str) -> tuple[User, str] | None:
    """A one-time reset token for the active account with this email (commits), or None when there is no
    such account."""
    user = find_user(email)
    if user is None or not user.active:
        return None
    return user, _issue_link(user, RESET, RESET_LIFETIME)


def invite_user(email: str, role: str) -> tuple[User, str]:
    """A new account with no usable password, and a one-time link (a week) for its owner to choose one."""
    address = account_address(email)
    try:
        role = Role(role).value
    except ValueError:
        raise AccountError(f"Role must be admin, organizer or staff, not {role!r}") from None
    if find_user(address):
        raise AccountError("A user with that email already exists.")
    # Nobody knows this password: the account opens only through the invitation link.
    user = User(email=address, password_hash=hash_password(secrets.token_urlsafe(32)), role=role)
    db.session.add(user)
    db.session.flush()
    return user, _issue_link(user, INVITE, INVITE_LIFETIME)


def reinvite_user(user: User) -> str:
    """A fresh invitation link for an active account (the older one stops working)."""
    if not user.active:
        raise AccountError("This account is deactivated: reactivate it first.")
    return _issue_link(user, INVITE, INVITE_LIFETIME)


def _valid_reset(token: str | None) -> PasswordReset | None:
    if not token or len(token) > 128:
        return None
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def reset_link_is_valid(token: str | None) -> bool:
    return _valid_reset(token) is not None


def link_purpose(token: str | None) -> str | None:
    """ "reset" or "invite" for a usable link, None for one that is unknown, used or expired."""
    reset = _valid_reset(token)
    return reset.purpose if reset else None


def reset_password(token: str | None, new: str, confirm: str) -> User:
    """Use a reset token once: set the password and end every session of the account. Raises AccountError
    for a token that is unknown, used or expired, or a password that will not do (the token stays usable)."""
    reset = _valid_reset(token)
    if reset is None:
        raise AccountError(RESET_LINK_INVALID)
    user = db.session.get(User, reset.user_id)
    if user is None or not user.active:
        raise AccountError(RESET_LINK_INVALID)
    _set_password(user, new, confirm)
    # One use: the row is claimed by a conditional update, so two requests racing with one token cannot both win.
    claimed = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise AccountError(RESET_LINK_INVALID)
    end_other_sessions(user, None)
    user.end_sessions()
    db.session.commit()
    return user


RESET_LINK_INVALID = (
    "This link is not valid any more (it works once: a reset link for one hour, an invitation for a week). "
    "Ask for a new one."
)
