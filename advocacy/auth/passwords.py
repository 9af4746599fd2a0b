"""argon2id password hashing with explicit parameters from the app config."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_PASSWORD_LENGTH = 12
# A real hash of a random password, verified against when the email is unknown, so a
# wrong email costs as much time as a wrong password.
_DUMMY = {}


def _hasher() -> PasswordHasher:
    params = current_app.config["PASSWORD_HASH"]
    return PasswordHasher(
        time_cost=params["time_cost"],
        memory_cost=params["memory_cost"],
        parallelism=params["parallelism"],
        type=Type.ID,
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    if password_hash is None:
        key = tuple(sorted(current_app.config["PASSWORD_HASH"].items()))
        if key not in _DUMMY:
            _DUMMY[key] = hasher.hash("not-a-real-password-for-timing")
        password_hash = _DUMMY[key]
        try:
            hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > 1024:
        return "Password must be at most 1024 characters."
    return None
