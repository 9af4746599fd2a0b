"""Unsubscribing from the mail the outbox sends to supporters (updates, follow-ups, outcome emails).

A suppression is kept forever and keyed by the email key (a keyed hash, never the address): campaign_id is the
campaign the person stopped, or ALL_CAMPAIGNS (0) for everything. Every renderer of mail to supporters asks
`is_suppressed` when the row is sent (and raises kinds.Skip), and adds `unsubscribe_headers` to the message:
`List-Unsubscribe` (an https URL, plus a mailto when ADVOCACY_MAIL_UNSUBSCRIBE / config MAIL_UNSUBSCRIBE is set)
and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).

The unsubscribe token is HMAC-signed (itsdangerous, the app's secret key, its own salt) and carries the email
key and the campaign id, never the address; it does not expire, because the right to stop never does.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import String, UniqueConstraint, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.db import utcnow
from advocacy.extensions import db

ALL_CAMPAIGNS = 0
_SALT = "unsubscribe"


class Suppression(db.Model):
    """One person (by email key) who asked to hear nothing more from one campaign, or from any (campaign 0)."""

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_key: Mapped[str] = mapped_column(String(64))
    # The campaign stopped, or ALL_CAMPAIGNS. No foreign key: a suppression outlives the campaign.
    campaign_id: Mapped[int] = mapped_column(default=ALL_CAMPAIGNS)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("email_key", "campaign_id"),)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def make_token(email_key: str, campaign_id: int) -> str:
    return _serializer().dumps([email_key, int(campaign_id)])


def read_token(token: str) -> tuple[str, int] | None:
    """(email key, campaign id) from a token we signed, or None for anything else."""
    if not token or len(token) > 300:
        return None
    try:
        value = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], str)
        or not isinstance(value[1], int)
        or not 0 < len(value[0]) <= 64
    ):
        return None
    return value[0], value[1]


def is_suppressed(email_key: str | None, campaign_id: int) -> bool:
    """True when this person stopped this campaign or all. No key (purged): nothing can be sent, so True."""
    if not email_key:
        return True
    found = db.session.scalar(
        select(Suppression.id)
        .where(Suppression.email_key == email_key, Suppression.campaign_id.in_((ALL_CAMPAIGNS, campaign_id)))
        .limit(1)
    )
    return found is not None


def suppress(email_key: str, campaign_id: int) -> bool:
    """Record the suppression (no commit); True if it is new. Idempotent under races (a unique constraint)."""
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(Suppression)
    statement = (
        insert.values(email_key=email_key, campaign_id=int(campaign_id), created_at=utcnow())
        .on_conflict_do_nothing()
        .returning(literal_column("id"))
    )
    return db.session.execute(statement).first() is not None


def unsubscribe_url(email_key: str, campaign_id: int) -> str:
    """The absolute https URL of the unsubscribe page (GET) and one-click endpoint (POST)."""
    settings = current_app.config["ADVOCACY_SETTINGS"]
    base = (settings.site_url or "").rstrip("/")
    return f"{base}/unsubscribe/{make_token(email_key, campaign_id)}"


def unsubscribe_headers(email_key: str, campaign_id: int) -> dict[str, str]:
    """The RFC 2369 / RFC 8058 headers for a message to this person about this campaign."""
    targets = [f"<{unsubscribe_url(email_key, campaign_id)}>"]
    mailto = current_app.config.get("MAIL_UNSUBSCRIBE") or ""
    if mailto:
        targets.append(f"<mailto:{mailto}?subject=unsubscribe>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
