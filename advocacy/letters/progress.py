"""What has become of each letter, in the words the constituent is told: delivered, on its way, or waiting for
their own step on the office's contact form. One place, so the thanks page, the receipt and the counts agree."""

from __future__ import annotations

from collections import Counter

DELIVERED = "delivered"
ON_ITS_WAY = "on_its_way"
NEEDS_STEP = "needs_step"
NOT_DELIVERED = "not_delivered"

LABELS = {
    DELIVERED: "Delivered",
    ON_ITS_WAY: "On its way",
    NEEDS_STEP: "Needs your step",
    NOT_DELIVERED: "Not delivered",
}


def letter_progress(delivery) -> str:
    """The state of one letter from its delivery (None: there is no delivery, so nothing will send it)."""
    status = getattr(delivery, "status", None)
    if status in ("sent", "handoff_sent"):
        return DELIVERED
    if status in ("pending", "sending", "failed"):
        return ON_ITS_WAY
    if status == "handoff":
        return NEEDS_STEP
    return NOT_DELIVERED


def progress_counts(deliveries) -> Counter:
    """How many letters are in each state."""
    return Counter(letter_progress(d) for d in deliveries)


def progress_heading(counts: Counter) -> str:
    """One honest line for a set of letters, e.g. "1 letter delivered, 2 need your step on the office's form"."""
    parts = []
    for state, one, many in (
        (DELIVERED, "letter delivered", "letters delivered"),
        (ON_ITS_WAY, "letter on its way", "letters on their way"),
        (NEEDS_STEP, "letter needs your step on the office's form", "letters need your step on the office's form"),
        (NOT_DELIVERED, "letter could not be delivered", "letters could not be delivered"),
    ):
        n = counts.get(state, 0)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts)
