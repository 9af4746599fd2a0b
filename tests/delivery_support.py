"""Drive the delivery engine one batch at a time, as a worker's loop does (advocacy/delivery/worker.py)."""

from __future__ import annotations

from datetime import datetime

from advocacy.delivery import engine
from advocacy.delivery.options import option


def run_batch(worker: str, limit: int | None = None, now: datetime | None = None) -> list[engine.Result]:
    """Claim what is due (as of `now`) and process each claim in turn; the results in claim order."""
    claims = engine.claim_due(worker, limit or int(option("DELIVERY_BATCH_SIZE")), now)
    return [engine.process(claim) for claim in claims]
