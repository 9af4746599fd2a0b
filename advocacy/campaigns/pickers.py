"""Pickers instead of IDs: find offices by name, state or district and committees by name, and describe the
ones a campaign already targets. The stored values stay ids (bioguide ids, thomas ids); people see names.

The same search serves the page without JavaScript (a GET form whose results are checkboxes) and the
progressive enhancement in static/js/picker.js (the JSON routes in campaigns/views.py). An office shows the
member's photo when `flask legislators photos` has stored it on this site (our pages load nothing from other
origins), else its initials.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from advocacy.congress.models import Committee
from advocacy.congress.offices import Office, current_offices, office_for, office_matches
from advocacy.congress.photos import photo_path
from advocacy.extensions import db
from advocacy.labels import label

MAX_RESULTS = 25


@dataclass(frozen=True)
class Choice:
    """One pickable thing: the id we store and the words people read."""

    value: str
    text: str
    detail: str = ""
    initials: str = ""
    photo: str = ""  # the member's photo on this site, when stored

    def to_json(self) -> dict:
        return {
            "value": self.value,
            "text": self.text,
            "detail": self.detail,
            "initials": self.initials,
            "photo": self.photo,
        }


def initials(name: str) -> str:
    words = [w for w in name.replace(".", " ").split() if w[:1].isalpha()]
    if not words:
        return "?"
    return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()


def office_choice(office: Office) -> Choice:
    seat = (
        office.state
        if office.chamber == "senate"
        else f"{office.state}-{'AL' if office.district == 0 else office.district}"
    )
    party = (office.party or "")[:1]
    return Choice(
        office.bioguide_id,
        f"{office.title} {office.name}",
        f"{label(office.chamber, 'chamber')} · {party}-{seat} · {office.party}",
        initials(office.name),
        url_for("lookup.member_photo", bioguide_id=office.bioguide_id) if photo_path(office.bioguide_id) else "",
    )


def committee_choice(committee: Committee, parent: Committee | None = None) -> Choice:
    name = f"{parent.name}: {committee.name}" if parent else committee.name
    kind = "Subcommittee" if committee.parent_id else "Committee"
    return Choice(committee.thomas_id, name, f"{label(committee.chamber, 'chamber')} · {kind}")


def find_offices(query: str, exclude: Iterable[str] = ()) -> list[Choice]:
    query = (query or "").strip()[:100]
    if not query:
        return []
    skip = set(exclude)
    found = [o for o in current_offices() if o.bioguide_id not in skip and office_matches(o, query)]
    found.sort(key=lambda o: (o.chamber != "senate", o.state, o.district or 0, o.last_name))
    return [office_choice(o) for o in found[:MAX_RESULTS]]


def find_committees(query: str, exclude: Iterable[str] = ()) -> list[Choice]:
    query = (query or "").strip()[:100]
    if not query:
        return []
    # A word may match the committee or, for a subcommittee, its parent ("judiciary immigration").
    parent = aliased(Committee)
    every_word = [or_(Committee.name.ilike(f"%{w}%"), parent.name.ilike(f"%{w}%")) for w in query.split()]
    rows = db.session.scalars(
        select(Committee)
        .outerjoin(parent, Committee.parent_id == parent.thomas_id)
        .where(*every_word)
        .order_by(Committee.parent_id.is_not(None), Committee.name)
        .limit(MAX_RESULTS * 2)
    ).all()
    parents = _committees({r.parent_id for r in rows if r.parent_id})
    skip = set(exclude)
    return [committee_choice(r, parents.get(r.parent_id)) for r in rows if r.thomas_id not in skip][:MAX_RESULTS]


def _committees(ids: Iterable[str]) -> dict[str, Committee]:
    ids = [i for i in ids if i]
    if not ids:
        return {}
    return {c.thomas_id: c for c in db.session.scalars(select(Committee).where(Committee.thomas_id.in_(ids)))}


def chosen_offices(ids: Iterable[str]) -> list[Choice]:
    """The campaign's targets as people read them (an id the roster no longer knows is shown as itself)."""
    choices = []
    for bioguide_id in ids:
        office = office_for(bioguide_id, include_former=True)
        choices.append(office_choice(office) if office else Choice(bioguide_id, bioguide_id, "not in the roster"))
    return choices


def chosen_committees(ids: Iterable[str]) -> list[Choice]:
    ids = list(ids)
    rows = _committees(ids)
    parents = _committees({r.parent_id for r in rows.values() if r.parent_id})
    return [
        committee_choice(rows[i], parents.get(rows[i].parent_id)) if i in rows else Choice(i, i, "unknown committee")
        for i in ids
    ]
