"""What an office has said about a campaign, in the words the statements pages and campaign files share: its
stance, the kind of statement, and how long a quote may be (the statements record them; a campaign file may
carry some)."""

from __future__ import annotations

from advocacy.labels import LABELS, LabeledCode

MAX_QUOTE = 5000


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
