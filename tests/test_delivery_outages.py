"""Outages seen from outside: with PostgreSQL unreachable the API answers 503 with Retry-After and its JSON
error, pages a friendly 503, never a 500 or a stack trace; with Redis unreachable, rate limits keep
counting in this process and the failure is logged once."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import make_app
from tests.fakes.smtp import free_port
from tests.letters_support import GOOD


@pytest.fixture
def down_client():
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/down"  # nothing listens there
    app = make_app(url, SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}})
    return app.test_client()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/campaigns", None),
        ("get", "/api/v1/campaigns/guan-heng", None),
        ("post", "/api/v1/campaigns/guan-heng/actions", GOOD),
    ],
)
def test_the_api_answers_503_with_retry_after_while_the_database_is_down(down_client, method, path, body):
    response = getattr(down_client, method)(path, json=body)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["error"]["code"] == "unavailable"
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_campaign_page_is_a_friendly_503_while_the_database_is_down(down_client):
    response = down_client.get("/c/guan-heng")
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert "briefly unavailable" in page and "Traceback" not in page and "psycopg" not in page


def test_a_database_outage_is_logged_without_the_request_s_details(down_client, caplog):
    with caplog.at_level(logging.WARNING):
        down_client.post("/api/v1/campaigns/guan-heng/actions", json=GOOD)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "database unavailable" in logged
    assert GOOD["email"] not in logged and GOOD["last_name"] not in logged


# --- Redis down -------------------------------------------------------------------------------------------


@pytest.fixture
def redis_down_app(app_config, database_url):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    app = make_app(
        database_url,
        ENVIRON={"ADVOCACY_REDIS_URL": closed},
        RATELIMIT_STORAGE_URI=closed,
        ACTION_RATE_LIMIT_IP="3 per minute",
        ACTION_RATE_LIMIT_EMAIL="100 per minute",
    )
    with app.app_context():
        yield app


def test_with_redis_down_submission_limits_still_count_in_memory_and_log_once(redis_down_app, caplog):
    from advocacy.letters.limits import submission_retry_after

    waits = []
    with caplog.at_level(logging.DEBUG, logger="advocacy"):
        for n in range(6):
            with redis_down_app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.7"}):
                waits.append(submission_retry_after("guan-heng", f"{n:064d}"))
    assert waits[:3] == [None, None, None]
    assert all(isinstance(w, int) and w > 0 for w in waits[3:])  # the 4th from this IP is refused
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "198.51.100.7" not in warnings[0].getMessage()
