"""The casework packet: one PDF for one office, to open or support a congressional inquiry.

It holds the case summary, the public timeline, the privacy release's status, how many of the office's
constituents wrote, the organizer's contact, and the private facts only when the office has opened an
inquiry and the organizer confirmed (the caller decides; `private` is None otherwise)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from advocacy.casework.facts import PrivateFacts
from advocacy.casework.models import ACTION_LABELS, OfficeAction
from advocacy.congress.offices import Office
from advocacy.extensions import db
from advocacy.i18n import public_timeline
from advocacy.letters.models import Letter
from advocacy.statements.scoreboard import office_label


def constituents_who_wrote(campaign_id: int, bioguide_id: str) -> int:
    return (
        db.session.scalar(
            select(func.count(func.distinct(Letter.action_id))).where(
                Letter.campaign_id == campaign_id, Letter.office_key == bioguide_id
            )
        )
        or 0
    )


def _plain(markdown: str) -> str:
    return "\n".join(line.lstrip("#> ").replace("**", "") for line in (markdown or "").splitlines()).strip()


def build_casework_packet(
    campaign,
    office: Office,
    *,
    release_status: str,
    organizer_contact: str,
    private: PrivateFacts | None,
    today: dt.date,
) -> bytes:
    from advocacy.reports.pdf import PacketDocument  # fpdf2 loads only when a packet is built

    label = office_label(office)
    pdf = PacketDocument(f"{campaign.title} · casework · {label}")
    pdf.set_title(f"{campaign.title}: casework packet for {label}")
    pdf.set_creator("advocacy")
    pdf.add_page()
    pdf.para("Casework packet", 13, gap=3)
    pdf.para(campaign.title, 20, bold=True, gap=4)
    pdf.para(f"For: {label}", 13, bold=True, gap=2)
    pdf.para(f"Prepared: {today:%B} {today.day}, {today.year}", 11, gap=2)
    pdf.para(f"Contact for the organizers: {organizer_contact}", 11, gap=2)
    wrote = constituents_who_wrote(campaign.id, office.bioguide_id)
    pdf.para(f"Constituents of this office who wrote through this campaign: {wrote:,}", 11, bold=True, gap=6)

    pdf.para("The case", 14, bold=True, gap=2)
    pdf.para(f"Detained person: {campaign.detainee_name}", 11, gap=2)
    if campaign.ask:
        pdf.para(f"What we ask: {campaign.ask}", 11, gap=2)
    pdf.para(_plain(campaign.story_markdown), 10, gap=6)

    pdf.para("Privacy release", 14, bold=True, gap=2)
    pdf.para(f"Status: {release_status}", 11, gap=6)

    if private is not None:
        pdf.para("Private case facts (for the office's inquiry only; do not publish)", 14, bold=True, gap=2)
        for name, value in (
            ("A-number", private.a_number),
            ("Date of birth", private.birth_date),
            ("Lawyer", private.lawyer_name),
            ("Lawyer's contact", private.lawyer_contact),
        ):
            pdf.para(f"{name}: {value or '(not recorded)'}", 11, gap=1)
        pdf.ln(5)

    actions = db.session.scalars(
        select(OfficeAction)
        .where(OfficeAction.campaign_id == campaign.id, OfficeAction.bioguide_id == office.bioguide_id)
        .order_by(OfficeAction.date)
    ).all()
    if actions:
        pdf.para("This office's actions so far", 14, bold=True, gap=2)
        for action in actions:
            pdf.para(f"{action.date.isoformat()}: {ACTION_LABELS.get(action.kind, action.kind)}", 11, gap=1)
        pdf.ln(5)

    pdf.para("Timeline (public record)", 14, bold=True, gap=2)
    for event in public_timeline(campaign):
        where = ", ".join(p for p in (event.get("facility"), event.get("city"), event.get("state")) if p)
        line = f"{event.get('date', '')}: {event.get('event', '')}" + (f" [{where}]" if where else "")
        pdf.para(line, 10, gap=0)
        pdf.para(f"Source: {event.get('source', '')} {event.get('source_url') or ''}".strip(), 8, gap=2)
    return bytes(pdf.output())
