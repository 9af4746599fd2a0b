"""What an office has said about a campaign, in the words the statements pages and campaign files share: its
stance, the kind of statement, and how long a quote may be (the statements record them; a campaign file may
carry some)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext

from advocacy.labels import LABELS, LabeledCode

MAX_QUOTE = 5000


@dataclass(frozen=True)
class StatementInput:
    """A public statement by an office, as typed on the statements pages or read from a campaign file; the
    statements check and record it."""

    bioguide_id: str
    date: dt.date
    kind: str
    stance: str
    source_url: str
    quote_or_summary: str = ""


class Stance(LabeledCode):
    __labels__ = "stance"

    SUPPORTS = "supports"
    NEUTRAL = "neutral"
    OPPOSES = "opposes"


class Kind(LabeledCode):
    __labels__ = "statement_kind"

    PRESS_RELEASE = "press_release"
    SOCIAL_POST = "social_post"
    LETTER_TO_DHS_ICE = "letter_to_dhs_ice"
    FLOOR_REMARKS = "floor_remarks"
    COSIGNED_LETTER = "cosigned_letter"
    RESOLUTION_COSPONSOR = "resolution_cosponsor"
    OTHER = "other"


KIND_LABELS = LABELS["statement_kind"]  # the words for each kind live with the other labels
# The same kinds in the reader's language, for constituents' emails and the public scoreboard (issue 21); the
# labels above stay English for staff pages and exports.
KIND_WORDS = {
    "press_release": lazy_gettext("press release"),
    "social_post": lazy_gettext("social media post"),
    "letter_to_dhs_ice": lazy_gettext("letter to DHS / ICE"),
    "floor_remarks": lazy_gettext("floor remarks"),
    "cosigned_letter": lazy_gettext("co-signed letter"),
    "resolution_cosponsor": lazy_gettext("resolution cosponsor"),
    "other": lazy_gettext("statement"),
}
