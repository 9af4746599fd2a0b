"""Delivery packets for lobby days and hand delivery: one PDF per office (cover page, then each letter),
and a ZIP holding every office's packet.

A packet holds at most VOLUME letters; an office with more gets several volumes (`-part2`, ...), so one
PDF never has to be built in memory for a hundred thousand letters.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from advocacy.campaigns.models import Campaign
from advocacy.db import utcnow
from advocacy.letters.models import Action
from advocacy.reports.exports import office_totals, stream_rows
from advocacy.reports.filters import ReportFilters
from advocacy.reports.sql import deliveries, district_label, letter_conditions, letters

VOLUME = 2000
PURGED_NAME = "(personal details removed)"

actions = Action.__table__


class PacketError(ValueError):
    """No such office in this campaign (with these filters), or no such volume."""


@dataclass(frozen=True)
class PacketOffice:
    office_key: str
    name: str
    title: str
    chamber: str
    state: str
    district: int | None
    letters: int
    constituents: int
    first: datetime
    last: datetime

    @property
    def volumes(self) -> int:
        return max(1, -(-self.letters // VOLUME))

    @property
    def label(self) -> str:
        where = district_label(self.state, self.district) if self.chamber == "house" else self.state
        return f"{self.title} {self.name}".strip() + (f" ({where})" if where else "")


def packet_offices(campaign: Campaign, filters: ReportFilters) -> list[PacketOffice]:
    return [
        PacketOffice(key, name, title or "", chamber, state or "", district, count, people, first, last)
        for key, _bio, name, title, chamber, state, district, count, people, first, last, _thanks in office_totals(
            campaign.id, filters
        )
    ]


def find_office(campaign: Campaign, office_key: str, filters: ReportFilters) -> PacketOffice:
    scoped = ReportFilters(filters.date_from, filters.date_to, None, None, office_key, filters.status)
    found = packet_offices(campaign, scoped)
    if not found:
        raise PacketError("No letters to that office match these filters.")
    return found[0]


def packet_filename(slug: str, office_key: str, volume: int, volumes: int, today: date) -> str:
    part = f"-part{volume}" if volumes > 1 else ""
    return f"{slug}-packet-{office_key.replace(':', '-')}{part}-{today.isoformat()}.pdf"


def _letters_query(campaign_id: int, office_key: str, filters: ReportFilters, volume: int):
    source = letters.join(actions, actions.c.id == letters.c.action_id)
    if filters.status:
        source = source.join(deliveries, deliveries.c.letter_id == letters.c.id)
    scoped = ReportFilters(filters.date_from, filters.date_to, None, None, office_key, filters.status)
    return (
        select(
            letters.c.created_at,
            actions.c.first_name,
            actions.c.last_name,
            actions.c.address,
            actions.c.city,
            actions.c.state,
            actions.c.zip,
            actions.c.purged_at,
            letters.c.subject,
            letters.c.body,
            letters.c.personal_message,
        )
        .select_from(source)
        .where(*letter_conditions(campaign_id, scoped))
        .order_by(letters.c.created_at, letters.c.id)
        .limit(VOLUME)
        .offset((volume - 1) * VOLUME)
    )


def _is_east_asian(text: str) -> bool:
    # Han, kana and Hangul: names written family name first, without a space (周锋锁, 김민수).
    return bool(text) and all(
        "\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" or ch.isspace()
        for ch in text
    )


def display_name(first: str, last: str) -> str:
    if _is_east_asian(first) and _is_east_asian(last):
        return f"{last}{first}".strip()
    return f"{first} {last}".strip()


def _day(value: datetime | date | None) -> str:
    return value.strftime("%B %-d, %Y") if value else ""


def build_packet(
    campaign: Campaign, office: PacketOffice, filters: ReportFilters, volume: int = 1, today: date | None = None
) -> tuple[bytes, int]:
    """The PDF for one office (one volume of it) and how many letters it holds."""
    if not 1 <= volume <= office.volumes:
        raise PacketError(f"This office's packet has {office.volumes} part(s).")
    today = today or utcnow().date()
    from advocacy.reports.pdf import PacketDocument  # fpdf2 loads only when a packet is built

    pdf = PacketDocument(f"{campaign.title} · {office.label}")
    pdf.set_title(f"{campaign.title}: letters to {office.label}")
    pdf.set_creator("advocacy")
    pdf.add_page()
    pdf.ln(30)
    pdf.para("Constituent letters", 13, gap=4)
    pdf.para(campaign.title, 20, bold=True, gap=8)
    pdf.para(f"To: {office.label}", 14, bold=True, gap=8)
    first = filters.date_from or office.first.date()
    last = filters.date_to or office.last.date()
    facts = [
        f"Constituents: {office.constituents:,}",
        f"Letters: {office.letters:,}",
        f"Dates: {_day(first)} to {_day(last)}",
        f"Prepared: {_day(today)}",
    ]
    if office.volumes > 1:
        facts.append(f"Part {volume} of {office.volumes}")
    for line in facts:
        pdf.para(line, 12, gap=1)
    count = 0
    for row in stream_rows(_letters_query(campaign.id, office.office_key, filters, volume)):
        created, first_name, last_name, address, city, state, zip_, purged_at, subject, body, message = row
        pdf.add_page()
        name = display_name(first_name, last_name) or PURGED_NAME
        if purged_at is not None:
            name = PURGED_NAME
        pdf.para(_day(created), 10, gap=3)
        pdf.para(name, 12, bold=True, gap=0)
        place = ", ".join(p for p in (city, f"{state} {zip_}".strip()) if p)
        for line in (address, place):
            if line and purged_at is None:
                pdf.para(line, 11, gap=0)
        pdf.ln(4)
        pdf.para(f"Subject: {subject}", 11, bold=True, gap=4)
        pdf.para(body, 11, gap=4)
        if message and message.strip() not in body:  # a letter usually carries the words already: print them once
            pdf.para("In the constituent's own words:", 11, bold=True, gap=1)
            pdf.para(message, 11, gap=4)
        count += 1
    return bytes(pdf.output()), count


def write_packets_zip(
    campaign: Campaign,
    filters: ReportFilters,
    target,
    progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
) -> tuple[int, int]:
    """Every office's packet in one ZIP written to `target` (path or binary file): (files, letters)."""
    today = today or utcnow().date()
    offices = packet_offices(campaign, filters)
    files = total = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for office in offices:
            for volume in range(1, office.volumes + 1):
                data, count = build_packet(campaign, office, filters, volume, today)
                name = packet_filename(campaign.slug, office.office_key, volume, office.volumes, today)
                archive.writestr(name, data)
                files, total = files + 1, total + count
                if progress is not None:
                    progress(files, total)
    return files, total
