"""Staff accounts: who may log in, and with which role."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.db import utcnow
from advocacy.extensions import db


class Role(StrEnum):
    STAFF = "staff"
    ORGANIZER = "organizer"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return {"staff": 1, "organizer": 2, "admin": 3}[self.value]


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.STAFF.value)
    active: Mapped[bool] = mapped_column(default=True)
    # Rotated on deactivation and password change: every existing session stops working.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Opted in to the weekly summary email (reports/weekly.py).
    weekly_summary: Mapped[bool] = mapped_column(default=False)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, role: Role | str) -> bool:
        return Role(self.role).rank >= Role(role).rank

    def end_sessions(self) -> None:
        self.session_token = new_session_token()


def token_hash(token: str) -> str:
    """What the database keeps of a session or reset token: its SHA-256 (the token has 192+ random bits, so a
    plain hash is enough, and a leaked backup holds nothing that opens a session or resets a password)."""
    return hashlib.sha256(token.encode()).hexdigest()


class LoginSession(db.Model):
    """One logged-in browser. Its token sits in the signed session cookie; a request whose token has no row
    here is logged out, so logout, a password change or a reset ends a session on the server, not only in
    the browser that asked."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PasswordReset(db.Model):
    """A link that sets an account's password: one use, expiring; only the token's hash is kept. `purpose`
    is "reset" (asked for at /login/forgot, an hour) or "invite" (sent by an admin to a new account, a week)."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10), default="reset", server_default="reset")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
