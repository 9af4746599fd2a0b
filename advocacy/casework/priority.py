"""Priority targets: which offices a campaign's committees, caucuses, states and named offices cover, what to
tell a writer whose member is one, and how far letters to them have come."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask_babel import gettext
from markupsafe import Markup, escape
from sqlalchemy import func, select

from advocacy.campaigns.models import MAX_NAME, MAX_PRIORITY_TARGETS, MAX_REASON
from advocacy.campaigns.pickers import chosen_committees, chosen_offices
from advocacy.campaigns.validation import BIOGUIDE_RE, THOMAS_RE, clean_ids, unknown_committees, unknown_members
from advocacy.casework.facts import CaseworkError
from advocacy.congress.models import Committee, CommitteeMembership
from advocacy.congress.offices import Office, current_offices, office_for
from advocacy.extensions import db
from advocacy.i18n import DEFAULT, current_language
from advocacy.labels import label, office_title
from advocacy.letters.models import Letter
from advocacy.places import N_, STATE_FIPS, STATE_NAMES, state_label

# Why an office is a priority, by the target's kind: a phrase for the scoreboard's "Why" column and staff pages,
# and the whole sentence a writer reads on the review page (one sentence per kind, so each language orders it
# its own way). `name` is the committee's name as the congress data gives it, the caucus's as the organizer
# typed it, or the state's.
WHY_PHRASES = {
    "committee": N_("sits on the %(name)s"),
    "office": N_("is a priority office for this campaign"),
    "caucus": N_("is a member of the %(name)s"),
    "state": N_("is in %(name)s's delegation"),
}
NOTES = {
    "committee": N_("%(office)s sits on the %(name)s: your letter matters most."),
    "office": N_("%(office)s is a priority office for this campaign: your letter matters most."),
    "caucus": N_("%(office)s is a member of the %(name)s: your letter matters most."),
    "state": N_("%(office)s is in %(name)s's delegation: your letter matters most."),
}


def _english(text: str) -> Markup:
    """An English proper name inside a sentence in another language, marked so that readers and screen readers
    know (as other English fallbacks are); plain on an English page."""
    if current_language().code == DEFAULT:
        return escape(text)
    return Markup('<span lang="en" dir="ltr">%s</span>') % text


@dataclass(frozen=True)
class Why:
    """Why an office is a priority: the target's kind and what it names (a committee's or caucus's name, a state
    code). `str()` is the English phrase (staff pages); `words()` and `note()` speak the page's language."""

    kind: str  # committee | office | caucus | state
    name: str = ""

    def __str__(self) -> str:
        return WHY_PHRASES[self.kind] % {"name": STATE_NAMES.get(self.name, self.name)}

    def _name(self) -> Markup:
        return escape(state_label(self.name)) if self.kind == "state" else _english(self.name)

    def words(self) -> Markup:
        """The phrase in the page's language: "sits on the Senate Committee on the Judiciary"."""
        return escape(gettext(WHY_PHRASES[self.kind])) % {"name": self._name()}

    def note(self, office: Office) -> Markup:
        """What a writer is told, in the page's language: "Senator X sits on the …: your letter matters most."."""
        who = f"{office_title(office.title)} {office.name}"
        return escape(gettext(NOTES[self.kind])) % {"office": who, "name": self._name()}


@dataclass
class PriorityOffice:
    office: Office
    why: list[Why] = field(default_factory=list)  # why it is a priority, in the file's order
    reasons: list[str] = field(default_factory=list)  # the organizers' reasons (English), same order
    letters: int = 0

    @property
    def note(self) -> Markup:
        """What a writer is told, in the page's language: "Senator X sits on the Judiciary Committee: your letter
        matters most"."""
        return self.why[0].note(self.office)


def _committee_names(ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(
        db.session.execute(select(Committee.thomas_id, Committee.name).where(Committee.thomas_id.in_(ids))).all()
    )


def priority_offices(campaign) -> dict[str, PriorityOffice]:
    """Every sitting office a priority target covers, by bioguide id, with why (in the file's order)."""
    targets = list(campaign.priority_targets or ())
    if not targets:
        return {}
    found: dict[str, PriorityOffice] = {}

    def add(office: Office | None, why: Why, reason: str) -> None:
        if office is None:
            return
        entry = found.setdefault(office.bioguide_id, PriorityOffice(office))
        entry.why.append(why)
        entry.reasons.append(reason)

    committees = [t["id"] for t in targets if t.get("kind") == "committee"]
    names = _committee_names(committees)
    seats: dict[str, list[str]] = {}
    if committees:
        for committee_id, bioguide_id in db.session.execute(
            select(CommitteeMembership.committee_id, CommitteeMembership.bioguide_id).where(
                CommitteeMembership.committee_id.in_(committees)
            )
        ):
            seats.setdefault(committee_id, []).append(bioguide_id)
    offices = None
    for target in targets:
        kind, ref, reason = target.get("kind"), target.get("id", ""), target.get("reason", "")
        if kind == "committee":
            for bioguide_id in seats.get(ref, []):
                add(office_for(bioguide_id), Why(kind, names.get(ref, ref)), reason)
        elif kind == "office":
            add(office_for(ref), Why(kind), reason)
        elif kind == "caucus":
            for bioguide_id in target.get("members", []):
                add(office_for(bioguide_id), Why(kind, ref), reason)
        elif kind == "state":
            offices = offices if offices is not None else current_offices()
            for office in offices:
                if office.state == ref:
                    add(office, Why(kind, ref), reason)
    return found


def notes_for(campaign, bioguide_ids) -> list[PriorityOffice]:
    """The writer's own offices that are priority targets, in the order given."""
    found = priority_offices(campaign)
    return [found[i] for i in bioguide_ids if i in found]


def progress(campaign) -> list[PriorityOffice]:
    """Priority offices with the number of campaign letters each has had; those with none first."""
    found = priority_offices(campaign)
    if found:
        counts = dict(
            db.session.execute(
                select(Letter.office_key, func.count(Letter.id))
                .where(Letter.campaign_id == campaign.id, Letter.office_key.in_(list(found)))
                .group_by(Letter.office_key)
            ).all()
        )
        for bioguide_id, entry in found.items():
            entry.letters = counts.get(bioguide_id, 0)
    return sorted(found.values(), key=lambda p: (p.letters > 0, p.office.state, p.office.chamber, p.office.name))


@dataclass(frozen=True)
class PriorityRow:
    """A priority office on the public scoreboard: its scoreboard row and why it is a priority."""

    row: object  # statements.scoreboard.OfficeRow
    why: tuple[Why, ...]

    @property
    def acted(self) -> bool:
        return self.row.spoken or self.row.action_stance == "supports"


def priority_rows(campaign, board) -> list[PriorityRow]:
    """The board's rows for the priority offices, kept with the board while it and the targets are unchanged
    (the committee seats are read once per version, not on every page view)."""
    targets = list(campaign.priority_targets or ())
    if not targets:
        return []
    key = ("priority", json.dumps(targets, sort_keys=True))
    kept = board.rendered.get(key)
    if kept is None:
        found = priority_offices(campaign)
        rows = [
            PriorityRow(r, tuple(found[r.office.bioguide_id].why)) for r in board.rows if r.office.bioguide_id in found
        ]
        kept = board.rendered[key] = sorted(rows, key=lambda p: (not p.acted, p.row.office.state, p.row.office.name))
    return kept


def clean_target(kind: str, ref: str, members: list[str], reason: str) -> dict:
    """One priority target as stored on the campaign (and written in campaign files), or CaseworkError."""
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > MAX_REASON:
        raise CaseworkError("reason", f"Give the reason, in at most {MAX_REASON} characters.")
    ref = (ref or "").strip()
    if kind == "committee":
        ids, problem = clean_ids([ref], THOMAS_RE, "committee id (e.g. SSJU)")
        if problem or not ids or unknown_committees(ids):
            raise CaseworkError("ref", problem or "No committee has that id (see the congress data, e.g. SSJU).")
        return {"kind": kind, "id": ids[0], "reason": reason}
    if kind == "office":
        ids, problem = clean_ids([ref], BIOGUIDE_RE, "bioguide id (e.g. K000391)")
        if problem or not ids or unknown_members(ids) or office_for(ids[0]) is None:
            raise CaseworkError("ref", problem or "No sitting member has that bioguide id.")
        return {"kind": kind, "id": ids[0], "reason": reason}
    if kind == "state":
        if ref.upper() not in STATE_FIPS:
            raise CaseworkError("ref", "Give a two-letter state code, e.g. NY.")
        return {"kind": kind, "id": ref.upper(), "reason": reason}
    if kind == "caucus":
        ids, problem = clean_ids(members, BIOGUIDE_RE, "bioguide id")
        if not ref or len(ref) > MAX_NAME:
            raise CaseworkError("ref", "Give the caucus's name.")
        if problem or not ids or unknown_members(ids):
            raise CaseworkError("members", problem or "List the caucus's members by bioguide id (sitting members).")
        return {"kind": kind, "id": ref, "members": ids, "reason": reason}
    raise CaseworkError("kind", "Choose committee, office, state or caucus.")


def picked_targets(committees: list[str], offices: list[str], state: str, caucus: str, reason: str) -> list[dict]:
    """The priority targets an organizer picked in one go, each as stored (the same shape as `clean_target`'s),
    or CaseworkError naming the form's field. A caucus name makes the offices picked its members; without one
    each office picked is a target of its own."""
    caucus = " ".join((caucus or "").split())
    if not (committees or offices or state or caucus):
        raise CaseworkError("office", "Pick a committee or an office, choose a state, or name a caucus.")
    if caucus and not offices:
        raise CaseworkError("office", "Pick the caucus's members among the offices.")
    offices = list(dict.fromkeys(offices))
    picks = [("committee", ref, [], "committee") for ref in dict.fromkeys(committees)]
    picks += [("caucus", caucus, offices, "caucus")] if caucus else [("office", ref, [], "office") for ref in offices]
    picks += [("state", state, [], "state")] if state else []
    targets = []
    for kind, ref, members, field_name in picks:
        try:
            targets.append(clean_target(kind, ref, members, reason))
        except CaseworkError as exc:  # name the picker it is about (clean_target speaks of typed fields)
            raise CaseworkError({"reason": "reason", "members": "office"}.get(exc.field, field_name), str(exc)) from exc
    return targets


def add_target(campaign, target: dict) -> None:
    add_targets(campaign, [target])


def add_targets(campaign, targets: list[dict]) -> None:
    """Add them all, or none (CaseworkError) when one is there already or they would be too many."""
    current = list(campaign.priority_targets or [])
    if len(current) + len(targets) > MAX_PRIORITY_TARGETS:
        raise CaseworkError("office", f"At most {MAX_PRIORITY_TARGETS} priority targets.")
    for target in targets:
        if any((t.get("kind"), t.get("id")) == (target["kind"], target["id"]) for t in current):
            raise CaseworkError("office", f"{describe(target)} is already a priority.")
    campaign.priority_targets = [*current, *targets]
    db.session.commit()


def describe(target: dict) -> str:
    """A stored priority target in words: "Committee: Senate Committee on the Judiciary", never "committee SSJU"."""
    return describe_targets([target])[0]


def describe_targets(targets: list[dict]) -> list[str]:
    """`describe` for each target, the committees' names read in one query."""
    committees = {
        c.value: c.text for c in chosen_committees([t.get("id", "") for t in targets if t.get("kind") == "committee"])
    }
    described = []
    for target in targets:
        kind, ref = target.get("kind", ""), target.get("id", "")
        if kind == "committee":
            what = committees.get(ref, ref)
        elif kind == "office":
            what = chosen_offices([ref])[0].text
        elif kind == "state":
            what = STATE_NAMES.get(ref, ref)
        elif kind == "caucus":
            members = ", ".join(c.text for c in chosen_offices(target.get("members", [])))
            what = f"{ref} ({members})" if members else ref
        else:
            what = ref
        described.append(f"{label(kind, 'priority_kind')}: {what}")
    return described


def remove_target(campaign, index: int) -> bool:
    current = list(campaign.priority_targets or [])
    if not 0 <= index < len(current):
        return False
    del current[index]
    campaign.priority_targets = current
    db.session.commit()
    return True
