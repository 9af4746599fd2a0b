"""After a submission commits: get its deliveries moving without ever failing the submission."""

from __future__ import annotations

import logging

from advocacy.delivery import engine, queue
from advocacy.delivery.options import inline_enabled, settings
from advocacy.extensions import db

log = logging.getLogger(__name__)


def dispatch_after_commit(delivery_ids: list[str]) -> None:
    """Call after the transaction holding these deliveries has committed.

    - ADVOCACY_REDIS_URL set: enqueue one RQ job per delivery. If Redis is down, log it and leave
      them pending: `deliveries retry` (cron) enqueues them later, or delivers them itself while
      Redis stays down.
    - DELIVERY_INLINE (default: development without Redis): send them now, in this process.
    - otherwise: nothing; the polling worker (`deliveries work`) claims them.
    Handoff deliveries may be passed too; they are simply never claimed. Never raises.
    """
    ids = [i for i in delivery_ids if i]
    if not ids:
        return
    if settings().redis_url:
        try:
            queue.enqueue_new(ids)
        except queue.QueueUnavailable as exc:
            log.warning("delivery queue unavailable (%s); %d deliveries stay pending for retry", exc, len(ids))
        except Exception:  # noqa: BLE001 - the submission has committed; nothing here may undo it
            log.exception("could not enqueue %d deliveries; they stay pending", len(ids))
        return
    if inline_enabled():
        for delivery_id in ids:
            try:
                engine.deliver_now(delivery_id)
            except Exception:  # noqa: BLE001 - stays due; a worker or the next retry sends it
                log.exception("inline delivery %s failed; it stays due", delivery_id)
                engine._rollback()
        db.session.expire_all()
