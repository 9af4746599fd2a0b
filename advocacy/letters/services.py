"""Submitting an action: look up the offices, render one letter per office, write letters and outbox together.

The whole submission is one transaction: the action, its letters and their deliveries commit together or
not at all, so nothing accepted is ever lost. A constituent never writes twice to the same office in one
campaign: letters are unique by (campaign, writer, office), where the writer is the email together with
what was typed (see submit_action), and a repeated submission returns the letters already written.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from advocacy.campaigns.models import Campaign, Status
from advocacy.campaigns.placeholders import campaign_fields, constituent_fields
from advocacy.campaigns.rendering import TemplateProblem, choose_variant, render_letter
from advocacy.campaigns.services import Target, campaign_targets, thanks_targets
from advocacy.congress import transition
from advocacy.congress.lookup import (
    ZIP_SOURCE_NOTICE,
    LookupResult,
    lookup_district,
    lookup_representatives,
    office_to_call,
    street_line,
)
from advocacy.db import utcnow
from advocacy.delivery.dispatch import dispatch_after_commit
from advocacy.delivery.models import Delivery
from advocacy.delivery.outbox import delivery_values
from advocacy.extensions import db
from advocacy.i18n import request_language
from advocacy.letters.models import Action, Letter, new_id
from advocacy.letters.receipts import mail_enabled, receipt_row
from advocacy.letters.store import insert_submission
from advocacy.letters.validation import Constituent, InvalidInput, pseudonym

log = logging.getLogger(__name__)


class CampaignNotOpen(Exception):
    """The campaign is a draft or closed: it takes no letters."""


class AddressNeeded(Exception):
    """The ZIP spans several districts and the address did not settle which one."""

    def __init__(self, lookup: LookupResult):
        if lookup.geocoder_unavailable:  # our fault, not the address's: say so
            message = gettext(
                "Your ZIP code is split between congressional districts, and the address lookup service is not "
                "answering right now, so we could not place your street address. Choose your district below, "
                "or try again in a few minutes."
            )
        elif lookup.query.get("address"):
            message = gettext(
                "Your ZIP code is split between congressional districts, and we could not find your street address "
                "in them. Check the house number and street name, or choose your district below."
            )
        else:
            message = gettext("Your ZIP code is split between congressional districts; enter your street address.")
        super().__init__(message)
        self.lookup = lookup


class NoOffices(Exception):
    """Nobody to write to (e.g. a vacant seat in a place with no senators)."""


@dataclass
class Submission:
    action: Action
    letters: list[Letter]
    created: bool
    lookup: LookupResult | None = None
    deliveries: dict[str, Delivery] = dataclasses.field(default_factory=dict)  # by letter id


def congress_number(when: datetime | None = None) -> int:
    """The Congress in office at `when` (default now): each begins at noon Eastern on January 3 of an odd year."""
    return transition.congress_number(when or datetime.now(UTC))


def _stances(campaign) -> dict:
    from advocacy.letters.snapshots import cached_stances

    return cached_stances(campaign.id)


def check_open(campaign: Campaign) -> str:
    """The purpose of the letters the campaign takes now ("campaign", or "thanks" once won), else raise."""
    if campaign.status == Status.DRAFT.value:
        raise CampaignNotOpen(gettext("This campaign has not started yet, so it is not taking letters."))
    purpose = campaign.letter_purpose
    if purpose is None:
        raise CampaignNotOpen(
            gettext("This campaign has closed and is no longer taking letters. Thank you for caring.")
        )
    return purpose


def _targets(campaign, lookup: LookupResult, purpose: str, stances: dict) -> list[Target]:
    """Who the letters go to: the campaign's targets, or for a thank-you only the writer's members who acted."""
    targets = campaign_targets(campaign, lookup)
    if purpose != "thanks":
        return targets
    thanked = thanks_targets(targets, stances)
    if not thanked:
        raise NoOffices(
            f"None of your members of Congress has spoken up for {campaign.detainee_name}, so there is no office "
            "to thank. Nothing was sent."
        )
    return thanked


def resolve_offices(constituent: Constituent, district: tuple[str, int] | None = None) -> LookupResult:
    """The constituent's offices, from their street address whenever a geocoder can place it.

    The geocoder decides for every address, whatever the ZIP crosswalk says (a ZIP's area is drawn from
    census blocks, not postal addresses, and PO-box ZIPs are not in it at all). Only when no geocoder can
    answer does the ZIP decide: a single-district ZIP is accepted with `lookup_source` "zip-crosswalk" (and
    checked again before its House letter goes, see advocacy.letters.verify); a split one needs `district`,
    a district the constituent chose themselves among its candidates, else AddressNeeded.
    """
    street = street_line(constituent.address, constituent.city, constituent.state)
    located = lookup_representatives(constituent.zip5, street, city=constituent.city)
    if not located.approximate:
        return located  # the geographic state decides, even where the postal one differs
    states = located.states
    if constituent.state not in states:
        raise InvalidInput(
            {
                "zip": gettext(
                    "ZIP code %(zip)s is in %(states)s, not %(state)s.",
                    zip=constituent.zip5,
                    states=", ".join(states),
                    state=constituent.state,
                )
            }
        )
    if not located.split:
        return located
    if district is not None and district in located.districts:
        return lookup_district(constituent.zip5, *district, city=constituent.city)
    raise AddressNeeded(located)


def scoped_idempotency_key(header: str | None, writer_key: str) -> str | None:
    """The client's Idempotency-Key bound to the writer: the same key sent by anyone else (another email, or
    other words) is another key, so it can never replay somebody else's submission."""
    if not header:
        return None
    return pseudonym(f"idempotency:{writer_key}:{header}")


def existing_submission(campaign, idempotency_key: str | None) -> Submission | None:
    """The submission stored under this (scoped) idempotency key, if any."""
    if idempotency_key:
        action = db.session.scalar(
            select(Action).where(Action.campaign_id == campaign.id, Action.idempotency_key == idempotency_key)
        )
        if action is not None:
            letters = list(action.letters)
            return Submission(action, letters, created=False, deliveries=deliveries_for(letters))
    return None


def _letters_already_written(campaign, writer_key: str, keys: list[str], purpose: str) -> dict[str, Letter]:
    rows = db.session.scalars(
        select(Letter).where(
            Letter.campaign_id == campaign.id,
            Letter.writer_key == writer_key,
            Letter.office_key.in_(keys),
            Letter.purpose == purpose,
        )
    )
    return {letter.office_key: letter for letter in rows}


def submit_action(
    campaign,
    constituent: Constituent,
    *,
    messages: dict[str, str] | None = None,
    idempotency_key: str | None = None,
    district: tuple[str, int] | None = None,
) -> Submission:
    """Write the constituent's letters; raises CampaignNotOpen, InvalidInput, AddressNeeded or NoOffices.

    A repeat is the same writer (`Constituent.writer_key`: the same email and the same words, names and
    address) sending again: it writes nothing new to an office it already wrote to and is answered with its
    own letters (`created=False` when nothing new was written). Anything else is a new writer, even with an
    email that has written before, and gets letters of its own: an answer never carries letters that the
    request did not itself describe, and whether an email has written before changes nothing in it.

    `campaign` is a Campaign or a cached CampaignSnapshot. The letters are inserted optimistically: the
    unique (campaign, writer, office) constraint, not a read beforehand, is what stops a second letter
    to the same office, so a first submission costs no extra round trip.
    """
    purpose = check_open(campaign)
    writer = constituent.writer_key(messages)
    scoped_key = scoped_idempotency_key(idempotency_key, writer)
    earlier = existing_submission(campaign, scoped_key)
    if earlier is not None:
        return earlier
    lookup = resolve_offices(constituent, district)
    targets = _targets(campaign, lookup, purpose, _stances(campaign))
    if not targets:
        raise NoOffices(gettext("There is no one to write to for this address right now (the seat may be vacant)."))
    written: dict[str, Letter] = {}
    found: dict[str, Delivery] = {}  # the deliveries of letters written before, read before our commit
    new_targets = targets
    for _attempt in range(3):
        try:
            action, new_letters, deliveries = _write(
                campaign, constituent, writer, lookup, new_targets, messages or {}, scoped_key, purpose
            )
            break
        except IntegrityError:
            # This writer has letters to some of these offices already (a repeat, or the same submission at
            # the same moment in another request): write only to the offices that have none.
            db.session.rollback()
            earlier = existing_submission(campaign, scoped_key)
            if earlier is not None:
                return earlier
            written = _letters_already_written(campaign, writer, [t.key for t in targets], purpose)
            found = deliveries_for(list(written.values()))
            new_targets = [t for t in targets if t.key not in written]
            if not new_targets:
                letters = [written[t.key] for t in targets]
                return Submission(letters[0].action, letters, False, lookup, deliveries_for(letters))
        except BaseException:
            db.session.rollback()  # e.g. a template that fails at send time: nothing half-written stays
            raise
    else:
        raise RuntimeError("could not write the letters after repeated conflicts")
    log.info("action accepted campaign=%s letters=%d", campaign.slug, len(new_letters))
    # Handoffs wait for the constituent ("I sent it"); only deliveries we send ourselves (and the receipt) that
    # are due now are queued (a House letter whose district came from the ZIP waits for `districts verify`).
    dispatch_after_commit(
        [d.id for d in deliveries if d.status == "pending" and d.next_attempt_at <= action.created_at]
    )
    by_key = {letter.office_key: letter for letter in new_letters} | written
    letters = [by_key[t.key] for t in targets]
    # Nothing after the commit reads the database: a stored submission is never answered with an error.
    found.update({d.letter_id: d for d in deliveries if d.letter_id})
    return Submission(action, letters, True, lookup, found)


def _write(
    campaign,
    constituent: Constituent,
    writer_key: str,
    lookup: LookupResult,
    targets: list[Target],
    messages: dict[str, str],
    idempotency_key: str | None,
    purpose: str = "campaign",
) -> tuple[SimpleNamespace, list[SimpleNamespace], list[SimpleNamespace]]:
    """Insert and commit the action, its letters and their deliveries (see store.py: no ORM bookkeeping).

    Returns plain records of what was written, for the response: nothing is read back.
    """
    now = datetime.now(UTC)
    congress = congress_number(now)
    state, district = lookup.districts[0] if len(lookup.districts) == 1 else (constituent.state, None)
    action = {
        "id": new_id(),
        "campaign_id": campaign.id,
        "email_key": constituent.email_key,
        "writer_key": writer_key,
        "idempotency_key": idempotency_key,
        "prefix": constituent.prefix,
        "first_name": constituent.first_name,
        "last_name": constituent.last_name,
        "email": constituent.email,
        "phone": constituent.phone,
        "address": constituent.address,
        "city": constituent.city,
        "state": constituent.state,
        "zip": constituent.zip,
        "message": constituent.message,
        "consent": constituent.consent,
        "language": request_language(),  # the receipt and later emails speak it; the letters stay English
        "district_state": state,
        "district": district,
        "congress": congress,
        "lookup_source": lookup.source,
        "purged_at": None,
        "created_at": now,
    }
    stances = _stances(campaign)
    letters: list[dict] = []
    deliveries: list[dict] = []
    # Placeholder values are cleaned once per submission, not once per letter.
    campaign_values = campaign_fields(campaign)
    writers: dict[str, object] = {}
    # The letter without the writer's own words is only needed for CWC's OrganizationStatement.
    need_statement = current_app.config["ADVOCACY_SETTINGS"].cwc_enabled
    # The geocoder could not answer, so the ZIP chose the district: the House letter waits for `districts
    # verify` to place the address and re-address it if the ZIP was wrong. DISTRICT_CHECK_HOLD_SECONDS
    # (30 minutes) bounds the wait: after it the letter goes as addressed.
    hold = timedelta(seconds=current_app.config.get("DISTRICT_CHECK_HOLD_SECONDS", 30 * 60))
    hold_for_verification = lookup.approximate and lookup.geocoder_unavailable and hold > timedelta(0)
    for position, target in enumerate(targets):
        message = messages.get(target.key, constituent.message)
        if message not in writers:
            writers[message] = constituent_fields(dataclasses.replace(constituent, message=message))
        stance = stances.get(target.bioguide_id) if target.bioguide_id else None
        variant = choose_variant(campaign.letters, target.chamber, stance)
        if variant is None:
            raise TemplateProblem("the campaign has no letter variant for this office", None, "variant")
        subject, body = render_letter(campaign_values, variant, writers[message], target, stance)
        statement = ""
        if need_statement:
            statement = body
            if message:
                if "" not in writers:
                    writers[""] = constituent_fields(dataclasses.replace(constituent, message=""))
                _, statement = render_letter(campaign_values, variant, writers[""], target, stance)
        letter = {
            "id": new_id(),
            "position": position,
            "action_id": action["id"],
            "campaign_id": campaign.id,
            "email_key": constituent.email_key,
            "writer_key": writer_key,
            "office_key": target.key,
            "bioguide_id": target.bioguide_id,
            "custom_target_id": target.custom_target_id,
            "office_name": target.name,
            "office_title": target.title or "",
            "chamber": target.chamber or "custom",
            "state": target.state or "",
            "district": target.district,
            "party": target.party or "",
            "congress": congress,
            "stance_at_send": stance,
            "template_variant": variant.name[:100],
            "subject": subject,
            "body": body,
            "statement_text": statement,
            "personal_message": message,
            "purpose": purpose,
            "created_at": now,
        }
        letters.append(letter)
        delivery = delivery_values(SimpleNamespace(**letter), target_email=target.email)
        held = hold_for_verification and letter["chamber"] == "house"
        delivery["next_attempt_at"] = now + hold if held else now
        deliveries.append(delivery)
    if mail_enabled():  # the receipt is an outbox row too, owed exactly when the letters are
        deliveries.append(receipt_row(action["id"], now))
    insert_submission(action, letters, deliveries)
    return (
        SimpleNamespace(**action),
        [SimpleNamespace(**row) for row in letters],
        [SimpleNamespace(**row) for row in deliveries],
    )


class PreviewLetter(NamedTuple):
    target: Target
    subject: str
    body: str
    variant: str  # the template variant's name: the review page shows its gloss in the writer's language


def preview_letters(campaign: Campaign, constituent: Constituent, lookup: LookupResult) -> list[PreviewLetter]:
    """Each office's letter, rendered as it would be sent; nothing is stored."""
    stances = _stances(campaign)
    out = []
    for target in _targets(campaign, lookup, check_open(campaign), stances):
        stance = stances.get(target.bioguide_id) if target.bioguide_id else None
        variant = choose_variant(campaign.letters, target.chamber, stance)
        if variant is None:
            raise TemplateProblem("the campaign has no letter variant for this office", None, "variant")
        subject, body = render_letter(campaign, variant, constituent, target, stance)
        out.append(PreviewLetter(target, subject, body, variant.name))
    return out


def letter_json(letter: Letter, delivery: Delivery | None, action=None) -> dict:
    """A letter for the API; with its `action`, the office carries the district office nearest the writer
    (from the cached geocode of their address, else their city: the same on a first answer and a repeat)."""
    from advocacy.congress.offices import office_for

    office = office_for(letter.bioguide_id, include_former=True) if letter.bioguide_id else None
    if office is not None and action is not None:
        near = office_to_call(office.bioguide_id, action.address, action.city, action.state, action.zip, guess=False)
        office = dataclasses.replace(office, nearest_district_office=near)
    office_json = (
        office.to_json()
        if office is not None
        else {
            "name": letter.office_name,
            "title": letter.office_title,
            "chamber": None,
            "state": letter.state or None,
            "district": letter.district,
        }
    )
    return {
        "id": letter.id,
        "office": office_json,
        "subject": letter.subject,
        "body": letter.body,
        "delivery": {"channel": delivery.channel, "status": delivery.status} if delivery else None,
    }


def submission_notice(action) -> str | None:
    """What to tell the writer about how their district was found (stored, so a repeat says it too)."""
    return str(ZIP_SOURCE_NOTICE) if action.lookup_source == "zip-crosswalk" and action.address else None


def deliveries_for(letters: list[Letter]) -> dict[str, Delivery]:
    ids = [letter.id for letter in letters]
    if not ids:
        return {}
    return {d.letter_id: d for d in db.session.scalars(select(Delivery).where(Delivery.letter_id.in_(ids)))}


def mark_called(letter_id: str) -> None:
    """The writer says they called this office too ("I called"). Commits; a second press keeps the first time."""
    db.session.execute(
        update(Letter)
        .where(Letter.id == letter_id, Letter.called_at.is_(None))
        .values(called_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
