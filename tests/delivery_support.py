"""Drive the delivery engine one batch at a time, as a worker's loop does (advocacy/delivery/worker.py)."""

from __future__ import annotations

from datetime import datetime

from advocacy.delivery import engine
from advocacy.delivery.options import option


def run_batch(worker: str, limit: int | None = None, now: datetime | None = None) -> list[engine.Result]:
    """Claim what is due (as of `now`) and process each claim in turn; the results in claim order."""
    claims = engine.claim_due(worker, limit or int(option("DELIVERY_BATCH_SIZE")), now)
    return [engine.process(claim) for claim in claims]


# The organizer's outcome form as the outcome-email tests post it: released, with a message to writers.
OUTCOME_FORM = {
    "outcome": "released",
    "outcome_date": "2026-02-03",
    "outcome_message": "He was released on 3 February. Thank you for writing.",
    "thanks_open": "y",
}


def site_mail_config(smtp_server) -> dict:
    """App settings for tests whose emails carry links: the SMTP sink and a public site URL."""
    return {"ENVIRON": {**smtp_server.environ(), "ADVOCACY_SITE_URL": "https://act.example.org"}}
