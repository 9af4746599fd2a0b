"""Checking again a district that came from the ZIP code, before the House letter goes: `verify_pending`.

When no geocoder could place a writer's street address, a single-district ZIP decided the district and the
letter was accepted (`Action.lookup_source == "zip-crosswalk"`), its House delivery held for at most
DISTRICT_CHECK_HOLD_SECONDS (30 minutes). `flask districts verify` (cron, every few minutes) geocodes those
addresses again:
- the address is in the district the ZIP said: the district is confirmed and the held letter released;
- it is in another district of the same state: the House letter is re-addressed (re-rendered for the right
  representative, its delivery re-routed) before anything went to the wrong office;
- the geocoder is still down: nothing changes; after the hold the letter goes as addressed, and the writer
  was told on the thanks page that the district came from the ZIP;
- the geocoder knows no such address, or places it in another state: the letter is released as addressed
  (nothing better is known) and counted, so staff can see it.
Letters already delivered (or handed to the writer and sent) are never touched.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from advocacy.campaigns.models import Campaign
from advocacy.campaigns.services import Target
from advocacy.congress.lookup import LookupFailed, lookup_representatives, street_line
from advocacy.congress.models import Member
from advocacy.congress.offices import Office, roster
from advocacy.congress.transition import congress_number
from advocacy.delivery.models import Delivery, Status
from advocacy.delivery.outbox import delivery_values
from advocacy.extensions import db
from advocacy.letters.compose import LetterRenderer, NoVariant
from advocacy.letters.models import Action, Letter
from advocacy.letters.validation import Constituent
from advocacy.statements.services import cached_stances

log = logging.getLogger(__name__)

# Letters still ours to re-address: not yet at the office, nor sent by the writer on the office's form.
READDRESSABLE = (Status.PENDING.value, Status.FAILED.value, Status.HANDOFF.value)
# Only recent submissions are checked again: after this, an unverified letter has long gone as addressed.
VERIFY_WINDOW = timedelta(days=2)
ZIP_SOURCE = "zip-crosswalk"


def _pending_house_letters(action: Action) -> list[tuple[Letter, Delivery]]:
    rows = db.session.execute(
        select(Letter, Delivery)
        .join(Delivery, Delivery.letter_id == Letter.id)
        .where(Letter.action_id == action.id, Letter.chamber == "house", Delivery.status.in_(READDRESSABLE))
        .with_for_update(of=Delivery)  # a worker that would claim one of them skips it until this check is done
    )
    return [(letter, delivery) for letter, delivery in rows]


def _constituent(action: Action) -> Constituent:
    return Constituent(
        first_name=action.first_name,
        last_name=action.last_name,
        email=action.email,
        address=action.address,
        city=action.city,
        state=action.state,
        zip=action.zip,
        phone=action.phone,
        message=action.message,
        consent=action.consent,
        prefix=action.prefix,
    )


def readdress(letter: Letter, delivery: Delivery, office: Office, reason: str, now: datetime) -> None:
    """Point an undelivered letter at `office` (in this session; the caller commits): render it again for the
    new office by the renderer that wrote it, with the writer's own words, and route its delivery afresh.
    Raises NoVariant when the campaign has no letter for the new office."""
    campaign = db.session.get(Campaign, letter.campaign_id)
    target = Target.for_office(office, "delegation")
    cwc = current_app.config["ADVOCACY_SETTINGS"].cwc_enabled
    renderer = LetterRenderer(campaign, _constituent(letter.action), cached_stances(campaign.id), statements=cwc)
    rendered = renderer.render(target, letter.personal_message)
    letter.bioguide_id = office.bioguide_id
    letter.office_key = target.key
    letter.office_name = office.name
    letter.office_title = office.title
    letter.state = office.state
    letter.district = office.district
    letter.party = office.party or ""
    letter.stance_at_send = rendered.stance
    letter.template_variant = rendered.variant[:100]
    letter.subject = rendered.subject
    letter.body = rendered.body
    letter.statement_text = rendered.statement
    routed = delivery_values(letter, target_email=None)
    if delivery.status != Status.HANDOFF.value or routed["status"] != Status.HANDOFF.value:
        delivery.channel = routed["channel"]
        delivery.status = routed["status"]
    delivery.cwc_office = routed["cwc_office"]
    delivery.next_attempt_at = now if routed["status"] == Status.PENDING.value else None
    delivery.last_error = reason[:500]
    delivery.updated_at = now


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives naive UTC back


def verify_district(action: Action, now: datetime | None = None) -> str:
    """Geocode the action's address again and act on the answer (see the module docstring); returns what
    happened: "confirmed", "readdressed", "unavailable", "unplaced", "other-state", "conflict" or "nothing"."""
    now = now or datetime.now(UTC)
    pending = _pending_house_letters(action)
    if not pending:
        return "nothing"
    try:
        located = lookup_representatives(action.zip, street_line(action.address, action.city, action.state))
    except LookupFailed:
        located = None
    if located is not None and located.approximate and located.geocoder_unavailable:
        return "unavailable"  # try again on the next run; the hold bounds the wait
    outcome = "unplaced"
    if located is not None and not located.approximate and len(located.districts) == 1:
        state, district = located.districts[0]
        if state != action.district_state:
            outcome = "other-state"  # the senators would change too: left for staff, released as addressed
        elif district == action.district:
            outcome = "confirmed"
        else:
            office = next((o for o in located.offices if o.chamber == "house"), None)
            reason = (
                f"re-addressed: the street address is in {state}-{district}, "
                f"not {action.district_state}-{action.district} as its ZIP code suggested"
            )
            if office is None:
                for _letter, delivery in pending:
                    delivery.status = Status.CANCELLED.value
                    delivery.last_error = f"{reason}, a seat that is vacant"
                    delivery.updated_at = now
                outcome = "vacant"
            else:
                try:
                    for letter, delivery in pending:
                        readdress(letter, delivery, office, reason, now)
                    outcome = "readdressed"
                except NoVariant as exc:
                    for _letter, delivery in pending:
                        delivery.status = Status.CANCELLED.value
                        delivery.last_error = f"{reason}, but {exc}"[:500]
                        delivery.updated_at = now
                    outcome = "vacant"
            action.district = district
        if outcome in ("confirmed", "readdressed", "vacant"):
            action.lookup_source = located.source
    for _letter, delivery in pending:
        if delivery.next_attempt_at is not None and _aware(delivery.next_attempt_at) > now:
            delivery.next_attempt_at = now  # released: the check is done (or cannot do better)
    try:
        db.session.commit()
    except IntegrityError:
        # The writer already has a letter to that office in this campaign (it was also named as a target).
        db.session.rollback()
        for _letter, delivery in _pending_house_letters(action):
            delivery.status = Status.CANCELLED.value
            delivery.last_error = "not re-addressed: the writer's representative already has a letter from them"
            delivery.updated_at = now
        db.session.commit()
        outcome = "conflict"
    return outcome


def verify_pending(now: datetime | None = None, limit: int = 1000) -> Counter:
    """Check every recent action whose district came from the ZIP and whose House letter has not gone yet."""
    now = now or datetime.now(UTC)
    ids = db.session.scalars(
        select(Action.id)
        .where(
            Action.lookup_source == ZIP_SOURCE,
            Action.purged_at.is_(None),
            Action.created_at >= now - VERIFY_WINDOW,
            Action.id.in_(
                select(Letter.action_id)
                .join(Delivery, Delivery.letter_id == Letter.id)
                .where(Letter.chamber == "house", Delivery.status.in_(READDRESSABLE))
            ),
        )
        .order_by(Action.created_at)
        .limit(limit)
    ).all()
    outcomes: Counter = Counter()
    for action_id in ids:
        action = db.session.get(Action, action_id)
        outcome = verify_district(action, now)
        outcomes[outcome] += 1
        if outcome != "unavailable":
            log.info("district check action=%s outcome=%s", action_id, outcome)  # an id, never the address
    return outcomes


# --- a change of Congress -----------------------------------------------------------------------------------


def _successor(letter: Letter, departed: Member | None) -> Office | None:
    """The sitting member in the seat the letter's member held: the same House district, or the same state
    and Senate class."""
    seats = roster()
    if letter.chamber == "house":
        return seats.house.get((letter.state, letter.district or 0))
    if letter.chamber == "senate" and departed is not None and departed.senate_class is not None:
        bioguide = db.session.scalar(
            select(Member.bioguide_id).where(
                Member.in_office.is_(True),
                Member.chamber == "senate",
                Member.state == departed.state,
                Member.senate_class == departed.senate_class,
            )
        )
        return seats.offices.get(bioguide) if bioguide else None
    return None


def readdress_for_roster(now: datetime | None = None) -> Counter:
    """Letters not yet delivered to a member who has left office: re-addressed to the successor in the same
    seat (and recorded under the Congress in office now), or cancelled with the reason when the seat is
    vacant. Returns counts by outcome ("readdressed", "vacant", "conflict")."""
    now = now or datetime.now(UTC)
    rows = db.session.execute(
        select(Letter.id, Delivery.id)
        .join(Delivery, Delivery.letter_id == Letter.id)
        .join(Member, Member.bioguide_id == Letter.bioguide_id)
        .where(Member.in_office.is_(False), Member.left_office_at.is_not(None), Delivery.status.in_(READDRESSABLE))
        .order_by(Letter.created_at)
    ).all()
    outcomes: Counter = Counter()
    congress = congress_number(now)
    for letter_id, delivery_id in rows:
        letter, delivery = db.session.get(Letter, letter_id), db.session.get(Delivery, delivery_id)
        departed = db.session.get(Member, letter.bioguide_id)
        who = f"{letter.office_title} {letter.office_name}"
        office = _successor(letter, departed)
        if office is None:
            delivery.status = Status.CANCELLED.value
            delivery.last_error = f"not delivered: {who} has left office and the seat is vacant"
            delivery.updated_at = now
            outcome = "vacant"
        else:
            reason = f"re-addressed: {who} has left office; {office.name} holds the seat"
            try:
                readdress(letter, delivery, office, reason, now)
                letter.congress = congress
                outcome = "readdressed"
            except NoVariant as exc:
                delivery.status = Status.CANCELLED.value
                delivery.last_error = f"not delivered: {who} has left office, and {exc}"[:500]
                delivery.updated_at = now
                outcome = "vacant"
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # the writer already has a letter to the successor in this campaign
            delivery = db.session.get(Delivery, delivery_id)
            delivery.status = Status.CANCELLED.value
            delivery.last_error = f"not delivered: {who} has left office; the successor already has this letter"
            delivery.updated_at = now
            db.session.commit()
            outcome = "conflict"
        outcomes[outcome] += 1
        log.info("roster change letter=%s outcome=%s", letter_id, outcome)
    return outcomes
