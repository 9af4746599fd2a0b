"""Everything that leaves besides letters: email to constituents (receipts, follow-ups, updates), as outbox rows.

One outbox for everything: a row of `deliveries` with a `kind` other than "letter" is claimed, sent, retried with
backoff, declared dead and counted exactly like a letter (engine.py, the dashboard, /metrics/deliveries). A feature
adds a kind in two steps:

1. a renderer, registered with `@renderer("my-kind")`, that turns the row into an `Email` when it is sent (read
   the recipient from the row's action then, so a purge made in between is respected; raise `Skip` when there is
   nothing to send any more), in a module listed in `advocacy.OUTBOX_MODULES` so that workers load it;
2. `enqueue("my-kind", action_id=..., ref=..., dedupe_key=...)` in the transaction that decides the mail is owed
   (or `row(...)` for a bulk insert); `dedupe_key` makes "at most one of these per person and subject" a unique
   constraint instead of a read beforehand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite

from advocacy.db import utcnow
from advocacy.delivery.models import LETTER, UNDELIVERED, Channel, Delivery, Status, new_id
from advocacy.extensions import db
from advocacy.send_errors import PermanentError


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    reply_to: str | None = None


class Skip(Exception):  # noqa: N818 - a decision, not a failure
    """Nothing to send any more (the constituent's details were purged, consent withdrawn): the row is cancelled."""


Renderer = Callable[[Delivery], Email]
_renderers: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register the function that renders rows of `kind` (not "letter": letters have their channels)."""
    if kind == LETTER:
        raise ValueError("letters are rendered by their channel")

    def register(render: Renderer) -> Renderer:
        _renderers[kind] = render
        return render

    return register


def render(delivery: Delivery) -> Email:
    render_kind = _renderers.get(delivery.kind)
    if render_kind is None:
        raise PermanentError(f"no renderer for outbox kind {delivery.kind!r}")
    return render_kind(delivery)


def kinds() -> tuple[str, ...]:
    return (LETTER, *sorted(_renderers))


def row(
    kind: str,
    *,
    action_id: str | None,
    ref: str | None = None,
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> dict:
    """The column values of an outbox row of `kind`, due now, sent by email to the action's constituent."""
    now = now or utcnow()
    return {
        "id": new_id(),
        "kind": kind,
        "letter_id": None,
        "action_id": action_id,
        "ref": ref,
        "dedupe_key": dedupe_key,
        "channel": Channel.EMAIL.value,
        "status": Status.PENDING.value,
        "cwc_office": None,
        "recipient_email": None,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }


def enqueue(kind: str, *, action_id: str | None, ref: str | None = None, dedupe_key: str | None = None) -> Delivery:
    """Add an outbox row to the session (no commit: it belongs to the caller's transaction)."""
    delivery = Delivery(**row(kind, action_id=action_id, ref=ref, dedupe_key=dedupe_key))
    db.session.add(delivery)
    return delivery


def queue_rows(rows: list[dict]) -> int:
    """Insert outbox rows made by `row(...)` in the caller's transaction, skipping any whose dedupe key is
    already there (the unique constraint decides, not a read beforehand). Returns how many were queued."""
    if not rows:
        return 0
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(Delivery)
    statement = insert.values(rows).on_conflict_do_nothing().returning(literal_column("id"))
    return len(db.session.execute(statement).all())


def waiting(kind: str) -> int:
    """How many outbox rows of this kind are not yet sent (the delivery workers send them)."""
    return db.session.scalar(select(func.count()).where(Delivery.kind == kind, Delivery.status.in_(UNDELIVERED))) or 0
