"""Turning a claimed delivery into a send: read what it needs inside the transaction, send outside it.

`prepare(delivery)` returns a `Send` holding plain data (the CWC XML, the email) so that no database
connection is held while we wait on CWC or an SMTP server.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import column, select, table

from advocacy.caching import MISSING, bounded_cache
from advocacy.congress.models import Member
from advocacy.delivery import cwc, kinds
from advocacy.delivery.cwc_client import CwcClient, known_offices
from advocacy.delivery.models import LETTER, Channel, Delivery
from advocacy.delivery.options import option, settings
from advocacy.extensions import db
from advocacy.mail import build_message, send_message, sender_domain
from advocacy.send_errors import NotAccepted, PermanentError, TransientError


@dataclass
class Send:
    """A prepared send. `run(before_handover)` returns the outcome name ("sent" or "duplicate") or raises
    DeliveryError; a channel that cannot recognize a repeat (SMTP) calls `before_handover()` at the last moment
    before anything leaves (just before SMTP DATA)."""

    channel: str
    run: Callable[[Callable[[], None] | None], str]
    # A better MemberOffice code found on the CWC offices list, to store with the outcome.
    corrected_office: str | None = None


def prepare(delivery: Delivery) -> Send:
    """Raises kinds.Skip when a mail to a constituent has nothing to send any more."""
    if delivery.kind != LETTER:
        return _prepare_mail(delivery)
    if delivery.channel == Channel.CWC.value:
        return _prepare_cwc(delivery)
    if delivery.channel == Channel.EMAIL.value:
        return _prepare_email(delivery)
    raise PermanentError(f"channel {delivery.channel} is not sent by workers")


# --- CWC ------------------------------------------------------------------------------------------


def cwc_client() -> CwcClient:
    s = settings()
    if not s.cwc_enabled:
        raise TransientError("CWC is not configured (ADVOCACY_CWC_URL, ADVOCACY_CWC_API_KEY)")
    return CwcClient(s.cwc_url, s.cwc_api_key, tuple(option("DELIVERY_CWC_TIMEOUT")))


def cwc_agent() -> cwc.Agent:
    s = settings()
    return cwc.Agent(
        name=s.cwc_delivery_agent,
        ack_email=option("CWC_AGENT_ACK_EMAIL") or s.mail_sender,
        contact_name=option("CWC_AGENT_CONTACT_NAME") or s.cwc_delivery_agent,
        contact_email=option("CWC_AGENT_CONTACT_EMAIL") or s.mail_sender,
        contact_phone=option("CWC_AGENT_CONTACT_PHONE"),
        organization=option("CWC_ORGANIZATION"),
        organization_about=option("CWC_ORGANIZATION_ABOUT"),
    )


@dataclass(frozen=True)
class _CampaignFacts:
    slug: str
    cwc_topic: str


CAMPAIGN_FACTS_TTL = 60.0
_campaign_facts = bounded_cache("campaign facts for delivery", maxsize=1024, ttl=CAMPAIGN_FACTS_TTL)


# The two columns of a campaign a message needs, read by name: delivery sits below campaigns and does not import
# its models (the import contracts in pyproject.toml).
_campaigns = table("campaigns", column("id"), column("slug"), column("cwc_topic"))


def _campaign(campaign_id: int) -> _CampaignFacts | None:
    """The campaign's slug and CWC topic, remembered for a minute: every letter of a campaign asks for them."""
    key = (str(db.engine.url), campaign_id)
    facts = _campaign_facts.get(key, MISSING)
    if facts is MISSING:
        query = select(_campaigns.c.slug, _campaigns.c.cwc_topic).where(_campaigns.c.id == campaign_id)
        row = db.session.execute(query).first()
        facts = _campaign_facts[key] = _CampaignFacts(row.slug, row.cwc_topic or "") if row else None
    return facts


def senate_class(bioguide_id: str) -> int | None:
    return db.session.scalar(select(Member.senate_class).where(Member.bioguide_id == bioguide_id))


def office_code_candidates(letter) -> list[str]:
    """MemberOffice codes for the office a letter is addressed to, preferred first; [] for none."""
    override = (option("CWC_OFFICE_CODES") or {}).get(letter.bioguide_id or "")
    if override:
        return [override]
    if letter.chamber == "house":
        code = cwc.house_office_code(letter.state, letter.district)
        return [code] if code else []
    if letter.chamber == "senate" and letter.bioguide_id:
        return cwc.senate_office_codes(letter.state, _cached_senate_class(letter.bioguide_id))
    return []


SENATE_CLASS_TTL = 600.0
_senate_classes = bounded_cache("senate classes", maxsize=256, ttl=SENATE_CLASS_TTL)


def _cached_senate_class(bioguide_id: str) -> int | None:
    # Asked for every senator letter, so remembered for a while (a seat's class does not change).
    key = (str(db.engine.url), bioguide_id)
    found = _senate_classes.get(key)
    if found is None:
        found = senate_class(bioguide_id)
        if found is not None:
            _senate_classes[key] = found
    return found


def _prepare_cwc(delivery: Delivery) -> Send:
    client = cwc_client()
    agent = cwc_agent()
    agent_problems = [p for p in cwc.check(_probe_message(), agent) if p.startswith("Delivery")]
    if agent_problems:
        # Our configuration, not the letter: keep retrying until an operator fixes it.
        raise TransientError("CWC delivery agent settings incomplete: " + "; ".join(agent_problems))

    letter = delivery.letter
    known = known_offices(client, option("DELIVERY_CWC_OFFICES_TTL"))
    office = delivery.cwc_office
    corrected = None
    if known is not None and office not in known:
        candidates = office_code_candidates(letter)
        corrected = cwc.pick_office_code(candidates, known)
        if corrected is None:
            raise NotAccepted(f"office {office} is not on the CWC offices list")
        office = corrected

    message = build_cwc_message(delivery, letter, office)
    try:
        xml = cwc.build_xml(message, agent)
    except cwc.CwcBuildError as exc:
        raise PermanentError("letter cannot be sent through CWC: " + "; ".join(exc.problems)) from None
    validate_first = bool(option("DELIVERY_CWC_VALIDATE_FIRST"))

    def run(before_handover=None) -> str:  # CWC recognizes a repeat by its DeliveryId: no marker needed
        if validate_first:
            client.validate(xml)
        return client.deliver(xml).value

    return Send(Channel.CWC.value, run, corrected_office=corrected)


def build_cwc_message(delivery: Delivery, letter, office: str) -> cwc.Message:
    action = letter.action
    campaign = _campaign(letter.campaign_id)
    return cwc.Message(
        delivery_id=delivery.cwc_delivery_id,
        # The date the letter was accepted, so every retry sends the identical document.
        delivery_date=delivery.created_at.date(),
        campaign_id=campaign.slug if campaign else str(letter.campaign_id),
        member_office=office,
        constituent=cwc.Constituent(
            prefix=cwc.cwc_prefix(getattr(action, "prefix", ""), option("CWC_DEFAULT_PREFIX")),
            first_name=action.first_name,
            last_name=action.last_name,
            address1=action.address,
            city=action.city,
            state=action.state,
            zip=action.zip,
            email=action.email,
            phone=action.phone or "",
        ),
        subject=letter.subject,
        topics=((campaign.cwc_topic if campaign else "") or "Immigration",),
        # The campaign's letter without the writer's own words, which go in ConstituentMessage.
        organization_statement=organization_statement(letter),
        constituent_message=letter.personal_message or "",
    )


def organization_statement(letter) -> str:
    """The letter without the writer's own words: kept at submission when CWC is on; for a letter written
    while it was off, the body with the words (which the template placed verbatim) taken out."""
    if getattr(letter, "statement_text", ""):
        return letter.statement_text
    words = letter.personal_message or ""
    if not words:
        return letter.body
    return letter.body.replace("\n\n" + words, "").replace(words, "")


def _probe_message() -> cwc.Message:
    """A message that is valid except for what `agent` contributes, to check the agent alone."""
    from datetime import date

    return cwc.Message(
        delivery_id="0" * 32,
        delivery_date=date.today(),
        campaign_id="probe",
        member_office="HNY12",
        constituent=cwc.Constituent(cwc.DEFAULT_PREFIX, "A", "B", "1 Main St", "Town", "NY", "10001", "a@example.org"),
        subject="Probe",
        topics=("Immigration",),
        organization_statement="Probe",
    )


# --- Email ----------------------------------------------------------------------------------------


def delivery_message_id(delivery: Delivery) -> str:
    """Stable across retries, so a resent copy is recognizably the same message."""
    return f"<{delivery.cwc_delivery_id}.letter@{sender_domain(settings())}>"


def letter_email_parts(letter) -> tuple[str, str]:
    """(plain text, HTML) for a letter sent by email: the letter, the constituent's own words, who sent it."""
    action = letter.action
    sections = [letter.body.strip()]
    if (letter.personal_message or "").strip():
        sections.append(letter.personal_message.strip())
    signature = [action.full_name, action.address, f"{action.city}, {action.state} {action.zip}", action.email]
    if action.phone:
        signature.append(action.phone)
    text = "\n\n".join(sections) + "\n\n--\n" + "\n".join(signature) + "\n"

    def paragraphs(block: str) -> str:
        return "".join(
            f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>"
            for p in block.replace("\r\n", "\n").split("\n\n")
            if p.strip()
        )

    body = "".join(paragraphs(s) for s in sections)
    sig = "<br>".join(html.escape(line) for line in signature)
    page = f'<!doctype html><html><head><meta charset="utf-8"></head><body>{body}<hr><p>{sig}</p></body></html>'
    return text, page


def _prepare_email(delivery: Delivery) -> Send:
    s = settings()
    if not delivery.recipient_email:
        raise PermanentError("email delivery without a recipient address")
    letter = delivery.letter
    text, page = letter_email_parts(letter)
    message = build_message(
        s,
        to=delivery.recipient_email,
        subject=letter.subject,
        text=text,
        html=page,
        reply_to=letter.action.email,
        headers={"Message-ID": delivery_message_id(delivery), "X-Advocacy-Delivery": delivery.id},
        from_name=letter.action.full_name,
    )

    def run(before_handover=None) -> str:
        send_message(s, message, before_data=before_handover)
        return "sent"

    return Send(Channel.EMAIL.value, run)


def _prepare_mail(delivery: Delivery) -> Send:
    """Mail to a constituent (a receipt, a follow-up...): rendered by its kind's renderer, sent like a letter."""
    s = settings()
    email = kinds.render(delivery)
    headers = {"Message-ID": f"<{delivery.cwc_delivery_id}.{delivery.kind}@{sender_domain(s)}>"}
    headers.update(email.headers)
    headers["X-Advocacy-Delivery"] = delivery.id
    message = build_message(
        s,
        to=email.to,
        subject=email.subject,
        text=email.text,
        html=email.html,
        reply_to=email.reply_to,
        headers=headers,
    )

    def run(before_handover=None) -> str:
        send_message(s, message, before_data=before_handover)
        return "sent"

    return Send(Channel.EMAIL.value, run)
