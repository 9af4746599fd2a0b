"""Pooled PostgreSQL connections: checked before use only when they may be dead (advocacy.dbsetup)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool


@pytest.fixture
def postgres(app, db, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite has no server to lose the connection")
    admin = create_engine(database_url, poolclass=NullPool)
    yield admin
    admin.dispose()


def backend_pid(db) -> int:
    with db.engine.connect() as conn:
        return conn.scalar(text("SELECT pg_backend_pid()"))


def terminate(admin, pid: int) -> None:
    with admin.connect() as conn:
        # With a timeout, PostgreSQL answers only once the backend has exited: its goodbye is already in the
        # pooled socket (a bound of 10 s, not a measurement).
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid})
        conn.commit()


def test_a_live_connection_is_reused(postgres, db):
    assert backend_pid(db) == backend_pid(db)


def test_a_connection_the_server_ended_is_replaced_before_use(postgres, db):
    first = backend_pid(db)
    terminate(postgres, first)
    # No error reaches the caller: the dead connection is noticed at checkout and a new one is made.
    assert backend_pid(db) != first


def test_a_request_after_the_server_ended_every_connection_succeeds(postgres, db, client):
    pid = backend_pid(db)
    terminate(postgres, pid)
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert backend_pid(db) != pid


def test_a_connection_closed_under_the_pool_is_replaced(postgres, db):
    first = backend_pid(db)
    pooled = db.engine.raw_connection()
    driver = pooled.driver_connection
    pooled.close()  # back to the pool ...
    driver.close()  # ... then closed on our side without the pool knowing
    assert backend_pid(db) != first
