"""Organizers add, edit and retire the campaign's public timeline events (#22's `Campaign.timeline`), each
change kept in `timeline_revisions` with the event before and after, who and when.

A retired event stays in the list with `retired: true`, so its history reads whole; the public never sees it.
Events loaded from a campaign file get an id the first time an organizer changes the timeline."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from advocacy.campaigns.models import MAX_NAME, MAX_SOURCE, MAX_TIMELINE, MAX_TIMELINE_EVENT, TIMELINE_KINDS
from advocacy.campaigns.validation import check_source_url, check_timeline_date
from advocacy.casework.facts import CaseworkError
from advocacy.casework.models import TimelineRevision
from advocacy.extensions import db
from advocacy.places import STATE_FIPS

CUSTODY = ("detained", "released", "removed")


@dataclass(frozen=True)
class EventInput:
    date: str
    event: str
    source: str
    source_url: str = ""
    kind: str = ""
    custody: str = ""
    facility: str = ""
    city: str = ""
    state: str = ""


def clean_event(data: EventInput) -> dict:
    if problem := check_timeline_date(data.date.strip()):
        raise CaseworkError("date", f"The date {problem}.")
    event, source = " ".join(data.event.split()), " ".join(data.source.split())
    if not event or len(event) > MAX_TIMELINE_EVENT:
        raise CaseworkError("event", f"Say what happened, in at most {MAX_TIMELINE_EVENT} characters.")
    if not source or len(source) > MAX_SOURCE:
        raise CaseworkError("source", "Name the public source (every event needs one).")
    if data.source_url and (problem := check_source_url(data.source_url.strip())):
        raise CaseworkError("source_url", f"The source address {problem}.")
    if data.kind and data.kind not in TIMELINE_KINDS:
        raise CaseworkError("kind", "Choose a kind of event from the list.")
    if data.custody and data.custody not in CUSTODY:
        raise CaseworkError("custody", "Choose detained, released or removed.")
    state = data.state.strip().upper()
    if state and state not in STATE_FIPS:
        raise CaseworkError("state", "Give a two-letter state code, e.g. NY.")
    if len(data.facility) > MAX_NAME or len(data.city) > 100:
        raise CaseworkError("facility", "The facility or city is too long.")
    cleaned = {"date": data.date.strip(), "event": event, "source": source, "source_url": data.source_url.strip()}
    for key, value in (("kind", data.kind), ("custody", data.custody), ("facility", data.facility.strip()),
                       ("city", data.city.strip()), ("state", state)):  # fmt: skip
        if value:
            cleaned[key] = value
    return cleaned


def _stable_id(event: dict) -> str:
    """An event from a campaign file has no id until it is first changed here: derive one from its content,
    so the organizer page and the next request agree on it."""
    text = "\x1f".join(str(event.get(k, "")) for k in ("date", "event", "source"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _with_ids(campaign) -> list[dict]:
    return [dict(event, id=event.get("id") or _stable_id(event)) for event in campaign.timeline or []]


def _sorted(events: list[dict]) -> list[dict]:
    return sorted(events, key=lambda e: e["date"])  # stable: same-date events keep their order


def _save(campaign, events: list[dict], event_id: str, change: str, before, after, user_id) -> None:
    campaign.timeline = _sorted(events)
    db.session.add(
        TimelineRevision(
            campaign_id=campaign.id, event_id=event_id, change=change, before=before, after=after, changed_by_id=user_id
        )
    )
    db.session.commit()


def add_event(campaign, data: EventInput, user_id: int | None) -> dict:
    events = _with_ids(campaign)
    if len(events) >= MAX_TIMELINE:
        raise CaseworkError("event", f"A timeline holds at most {MAX_TIMELINE} events.")
    event = dict(clean_event(data), id=secrets.token_hex(6))
    _save(campaign, [*events, event], event["id"], "added", None, event, user_id)
    return event


def _find(events: list[dict], event_id: str) -> int:
    for i, event in enumerate(events):
        if event["id"] == event_id:
            return i
    raise CaseworkError("event", "No such event in this timeline.")


def edit_event(campaign, event_id: str, data: EventInput, user_id: int | None) -> dict:
    events = _with_ids(campaign)
    i = _find(events, event_id)
    before = events[i]
    after = dict(clean_event(data), id=event_id)
    if before.get("retired"):
        after["retired"] = True
    events[i] = after
    _save(campaign, events, event_id, "edited", before, after, user_id)
    return after


def retire_event(campaign, event_id: str, user_id: int | None) -> None:
    events = _with_ids(campaign)
    i = _find(events, event_id)
    before = events[i]
    events[i] = dict(before, retired=True)
    _save(campaign, events, event_id, "retired", before, events[i], user_id)


def events_with_ids(campaign) -> list[dict]:
    """The timeline for the organizer page (ids derived for file events are saved with the next change)."""
    return _with_ids(campaign)


def history(campaign_id: int) -> list[TimelineRevision]:
    return list(
        db.session.scalars(
            select(TimelineRevision)
            .where(TimelineRevision.campaign_id == campaign_id)
            .order_by(TimelineRevision.id.desc())
        )
    )
