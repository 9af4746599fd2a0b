"""What has become of each letter, in the words the constituent is told: delivered, on its way, or waiting for
their own step on the office's contact form. One place, so the thanks page, the receipt and the counts agree."""

from __future__ import annotations

from collections import Counter

from flask_babel import gettext, lazy_gettext, ngettext

DELIVERED = "delivered"
ON_ITS_WAY = "on_its_way"
NEEDS_STEP = "needs_step"
NOT_DELIVERED = "not_delivered"

LABELS = {
    DELIVERED: lazy_gettext("Delivered"),
    ON_ITS_WAY: lazy_gettext("On its way"),
    NEEDS_STEP: lazy_gettext("Needs your step"),
    NOT_DELIVERED: lazy_gettext("Not delivered"),
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
    parts = [_HEADINGS[state](counts[state]) for state in _HEADINGS if counts.get(state, 0)]
    return gettext(", ").join(parts)


# Each state's words, in full sentences the catalogs can translate (pybabel reads only literal strings).
_HEADINGS = {
    DELIVERED: lambda n: ngettext("%(num)d letter delivered", "%(num)d letters delivered", n),
    ON_ITS_WAY: lambda n: ngettext("%(num)d letter on its way", "%(num)d letters on their way", n),
    NEEDS_STEP: lambda n: ngettext(
        "%(num)d letter needs your step on the office's form", "%(num)d letters need your step on the office's form", n
    ),
    NOT_DELIVERED: lambda n: ngettext(
        "%(num)d letter could not be delivered", "%(num)d letters could not be delivered", n
    ),
}
