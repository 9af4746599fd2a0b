"""Test databases: a fresh SQLite file or a fresh PostgreSQL database per test session."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgres")


@contextmanager
def recorded_statements(engine):
    """The SQL statements `engine` sends while the block runs, in order."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def postgres_admin_url() -> str:
    return os.environ.get("ADVOCACY_TEST_DATABASE_URL", DEFAULT_PG)


def postgres_required() -> bool:
    return os.environ.get("ADVOCACY_REQUIRE_POSTGRES", "") in ("1", "true", "yes")


def postgres_available() -> str | None:
    """None when a server answers, else the reason it does not."""
    engine = create_engine(postgres_admin_url(), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()


def skip_or_fail_without_postgres() -> None:
    reason = postgres_available()
    if reason is None:
        return
    message = f"PostgreSQL at {make_url(postgres_admin_url()).render_as_string()} does not answer ({reason})"
    if postgres_required():
        pytest.fail(message + " and ADVOCACY_REQUIRE_POSTGRES=1", pytrace=False)
    pytest.skip(message + "; set ADVOCACY_TEST_DATABASE_URL or start PostgreSQL")


@contextmanager
def fresh_database(backend: str, tmp_dir: Path):
    """Yield the URL of a new, empty database; drop it afterwards."""
    if backend == "sqlite":
        path = tmp_dir / f"test-{uuid.uuid4().hex[:8]}.db"
        yield f"sqlite:///{path}"
        return
    skip_or_fail_without_postgres()
    admin_url = make_url(postgres_admin_url())
    name = f"advocacy_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def empty_redis_database(number: int) -> str:
    """The URL of database `number` of the test Redis, emptied first (so nothing else may live there); skips
    when Redis does not answer, or fails when ADVOCACY_REQUIRE_REDIS is set."""
    import redis

    base = os.environ.get("ADVOCACY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    url = base.rsplit("/", 1)[0] + f"/{number}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.RedisError as exc:
        if os.environ.get("ADVOCACY_REQUIRE_REDIS"):
            pytest.fail(f"Redis at {url} does not answer: {exc}")
        pytest.skip(f"Redis at {url} does not answer: {exc}")
    return url
