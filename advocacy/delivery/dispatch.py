"""After a submission commits: get its deliveries moving without ever failing the submission."""

from __future__ import annotations

import logging

from advocacy.delivery import engine
from advocacy.delivery.options import inline_enabled
from advocacy.extensions import db

log = logging.getLogger(__name__)


def dispatch_after_commit(delivery_ids: list[str]) -> None:
    """Call after the transaction holding these deliveries has committed.

    The outbox is the queue: workers (`deliveries work`) claim the deliveries, woken at once on PostgreSQL
    by the NOTIFY the submission's own statement sends (letters/store.py), else on their next poll. Only
    with DELIVERY_INLINE (default: development without Redis) are they sent here, now, in this process.
    Handoff deliveries may be passed too; they are simply never claimed. Never raises.
    """
    ids = [i for i in delivery_ids if i]
    if not ids or not inline_enabled():
        return
    for delivery_id in ids:
        try:
            engine.deliver_now(delivery_id)
        except Exception:  # noqa: BLE001 - stays due; a worker or the next retry sends it
            log.exception("inline delivery %s failed; it stays due", delivery_id)
            engine._rollback()
    db.session.expire_all()
