"""The rate limiter (advocacy/ratelimit.py): decorated views, its storages, and the requests it leaves alone."""

from __future__ import annotations

import logging

import pytest
import redis

from advocacy.auth.access import public
from advocacy.extensions import limiter
from tests.conftest import make_app
from tests.dbs import empty_redis_database

WRONG = "wrong password!"


def login(client, email: str):
    return client.post("/login", data={"email": email, "password": WRONG})


@pytest.fixture
def api_client(app):
    """A client of the app with a limited view under /api/ (JSON errors), added before its first request."""

    @limiter.limit("2 per minute", scope="test-api")
    def limited():
        return {"ok": True}

    app.add_url_rule("/api/v1/test-limited", "test_limited", public(limited))
    return app.test_client()


def test_over_the_limit_answers_json_429_with_retry_after_under_api(api_client):
    assert [api_client.get("/api/v1/test-limited").status_code for _ in range(2)] == [200, 200]
    response = api_client.get("/api/v1/test-limited")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.json["error"]["code"] == "rate_limited"


@pytest.mark.parametrize("app_config", [{"LOOKUP_PAGE_RATE_LIMIT": "2 per minute"}])
def test_over_the_limit_answers_the_html_page_with_retry_after(client):
    assert [client.get("/lookup").status_code for _ in range(2)] == [200, 200]
    response = client.get("/lookup")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.mimetype == "text/html"
    assert "Slow down a little" in response.get_data(as_text=True)


def test_only_the_listed_methods_count(client):
    # /login counts POSTs only (20 a minute per IP): GETs pass and leave the count alone
    assert {client.get("/login").status_code for _ in range(25)} == {200}
    assert login(client, "someone@example.org").status_code == 401


def test_stacked_limits_both_count(client):
    # per account (5 a minute) ...
    codes = [login(client, "ana@example.org").status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    # ... and per IP (20 a minute), which counted those six too
    assert [login(client, f"user{i}@example.org").status_code for i in range(14)] == [401] * 14
    assert login(client, "last@example.org").status_code == 429


def test_retry_after_waits_for_the_first_window_exceeded(app):
    assert [limiter.retry_after("test", "key", "5 per minute;2 per hour") for _ in range(2)] == [None, None]
    assert 60 < limiter.retry_after("test", "key", "5 per minute;2 per hour") <= 3600
    assert limiter.retry_after("test", "other key", "5 per minute;2 per hour") is None
    assert limiter.retry_after("other scope", "key", "5 per minute;2 per hour") is None


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": False, "LOOKUP_PAGE_RATE_LIMIT": "1 per minute"}])
def test_disabled(app, client):
    assert {client.get("/lookup").status_code for _ in range(3)} == {200}
    assert {limiter.retry_after("test", "key", "1 per minute") for _ in range(3)} == {None}


def test_a_request_without_a_limit_touches_no_storage(database_url):
    app = make_app(database_url)
    client = app.test_client()
    counters = app.extensions["ratelimit"]
    assert client.get("/healthz").status_code == 200
    assert counters.storage is None and counters.fallback is None
    assert client.get("/lookup").status_code == 200
    assert counters.storage is not None


@pytest.fixture
def redis_url():
    return empty_redis_database(13)  # test_actions_api empties 14


def test_counts_in_redis_are_shared_by_every_worker(database_url, redis_url):
    config = {"RATELIMIT_STORAGE_URI": redis_url, "LOOKUP_PAGE_RATE_LIMIT": "2 per minute"}
    one, two = make_app(database_url, **config), make_app(database_url, **config)
    assert [one.test_client().get("/lookup").status_code for _ in range(2)] == [200, 200]
    response = two.test_client().get("/lookup")  # another worker: the same count
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    keys = redis.Redis.from_url(redis_url).keys("*")
    assert keys and all(key.startswith(b"advocacy:limits:") for key in keys)
    with one.app_context():
        limiter.reset()
    assert redis.Redis.from_url(redis_url).keys("*") == []
    assert two.test_client().get("/lookup").status_code == 200


def test_with_redis_down_requests_are_counted_in_memory(database_url, caplog):
    app = make_app(database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", LOOKUP_PAGE_RATE_LIMIT="2 per minute")
    client = app.test_client()
    caplog.set_level(logging.WARNING, logger="advocacy.ratelimit")
    assert [client.get("/lookup").status_code for _ in range(2)] == [200, 200]
    response = client.get("/lookup")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert login(client, "ana@example.org").status_code == 401  # its key holds the account's hash
    warnings = [record.getMessage() for record in caplog.records if record.name == "advocacy.ratelimit"]
    assert len(warnings) == 1 and "rate limit storage unavailable" in warnings[0]  # once, then memory
    assert not any(secret in warnings[0] for secret in ("127.0.0.1", "lookup", "login"))


# --- Leased counting (ZIP lookups) ------------------------------------------------------------------------------


def redis_count(url: str) -> int:
    client = redis.Redis.from_url(url)
    return sum(int(client.get(key)) for key in client.keys("advocacy:limits*"))


def test_leased_counting_refuses_past_the_limit_and_counts_at_most_a_block_ahead(database_url, redis_url):
    app = make_app(database_url, RATELIMIT_STORAGE_URI=redis_url)
    with app.test_request_context():
        limiter.reset()
        waits = [limiter.retry_after("lease-test", "198.51.100.1", "100 per minute", leased=True) for _ in range(130)]
        # The first 100 pass and the rest are refused, as without leases (one process: no early refusals).
        assert waits[:100] == [None] * 100
        assert all(w is not None and 0 < w <= 60 for w in waits[100:])
        # Redis saw blocks, not one call per request: it counted ahead by at most one block (2% of 100).
        counted = redis_count(redis_url)
        assert 100 <= counted <= 130 + 2


def test_leased_counting_is_exact_for_someone_who_asks_now_and_then(database_url, redis_url):
    app = make_app(database_url, RATELIMIT_STORAGE_URI=redis_url)
    with app.test_request_context():
        limiter.reset()
        assert limiter.retry_after("lease-test", "198.51.100.2", "600 per minute", leased=True) is None
        assert redis_count(redis_url) == 1


def test_leased_counts_are_shared_across_processes(database_url, redis_url):
    """Two apps stand for two worker processes: together they never let more than the limit through."""
    apps = [make_app(database_url, RATELIMIT_STORAGE_URI=redis_url) for _ in range(2)]
    with apps[0].test_request_context():
        limiter.reset()
    passed = 0
    for n in range(300):
        with apps[n % 2].test_request_context():
            passed += limiter.retry_after("lease-test", "198.51.100.3", "200 per minute", leased=True) is None
    assert 200 - 2 * 4 <= passed <= 200  # at most one unused block (200/50 = 4) per process is lost
