"""Submitting an action: look up the offices, render one letter per office, write letters and outbox together.

The whole submission is one transaction: the action, its letters and their deliveries commit together or
not at all, so nothing accepted is ever lost. A constituent never writes twice to the same office in one
campaign: letters are unique by (campaign, writer, office), where the writer is the email together with
what was typed (see submit_action), and a repeated submission returns the letters already written.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from advocacy.campaigns.models import Campaign, Status
from advocacy.campaigns.rendering import TemplateProblem
from advocacy.campaigns.services import Target, campaign_targets, thanks_targets
from advocacy.congress import effective, transition
from advocacy.congress.lookup import (
    ZIP_SOURCE_HANDOFF_NOTICE,
    ZIP_SOURCE_NOTICE,
    ZIP_SOURCE_SENT_NOTICE,
    LookupFailed,
    LookupResult,
    lookup_district,
    lookup_representatives,
    office_to_call,
    street_line,
)
from advocacy.congress.offices import Office, office_for
from advocacy.db import utcnow
from advocacy.delivery.dispatch import dispatch_after_commit
from advocacy.delivery.models import Delivery
from advocacy.delivery.outbox import delivery_values
from advocacy.extensions import db
from advocacy.i18n import request_language
from advocacy.identity import email_key, pseudonym
from advocacy.letters.compose import LetterRenderer, RenderedLetter
from advocacy.letters.limits import submission_retry_after
from advocacy.letters.models import Action, Letter, new_id
from advocacy.letters.problems import (
    AddressNeeded,
    CampaignNotOpen,
    CampaignUnavailable,
    FlowError,
    NoOffices,
    Throttled,
    lookup_problem,
)
from advocacy.letters.receipts import receipt_row
from advocacy.letters.store import ActionRow, DeliveryRow, LetterRow, insert_submission
from advocacy.letters.validation import Constituent, validate_constituent
from advocacy.mail import mail_enabled
from advocacy.statements.services import cached_stances

log = logging.getLogger(__name__)


@dataclass
class Submission:
    """What a submission wrote (typed rows, nothing read back), or for a repeat what was written before."""

    action: Action | ActionRow
    letters: list[Letter | LetterRow]
    created: bool
    lookup: LookupResult | None = None
    deliveries: dict[str, Delivery | DeliveryRow] = dataclasses.field(default_factory=dict)  # by letter id
    offices: dict[str, Office] = dataclasses.field(default_factory=dict)  # as answered, by bioguide id


def congress_number(when: datetime | None = None) -> int:
    """The Congress in office at `when` (default: the clock the roster is chosen by, advocacy.congress.effective):
    each begins at noon Eastern on January 3 of an odd year."""
    return transition.congress_number(when or effective.clock())


def _stances(campaign) -> dict:
    return cached_stances(campaign.id)


def check_open(campaign: Campaign) -> str:
    """The purpose of the letters the campaign takes now ("campaign", or "thanks" once won), else raise."""
    if campaign.status == Status.DRAFT.value:
        raise CampaignNotOpen("not_started")
    if campaign.sample and current_app.config["ADVOCACY_SETTINGS"].production:
        # A sample left live in a database that moved to production still writes to nobody real.
        raise CampaignNotOpen("not_started")
    purpose = campaign.letter_purpose
    if purpose is None:
        raise CampaignNotOpen("closed")
    return purpose


def _targets(campaign, lookup: LookupResult, purpose: str, stances: dict) -> list[Target]:
    """Who the letters go to: the campaign's targets, or for a thank-you only the writer's members who acted.
    Raises NoOffices when that is nobody."""
    targets = campaign_targets(campaign, lookup)
    if purpose == "thanks":
        targets = thanks_targets(targets, stances)
        if not targets:
            raise NoOffices("no_one_to_thank", detainee=campaign.detainee_name)
    if not targets:
        raise NoOffices()
    return targets


def resolve_offices(constituent: Constituent, district: tuple[str, int] | None = None) -> LookupResult:
    """The constituent's offices, from their street address whenever a geocoder can place it.

    The geocoder decides for every address, whatever the ZIP crosswalk says (a ZIP's area is drawn from
    census blocks, not postal addresses, and PO-box ZIPs are not in it at all). Only when no geocoder can
    answer does the ZIP decide: a single-district ZIP is accepted with `lookup_source` "zip-crosswalk" (and
    checked again before its House letter goes, see advocacy.letters.verify); a split one needs `district`,
    a district the constituent chose themselves among its candidates, else AddressNeeded.
    """
    street = street_line(constituent.address, constituent.city, constituent.state)
    try:
        located = lookup_representatives(constituent.zip5, street, city=constituent.city)
        if not located.approximate:
            return located  # the geographic state decides, even where the postal one differs
        states = located.states
        if constituent.state not in states:
            raise FlowError(
                "zip_in_other_state", zip=constituent.zip5, states=", ".join(states), state=constituent.state
            )
        if not located.split:
            return located
        if district is not None and district in located.districts:
            return lookup_district(constituent.zip5, *district, city=constituent.city)
    except LookupFailed as exc:
        raise lookup_problem(exc) from None
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


def throttle(campaign_slug: str, email_key: str | None) -> None:
    """Raise Throttled when this client or this email has sent too many letters to the campaign lately."""
    wait = submission_retry_after(campaign_slug, email_key)
    if wait is not None:
        raise Throttled(wait)


def submit(
    campaign,
    data: Mapping[str, object],
    *,
    messages: dict[str, str] | None = None,
    district: tuple[str, int] | None = None,
    idempotency_key: str | None = None,
) -> Submission:
    """The submission pipeline of the HTML flow and the API alike: throttle (on the email as typed, so
    refused attempts count too), check what was typed, write the letters. Raises a FlowError, having stored
    nothing, when any step says no."""
    raw_email = data.get("email")
    throttle(campaign.slug, email_key(raw_email) if isinstance(raw_email, str) and raw_email else None)
    constituent = validate_constituent(data)
    return submit_action(campaign, constituent, messages=messages, idempotency_key=idempotency_key, district=district)


def preview(
    campaign, data: Mapping[str, object], *, district: tuple[str, int] | None = None
) -> tuple[LookupResult, list[RenderedLetter]]:
    """The review step: the offices and each one's letter as submit would write it; nothing is stored.
    Raises a FlowError as submit does."""
    check_open(campaign)
    constituent = validate_constituent(data)
    lookup = resolve_offices(constituent, district)
    return lookup, preview_letters(campaign, constituent, lookup)


def submit_action(
    campaign,
    constituent: Constituent,
    *,
    messages: dict[str, str] | None = None,
    idempotency_key: str | None = None,
    district: tuple[str, int] | None = None,
) -> Submission:
    """Write the constituent's letters; raises a FlowError (advocacy.letters.problems) and stores nothing
    when it cannot.

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
    stances = _stances(campaign)
    targets = _targets(campaign, lookup, purpose, stances)
    # The letter without the writer's own words is only needed for CWC's OrganizationStatement.
    renderer = LetterRenderer(
        campaign, constituent, stances, statements=current_app.config["ADVOCACY_SETTINGS"].cwc_enabled
    )
    offices = answered_offices(lookup, targets, constituent)  # read now: nothing after the commit reads
    written: dict[str, Letter] = {}
    found: dict[str, Delivery] = {}  # the deliveries of letters written before, read before our commit
    new_targets = targets
    for _attempt in range(3):
        try:
            action, new_letters, deliveries = _write(
                campaign, constituent, writer, lookup, renderer, new_targets, messages or {}, scoped_key, purpose
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
                return Submission(letters[0].action, letters, False, lookup, deliveries_for(letters), offices)
        except TemplateProblem as exc:
            db.session.rollback()
            raise unavailable(campaign, exc) from None
        except BaseException:
            db.session.rollback()  # nothing half-written stays
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
    return Submission(action, letters, True, lookup, found, offices)


def answered_offices(lookup: LookupResult, targets: list[Target], constituent: Constituent) -> dict[str, Office]:
    """Each target office as the answer shows it, with the district office nearest the writer: the lookup's
    offices carry it already; a member the campaign names is found here, before the write, as letter_json
    would find it for a repeat."""
    offices = {office.bioguide_id: office for office in lookup.offices}
    for target in targets:
        if target.office is not None and target.key not in offices:
            near = office_to_call(
                target.key, constituent.address, constituent.city, constituent.state, constituent.zip, guess=False
            )
            offices[target.key] = dataclasses.replace(target.office, nearest_district_office=near)
    return offices


def _write(
    campaign,
    constituent: Constituent,
    writer_key: str,
    lookup: LookupResult,
    renderer: LetterRenderer,
    targets: list[Target],
    messages: dict[str, str],
    idempotency_key: str | None,
    purpose: str = "campaign",
) -> tuple[ActionRow, list[LetterRow], list[DeliveryRow]]:
    """Insert and commit the action, its letters and their deliveries (see store.py: no ORM bookkeeping).

    Returns the rows as written, for the response: nothing is read back.
    """
    now = datetime.now(UTC)
    congress = congress_number()  # by the same clock as the roster the letters were addressed from
    state, district = lookup.districts[0] if len(lookup.districts) == 1 else (constituent.state, None)
    action = ActionRow(
        id=new_id(),
        campaign_id=campaign.id,
        email_key=constituent.email_key,
        writer_key=writer_key,
        idempotency_key=idempotency_key,
        prefix=constituent.prefix,
        first_name=constituent.first_name,
        last_name=constituent.last_name,
        email=constituent.email,
        phone=constituent.phone,
        address=constituent.address,
        city=constituent.city,
        state=constituent.state,
        zip=constituent.zip,
        message=constituent.message,
        consent=constituent.consent,
        language=request_language(),  # the receipt and later emails speak it; the letters stay English
        district_state=state,
        district=district,
        congress=congress,
        lookup_source=lookup.source,
        created_at=now,
    )
    letters: list[LetterRow] = []
    deliveries: list[DeliveryRow] = []
    # The geocoder could not answer, so the ZIP chose the district: the House letter waits for `districts
    # verify` to place the address and re-address it if the ZIP was wrong. DISTRICT_CHECK_HOLD_SECONDS
    # (30 minutes) bounds the wait: after it the letter goes as addressed.
    hold = timedelta(seconds=current_app.config.get("DISTRICT_CHECK_HOLD_SECONDS", 30 * 60))
    hold_for_verification = lookup.approximate and lookup.geocoder_unavailable and hold > timedelta(0)
    for position, target in enumerate(targets):
        rendered = renderer.render(target, messages.get(target.key, constituent.message))
        letter = LetterRow(
            id=new_id(),
            position=position,
            action_id=action.id,
            campaign_id=campaign.id,
            email_key=constituent.email_key,
            writer_key=writer_key,
            office_key=target.key,
            bioguide_id=target.bioguide_id,
            custom_target_id=target.custom_target_id,
            office_name=target.name,
            office_title=target.title or "",
            chamber=target.chamber or "custom",
            state=target.state or "",
            district=target.district,
            party=target.party or "",
            congress=congress,
            stance_at_send=rendered.stance,
            template_variant=rendered.variant[:100],
            subject=rendered.subject,
            body=rendered.body,
            statement_text=rendered.statement,
            personal_message=rendered.message,
            purpose=purpose,
            created_at=now,
        )
        letters.append(letter)
        delivery = delivery_values(letter, target_email=target.email)
        held = hold_for_verification and letter.chamber == "house"
        delivery["next_attempt_at"] = now + hold if held else now
        deliveries.append(DeliveryRow(**delivery))
    if mail_enabled():  # the receipt is an outbox row too, owed exactly when the letters are
        deliveries.append(DeliveryRow(**receipt_row(action.id, now)))
    insert_submission(action, letters, deliveries)
    return action, letters, deliveries


def unavailable(campaign, exc: TemplateProblem) -> CampaignUnavailable:
    """A letter that fails to render at send time: a bug for the organizers (logged), not for the writer."""
    log.error("letter template failed campaign=%s: %s", campaign.slug, exc)
    return CampaignUnavailable()


def preview_letters(campaign: Campaign, constituent: Constituent, lookup: LookupResult) -> list[RenderedLetter]:
    """Each office's letter, rendered by the renderer that sends it (without CWC's statement); nothing is
    stored. Raises a FlowError as submit_action would."""
    stances = _stances(campaign)
    renderer = LetterRenderer(campaign, constituent, stances)
    try:
        return [renderer.render(target) for target in _targets(campaign, lookup, check_open(campaign), stances)]
    except TemplateProblem as exc:
        raise unavailable(campaign, exc) from None


def letter_json(
    letter: Letter, delivery: Delivery | None, action=None, offices: dict[str, Office] | None = None
) -> dict:
    """A letter for the API; with its `action`, the office carries the district office nearest the writer
    (from the cached geocode of their address, else their city: the same on a first answer and a repeat).
    A first answer passes its `offices` (Submission.offices), found before the write, so nothing after the
    commit reads the database (a stored submission is never answered with an error)."""
    office = (offices or {}).get(letter.bioguide_id)
    if office is None and letter.bioguide_id:
        office = office_for(letter.bioguide_id, include_former=True)
        if office is not None and action is not None:
            near = office_to_call(
                office.bioguide_id, action.address, action.city, action.state, action.zip, guess=False
            )
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


def submission_notice(action, letters: list[Letter], deliveries: dict[str, Delivery]) -> str | None:
    """What to tell the writer about how their district was found (stored, so a repeat says it too), true to
    how the House letter leaves: held and checked again by us, waiting for the writer on the office's own
    form, or already gone. No House letter, no notice: a senator's letter does not depend on the district."""
    if action.lookup_source != "zip-crosswalk" or not action.address:
        return None
    statuses = {getattr(deliveries.get(letter.id), "status", None) for letter in letters if letter.chamber == "house"}
    if not statuses:
        return None
    if "handoff" in statuses:
        return str(ZIP_SOURCE_HANDOFF_NOTICE)
    if statuses & {"pending", "sending", "failed"}:
        return str(ZIP_SOURCE_NOTICE)
    if statuses & {"sent", "handoff_sent", "unknown"}:
        return str(ZIP_SOURCE_SENT_NOTICE)
    return None


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
