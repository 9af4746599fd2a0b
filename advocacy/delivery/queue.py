"""The Redis (RQ) side: a low-latency nudge to workers. The database stays the source of truth.

A job carries only a delivery id; it claims the row like any worker, so a duplicate or stale job
does nothing. If Redis loses a job, `deliveries retry` finds the delivery still due and enqueues it.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from flask import Flask, current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import DuplicateJobError

from advocacy.delivery.options import option, settings

log = logging.getLogger(__name__)

# After Redis fails, submissions skip it for this long instead of each waiting on a timeout.
REDIS_DOWN_PAUSE = 15.0
_down_until = 0.0
_lock = threading.Lock()


class QueueUnavailable(Exception):
    """Redis did not take the jobs; the deliveries stay due in the database."""


def redis_connection() -> Redis:
    """One client per app (created lazily: no I/O here), with short timeouts."""
    ext = current_app.extensions
    conn = ext.get("delivery_redis")
    if conn is None:
        conn = Redis.from_url(
            settings().redis_url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30
        )
        ext["delivery_redis"] = conn
    return conn


def delivery_queue(connection: Redis | None = None) -> Queue:
    return Queue(option("DELIVERY_QUEUE"), connection=connection or redis_connection())


def job_id(delivery_id: str, attempts: int) -> str:
    return f"delivery-{delivery_id}-{attempts}"


def _job_options() -> dict:
    return {
        "timeout": int(option("DELIVERY_SENDING_TIMEOUT")),
        "result_ttl": 0,
        "failure_ttl": 7 * 24 * 3600,
    }


def _check_breaker() -> None:
    if time.monotonic() < _down_until:
        raise QueueUnavailable("Redis was unreachable moments ago")


def _trip_breaker() -> None:
    global _down_until
    with _lock:
        _down_until = time.monotonic() + REDIS_DOWN_PAUSE


def reset_breaker() -> None:
    global _down_until
    with _lock:
        _down_until = 0.0


def enqueue_new(delivery_ids: list[str]) -> None:
    """Enqueue fresh deliveries in one round trip; raises QueueUnavailable."""
    _check_breaker()
    queue = delivery_queue()
    jobs = [
        Queue.prepare_data(deliver_job, (delivery_id,), job_id=job_id(delivery_id, 0), **_job_options())
        for delivery_id in delivery_ids
    ]
    try:
        queue.enqueue_many(jobs)
    except (RedisError, OSError) as exc:
        _trip_breaker()
        raise QueueUnavailable(type(exc).__name__) from None


def enqueue_due(due: list[tuple[str, int]]) -> int:
    """Enqueue deliveries that are due, skipping any whose job is already waiting; returns how many."""
    _check_breaker()
    queue = delivery_queue()
    added = 0
    try:
        for delivery_id, attempts in due:
            try:
                queue.enqueue_call(
                    deliver_job,
                    args=(delivery_id,),
                    job_id=job_id(delivery_id, attempts),
                    unique=True,
                    **_job_options(),
                )
                added += 1
            except DuplicateJobError:
                continue
    except (RedisError, OSError) as exc:
        _trip_breaker()
        raise QueueUnavailable(type(exc).__name__) from None
    return added


def schedule_retry(delivery_id: str, attempts: int, when: datetime) -> None:
    """Best effort: ask the RQ scheduler to run the retry at `when` (cron `retry` is the safety net)."""
    try:
        opts = _job_options()
        opts["job_timeout"] = opts.pop("timeout")  # enqueue_at passes a plain `timeout` on to the function
        delivery_queue().enqueue_at(when, deliver_job, delivery_id, job_id=job_id(delivery_id, attempts), **opts)
    except (RedisError, OSError) as exc:
        log.warning(
            "delivery %s: retry not scheduled in Redis (%s); `deliveries retry` will pick it up",
            delivery_id,
            type(exc).__name__,
        )


_standalone_app: Flask | None = None


def deliver_job(delivery_id: str) -> str | None:
    """The RQ job. Runs inside `flask deliveries work`'s app context, or builds an app if started by plain `rq`."""
    if has_app_context():
        return _deliver(delivery_id)
    global _standalone_app
    if _standalone_app is None:
        from advocacy import create_app

        _standalone_app = create_app()
    with _standalone_app.app_context():
        return _deliver(delivery_id)


def _deliver(delivery_id: str) -> str | None:
    from advocacy.delivery import engine
    from advocacy.delivery.models import Delivery
    from advocacy.extensions import db

    try:
        result = engine.deliver_now(delivery_id)
    except Exception:
        engine._rollback()  # the job fails visibly in RQ; the delivery stays due for `retry`
        raise
    if result is not None and result.outcome == "failed" and result.next_attempt_at is not None:
        attempts = db.session.get(Delivery, delivery_id).attempts
        schedule_retry(delivery_id, attempts, result.next_attempt_at)
    return result.outcome if result else None
