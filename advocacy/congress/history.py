"""Every Congress's roster, kept: who held each seat, with their party, names, DC office and district offices
as the data had them in that Congress (`CongressRoster`, `RosterMember`).

The live tables (members, district_offices) hold the Congress in office; a new Congress rewrites them. These
rows are written beside them, by every `legislators sync` (for the Congress in office at the time, or the one
named with --congress when a release is applied) and when the next Congress is loaded ahead, and are never
rewritten by a later Congress. History reads them: a statement, a letter or an export of a past campaign names
the member as they were in the Congress of its date (`office_in_congress`, `offices_as_of`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select

from advocacy.congress.calendar import congress_number
from advocacy.congress.models import CongressRoster, RosterMember
from advocacy.congress.offices import Office, member_view, office_for, office_from_member
from advocacy.congress.parse import LegislatorData
from advocacy.extensions import db

OFFICE_FIELDS = ("id", "address", "suite", "building", "city", "state", "zip", "phone", "latitude", "longitude")


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date | datetime) else value


def keep_roster(
    data: LegislatorData, congress: int, effective_at: datetime, source: str, now: datetime, fresh: bool = False
) -> int:
    """Keep `data` as the roster of `congress`; returns how many members it holds. Members of that Congress
    missing from `data` have left during it (`left_at` is set, the row stays). With `fresh` (a roster loaded
    ahead, perhaps again with a corrected file) the Congress's earlier rows are replaced instead."""
    kept = db.session.get(CongressRoster, congress)
    if kept is None:
        kept = CongressRoster(congress=congress, effective_at=effective_at, source=source[:500], updated_at=now)
        db.session.add(kept)
        db.session.flush()
    else:
        kept.source, kept.updated_at = source[:500], now
        if fresh:
            kept.effective_at = effective_at
    if fresh:
        db.session.execute(delete(RosterMember).where(RosterMember.congress == congress))
    existing = {
        r.bioguide_id: r for r in db.session.scalars(select(RosterMember).where(RosterMember.congress == congress))
    }
    offices: dict[str, list[dict]] = {}
    for row in sorted(data.offices.values(), key=lambda o: (o["bioguide_id"], o.get("position") or 0)):
        offices.setdefault(row["bioguide_id"], []).append({k: row.get(k) for k in OFFICE_FIELDS})
    for bioguide_id, row in data.members.items():
        record = {k: _plain(v) for k, v in row.items()}
        values = {
            "chamber": row["chamber"],
            "state": row["state"],
            "district": row.get("district"),
            "party": row["party"],
            "name": office_from_member(member_view(record)).name[:200],
            "record": record,
            "district_offices": offices.get(bioguide_id, []),
            "left_at": None,
        }
        found = existing.get(bioguide_id)
        if found is None:
            db.session.add(RosterMember(congress=congress, bioguide_id=bioguide_id, **values))
        else:
            for key, value in values.items():
                if getattr(found, key) != value:
                    setattr(found, key, value)
    for bioguide_id, found in existing.items():
        if bioguide_id not in data.members and found.left_at is None:
            found.left_at = now
    db.session.flush()
    return len(data.members)


def office_in_congress(bioguide_id: str, congress: int) -> Office | None:
    """The member's office as it was in `congress`, if that Congress's roster was kept and held them."""
    record = db.session.scalar(
        select(RosterMember.record).where(RosterMember.congress == congress, RosterMember.bioguide_id == bioguide_id)
    )
    return office_from_member(member_view(record)) if record is not None else None


def offices_as_of(pairs: set[tuple[str, date]]) -> dict[tuple[str, date], Office]:
    """For each (bioguide id, date), the member's office in the Congress of that date; where no roster of that
    Congress holds them, their office now (or their last, if they have left)."""
    wanted = {(b, congress_number(d)) for b, d in pairs}
    kept: dict[tuple[str, int], Office] = {}
    if wanted:
        rows = db.session.execute(
            select(RosterMember.bioguide_id, RosterMember.congress, RosterMember.record).where(
                RosterMember.bioguide_id.in_(sorted({b for b, _ in wanted})),
                RosterMember.congress.in_(sorted({c for _, c in wanted})),
            )
        )
        kept = {(b, c): office_from_member(member_view(r)) for b, c, r in rows}
    found = {}
    for bioguide_id, day in pairs:
        office = kept.get((bioguide_id, congress_number(day))) or office_for(bioguide_id, include_former=True)
        if office is not None:
            found[(bioguide_id, day)] = office
    return found
