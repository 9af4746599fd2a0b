"""Caches bounded in size with expiring entries, and the campaign page rate-limited (issue 14, item 9).

The campaign snapshot cache was keyed by the URL slug and never emptied: every made-up slug grew every worker's
memory for good. Now slugs that name no campaign go to a bounded cache of their own (they cannot push real
campaigns out), every cache made by `advocacy.caching` is bounded and expiring, and GET /c/<slug> has a limit.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import threading

import pytest

import advocacy
from advocacy import caching, folding
from advocacy.campaigns import snapshots
from tests.dbs import recorded_statements
from tests.factories import make_campaign


@pytest.fixture
def app_config():
    return {"CAMPAIGN_CACHE_SECONDS": 60, "CAMPAIGN_PAGE_RATE_LIMIT": "5 per minute"}


def test_made_up_slugs_neither_grow_memory_nor_push_real_campaigns_out(app, db):
    make_campaign(slug="guan-heng")
    assert snapshots.campaign_snapshot("guan-heng") is not None
    for n in range(snapshots.MAX_MISSES + 500):
        assert snapshots.campaign_snapshot(f"made-up-{n}") is None
    assert len(snapshots._misses) == snapshots.MAX_MISSES
    assert len(snapshots._cache) == 1
    with recorded_statements(db.engine) as statements:
        assert snapshots.campaign_snapshot("guan-heng").slug == "guan-heng"  # still cached: no query
        assert snapshots.campaign_snapshot(f"made-up-{snapshots.MAX_MISSES + 499}") is None
    assert statements == []


def test_every_registered_cache_is_bounded_and_expiring(app):
    caches = caching.registered()
    assert {"campaign snapshots", "campaign slugs not found", "campaign stances"} <= set(caches)
    assert {"campaign counts", "scoreboards", "scoreboard stamps", "compiled letter templates"} <= set(caches)
    assert {"congress data", "geocoder answers", "cwc offices lists", "senate classes"} <= set(caches)
    for cache in caches.values():
        assert 0 < cache.maxsize <= 10_000 and 0 < cache.ttl <= 86_400, cache.name


def test_no_function_cache_grows_with_what_strangers_send():
    """functools caches are caches too: one on a function that takes an argument must be bounded. The scoreboard's
    search folded each character a stranger typed through an unbounded cache (over a million code points)."""
    seen, unbounded = [], []
    for found in pkgutil.walk_packages(advocacy.__path__, "advocacy."):
        module = importlib.import_module(found.name)
        for name, value in vars(module).items():
            # Asked of the type: a module's proxies (flask.request) answer attribute lookups from a request.
            if not hasattr(type(value), "cache_info") or getattr(value, "__module__", None) != module.__name__:
                continue
            seen.append(f"{module.__name__}.{name}")
            if value.cache_parameters()["maxsize"] is None and inspect.signature(value.__wrapped__).parameters:
                unbounded.append(f"{module.__name__}.{name}")
    assert {"advocacy.folding._fold_char", "advocacy.campaigns.placeholders._office_fields"} <= set(seen)
    assert unbounded == []


def test_searching_the_scoreboard_for_every_character_keeps_the_fold_cache_bounded(client, db):
    make_campaign(slug="guan-heng")
    typed = 0
    for start in range(0x4E00, 0x4E00 + folding.FOLD_CACHE_SIZE + 2_000, 100):  # Han: each also simplified
        query = "".join(map(chr, range(start, start + 100)))
        assert client.get("/c/guan-heng/scoreboard", query_string={"q": query}).status_code == 200
        typed += len(query)
    assert typed > folding.FOLD_CACHE_SIZE
    assert folding._fold_char.cache_info().currsize <= folding.FOLD_CACHE_SIZE
    assert folding._simplified.cache_info().currsize <= folding.FOLD_CACHE_SIZE
    assert folding.fold_text("關恆 Hernández") == "关恒 hernandez"  # folding itself unchanged


def test_entries_expire_and_the_oldest_go_first_when_full():
    now = [0.0]
    cache = caching.bounded_cache("test cache", maxsize=2, ttl=10, timer=lambda: now[0])
    cache["a"], cache["b"] = 1, 2
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache["c"] = 3
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3
    now[0] = 10.5
    assert cache.get("a") is None and len(cache) == 0
    caching.clear_all()
    assert len(cache) == 0


def test_a_stale_entry_is_loaded_again_by_one_caller_while_the_others_get_the_stale_value():
    now = [0.0]
    with caching.use_clock(lambda: now[0]):
        cache = caching.bounded_cache("test refreshed", maxsize=4, ttl=100)
        assert caching.refreshed(cache, "k", lambda: "first", fresh_for=10) == "first"
        now[0] = 11
        loading, finish, loads, answers = threading.Event(), threading.Event(), [], []

        def slow_load() -> str:
            loads.append(1)
            loading.set()
            assert finish.wait(10)
            return "second"

        refresher = threading.Thread(
            target=lambda: answers.append(caching.refreshed(cache, "k", slow_load, fresh_for=10))
        )
        refresher.start()
        assert loading.wait(10)
        # While one caller loads, every other is answered with the value being replaced, and loads nothing.
        assert [caching.refreshed(cache, "k", slow_load, fresh_for=10) for _ in range(3)] == ["first"] * 3
        finish.set()
        refresher.join(10)
        assert answers == ["second"] and loads == [1]
        assert caching.refreshed(cache, "k", slow_load, fresh_for=10) == "second"


def test_the_last_value_is_served_while_loading_fails_and_only_then():
    now = [0.0]
    with caching.use_clock(lambda: now[0]):
        cache = caching.bounded_cache("test read through", maxsize=4, ttl=100)

        def fail():
            raise ConnectionError("database away")

        with pytest.raises(ConnectionError):  # nothing held: the error is the answer
            caching.read_through(cache, "k", fail, fresh_for=5, keep_serving=(ConnectionError,))
        assert caching.read_through(cache, "k", lambda: "kept", fresh_for=5) == "kept"
        now[0] = 6
        assert caching.read_through(cache, "k", fail, fresh_for=5, keep_serving=(ConnectionError,)) == "kept"
        assert caching.read_through(cache, "k", lambda: "new", fresh_for=5) == "new"
        now[0] = 200  # past the cache's ttl: nothing is held any more
        with pytest.raises(ConnectionError):
            caching.read_through(cache, "k", fail, fresh_for=5, keep_serving=(ConnectionError,))


def test_the_campaign_page_is_rate_limited_per_address(app, client, db):
    make_campaign(slug="guan-heng")
    statuses = [client.get(f"/c/made-up-{n}").status_code for n in range(7)]
    assert statuses[:5] == [404] * 5 and statuses[5:] == [429, 429]
    assert int(client.get("/c/guan-heng").headers["Retry-After"]) >= 1
