"""Outages seen from outside: with PostgreSQL unreachable the API answers 503 with Retry-After and its JSON
error, pages a friendly 503, never a 500 or a stack trace; with Redis unreachable, rate limits keep
counting in this process and the failure is logged once."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import make_app
from tests.fakes.redis_server import RedisServer, SilentServer
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
        ("get", "/api/v1/campaigns/sample-campaign", None),
        ("post", "/api/v1/campaigns/sample-campaign/actions", GOOD),
    ],
)
def test_the_api_answers_503_with_retry_after_while_the_database_is_down(down_client, method, path, body):
    response = getattr(down_client, method)(path, json=body)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["error"]["code"] == "unavailable"
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_campaign_page_is_a_friendly_503_while_the_database_is_down(down_client):
    response = down_client.get("/c/sample-campaign")
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert "briefly unavailable" in page and "Traceback" not in page and "psycopg" not in page


def test_a_database_outage_is_logged_without_the_request_s_details(down_client, caplog):
    with caplog.at_level(logging.WARNING):
        down_client.post("/api/v1/campaigns/sample-campaign/actions", json=GOOD)
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
                waits.append(submission_retry_after("sample-campaign", f"{n:064d}"))
    assert waits[:3] == [None, None, None]
    assert all(isinstance(w, int) and w > 0 for w in waits[3:])  # the 4th from this IP is refused
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "198.51.100.7" not in warnings[0].getMessage()


def submission_waits(app, numbers) -> list[int | None]:
    from advocacy.letters.limits import submission_retry_after

    waits = []
    for n in numbers:
        with app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.7"}):
            waits.append(submission_retry_after("sample-campaign", f"{n:032d}" * 2))  # an email key per n
    return waits


def limited_app(database_url, redis_url: str, per_ip: str):
    return make_app(
        database_url,
        ENVIRON={"ADVOCACY_REDIS_URL": redis_url},
        RATELIMIT_STORAGE_URI=redis_url,
        ACTION_RATE_LIMIT_IP=per_ip,
        ACTION_RATE_LIMIT_EMAIL="100 per minute",
    )


def test_when_redis_goes_away_limits_count_in_memory_and_redis_is_asked_again_only_after_a_pause(database_url, caplog):
    from redis import Redis

    from advocacy.ratelimit import RETRY_STORAGE_AFTER

    with RedisServer() as server:
        app = limited_app(database_url, server.url, "4 per minute")
        with app.app_context():
            now = [1000.0]
            app.extensions["ratelimit"].clock = lambda: now[0]  # the breaker's clock
            assert submission_waits(app, range(2)) == [None, None]
            counts = {
                k: int(v)
                for k, v in ((k, Redis.from_url(server.url).get(k)) for k in Redis.from_url(server.url).keys())
            }
            assert sorted(counts.values()) == [1, 1, 2]  # the IP twice, each email once: counted in Redis
            assert all(key.startswith(b"advocacy:limits:LIMITER/action-") for key in counts)

            server.stop()
            with caplog.at_level(logging.DEBUG, logger="advocacy.ratelimit"):
                waits = submission_waits(app, range(2, 8))
            assert waits[:4] == [None] * 4  # this process's memory counts from its own zero...
            assert all(isinstance(w, int) and 0 < w <= 60 for w in waits[4:])  # ...and still refuses the 5th
            tried = [r for r in caplog.records if "unavailable" in r.getMessage()]
            assert len(tried) == 1 and tried[0].levelno == logging.WARNING  # asked once; the breaker did the rest
            assert "198.51.100.7" not in tried[0].getMessage()

            server.start()  # back, and empty (it keeps nothing on disk)
            caplog.clear()
            now[0] += RETRY_STORAGE_AFTER - 1
            with caplog.at_level(logging.DEBUG, logger="advocacy.ratelimit"):
                submission_waits(app, [8])
                assert Redis.from_url(server.url).keys() == []  # the pause is not over: still in memory
                now[0] += 2
                assert submission_waits(app, [9]) == [None]
            assert len(Redis.from_url(server.url).keys()) == 2  # counted in Redis again
            assert [r.getMessage() for r in caplog.records] == ["rate limit storage is back; limits are shared again"]


def test_with_redis_hanging_only_one_request_waits_for_it_and_every_limit_counts_in_memory(database_url):
    from advocacy.extensions import limiter

    with SilentServer() as server:
        app = limited_app(database_url, server.url, "3 per minute")
        with app.app_context():
            waits = submission_waits(app, range(5))
            with app.test_request_context():
                logins = [limiter.retry_after("login-ip", "203.0.113.9", "2 per minute") for _ in range(3)]
        assert waits[:3] == [None] * 3 and all(isinstance(w, int) and w > 0 for w in waits[3:])
        assert logins[:2] == [None, None] and logins[2] > 0  # logins share the limiter's memory and breaker
        # One connection, by the first submission, which waited for its read timeout; nothing asked it since.
        assert server.connections == 1


# --- the campaign page from its cache --------------------------------------------------------------------------


class TestCampaignPageFromItsCache:
    @pytest.fixture
    def app_config(self):
        # The snapshot expires at once (so the next view asks the database); the counts are kept.
        return {"CAMPAIGN_CACHE_SECONDS": 0.000001, "CAMPAIGN_COUNTS_TTL": 3600}

    def test_a_cached_campaign_page_is_served_while_the_database_refuses_connections(
        self, app, db, client, live_campaign, database_url
    ):
        if not database_url.startswith("postgresql"):
            pytest.skip("PostgreSQL only: a database server that can refuse connections")
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        assert client.get("/c/sample-campaign").status_code == 200  # cached in this process
        name = make_url(database_url).database
        admin = create_engine(make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        db.session.remove()
        db.engine.dispose()
        try:
            with admin.connect() as conn:  # the outage: no connection to this database is possible
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
                )
            page = client.get("/c/sample-campaign")
            api = client.get("/api/v1/campaigns/sample-campaign/scoreboard")
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            admin.dispose()
            db.engine.dispose()
        assert page.status_code == 200, page.status_code
        assert "Sample Q. Person" in page.get_data(as_text=True)
        assert api.status_code == 503  # what is not cached says so, with Retry-After
