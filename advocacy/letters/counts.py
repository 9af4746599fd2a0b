"""The letters' part of a campaign's public counts (campaigns.services.campaign_counts): the campaign's own
letters and its thank-you letters, one per office per constituent."""

from __future__ import annotations

from sqlalchemy import func, select

from advocacy.campaigns.services import counts_part
from advocacy.extensions import db
from advocacy.letters.models import Letter


@counts_part
def letter_counts(campaign_id: int) -> dict[str, int]:
    by_purpose = dict(
        db.session.execute(
            select(Letter.purpose, func.count()).where(Letter.campaign_id == campaign_id).group_by(Letter.purpose)
        ).all()
    )
    return {"letters_sent": by_purpose.get("campaign", 0), "thanks_sent": by_purpose.get("thanks", 0)}
