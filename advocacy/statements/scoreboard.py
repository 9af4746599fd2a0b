"""The scoreboard: every sitting office with its stance, totals and breakdowns, and the timeline.

Built from one query (the campaign's statements, newest first) and the in-memory roster of offices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext
from sqlalchemy import func, select

from advocacy.caching import BoundedCache, bounded_cache
from advocacy.campaigns.snapshots import MAX_TTL, read_through
from advocacy.congress.models import Member
from advocacy.congress.offices import Office, current_offices, office_from_member, roster
from advocacy.extensions import db
from advocacy.folding import fold_text
from advocacy.places import NO_SENATORS, STATE_NAMES, district_label
from advocacy.stances import KIND_LABELS, Stance
from advocacy.statements.models import Statement, latest_order
from advocacy.statements.stategrid import StateCount

SEATS = 535  # 100 senators and 435 voting representatives
STANCES = ("supports", "neutral", "opposes")
STANCE_ORDER = {"supports": 0, "neutral": 1, "opposes": 2, None: 3}
SORT_KEYS = ("name", "state", "chamber", "party", "stance", "date")
GROUP_LABELS = {
    "senate": lazy_gettext("Senate"),
    "house": lazy_gettext("House"),
    "delegates": lazy_gettext("Delegates and Resident Commissioner"),
}


@dataclass(frozen=True)
class StatementEntry:
    id: int
    bioguide_id: str
    date: dt.date
    kind: str
    stance: str
    source_url: str
    quote_or_summary: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "kind": self.kind,
            "stance": self.stance,
            "source_url": self.source_url,
            "quote_or_summary": self.quote_or_summary,
        }


@dataclass(frozen=True)
class ActionEntry:
    """An office's action beyond a statement (casework records them): its kind and the stance it implies."""

    id: int
    bioguide_id: str
    date: dt.date
    kind: str
    label: str
    implied_stance: str
    evidence_url: str | None

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "kind": self.kind,
            "label": self.label,
            "implied_stance": self.implied_stance,
            "evidence_url": self.evidence_url,
        }


# Office actions come from the casework package, which sits above this one: it registers how to read them
# (entries newest first) and the columns that change when they do (scalar subqueries, read in the same query
# as the statements' stamp), so this module imports nothing from it.
_action_source: tuple[Callable[[int], list[ActionEntry]], Callable[[int], list]] | None = None


def register_action_source(load: Callable[[int], list[ActionEntry]], stamp_columns: Callable[[int], list]) -> None:
    global _action_source
    _action_source = (load, stamp_columns)


def is_delegate(office: Office) -> bool:
    """Delegates and the Resident Commissioner sit in the House but are not among the 535 voting seats."""
    return office.chamber == "house" and office.state in NO_SENATORS


def group_of(office: Office) -> str:
    return "delegates" if is_delegate(office) else office.chamber


def party_letter(party: str) -> str:
    return (party or "?")[:1].upper()


def where_label(office: Office) -> str:
    """NY for a senator, NY-12 or WY-AL for a representative, DC for a delegate."""
    return office.state if is_delegate(office) else district_label(office.state, office.district)


def office_label(office: Office) -> str:
    """Sen. Kirsten E. Gillibrand (D-NY), Rep. Jerrold Nadler (D-NY-12), Del. Eleanor Holmes Norton (D-DC)."""
    short = {"Senator": "Sen.", "Representative": "Rep.", "Delegate": "Del.", "Resident Commissioner": "Res. Comm."}
    where = where_label(office)
    return f"{short.get(office.title, office.title)} {office.name} ({party_letter(office.party)}-{where})"


@dataclass
class OfficeRow:
    office: Office
    statements: list[StatementEntry] = field(default_factory=list)  # newest first
    actions: list[ActionEntry] = field(default_factory=list)  # newest first

    @property
    def action_stance(self) -> str | None:
        """The stance the office's latest action implies; "has spoken" stays the statements' own."""
        return self.actions[0].implied_stance if self.actions else None

    @property
    def latest(self) -> StatementEntry | None:
        return self.statements[0] if self.statements else None

    @property
    def stance(self) -> str | None:
        return self.statements[0].stance if self.statements else None

    @property
    def spoken(self) -> bool:
        return self.stance == Stance.SUPPORTS.value

    @property
    def group(self) -> str:
        return group_of(self.office)

    @property
    def where(self) -> str:
        return where_label(self.office)

    def to_json(self) -> dict:
        o = self.office
        return {
            "bioguide_id": o.bioguide_id,
            "name": o.name,
            "title": o.title,
            "chamber": o.chamber,
            "state": o.state,
            "district": o.district,
            "party": o.party,
            "delegate": is_delegate(o),
            "stance": self.stance,
            "statements": [s.to_json() for s in self.statements],
            "actions": [a.to_json() for a in self.actions],
            "action_stance": self.action_stance,
        }


@dataclass
class Tally:
    offices: int = 0
    supports: int = 0
    neutral: int = 0
    opposes: int = 0

    @property
    def spoken(self) -> int:
        return self.supports

    @property
    def not_spoken(self) -> int:
        return self.offices - self.supports - self.neutral - self.opposes

    @property
    def percent(self) -> int:
        return round(100 * self.supports / self.offices) if self.offices else 0

    def add(self, stance: str | None) -> None:
        self.offices += 1
        if stance in STANCES:
            setattr(self, stance, getattr(self, stance) + 1)

    def to_json(self) -> dict:
        return {
            "offices": self.offices,
            "spoken": self.spoken,
            "supports": self.supports,
            "neutral": self.neutral,
            "opposes": self.opposes,
            "not_spoken": self.not_spoken,
        }


@dataclass
class Scoreboard:
    rows: list[OfficeRow]
    statements: list[StatementEntry]  # every statement in the campaign, newest first
    names: dict[str, str]  # bioguide id -> label, including members who have since left
    # Pieces rendered from this board once and reused while it is current (HTML, JSON): a bounded cache that
    # lives and dies with the board (itself held in the registered "scoreboards" cache).
    rendered: BoundedCache = field(default_factory=lambda: BoundedCache("scoreboard parts", 16, BOARD_TTL), repr=False)

    def __post_init__(self) -> None:
        self.voting = Tally()
        self.delegates = Tally()
        self.by_group: dict[str, Tally] = {"senate": Tally(), "house": Tally(), "delegates": Tally()}
        self.by_party: dict[str, Tally] = {}
        self.by_state: dict[str, Tally] = {}
        for row in self.rows:
            (self.delegates if is_delegate(row.office) else self.voting).add(row.stance)
            self.by_group[row.group].add(row.stance)
            self.by_party.setdefault(row.office.party or "Unknown", Tally()).add(row.stance)
            self.by_state.setdefault(row.office.state, Tally()).add(row.stance)
        self.by_party = dict(sorted(self.by_party.items(), key=lambda kv: -kv[1].offices))
        self.by_state = dict(sorted(self.by_state.items(), key=lambda kv: STATE_NAMES.get(kv[0], kv[0])))

    @property
    def vacant(self) -> int:
        return max(SEATS - self.voting.offices, 0)

    @property
    def last_statement(self) -> StatementEntry | None:
        return self.statements[0] if self.statements else None

    def state_counts(self) -> dict[str, StateCount]:
        return {state: StateCount(t.offices, t.spoken) for state, t in self.by_state.items()}

    def totals_json(self) -> dict:
        return {
            "seats": SEATS,
            "vacant": self.vacant,
            **self.voting.to_json(),
            "delegates": self.delegates.to_json(),
            "statements": len(self.statements),
            "last_statement_date": self.last_statement.date.isoformat() if self.last_statement else None,
            "by_chamber": {group: tally.to_json() for group, tally in self.by_group.items()},
            "by_party": {party: tally.to_json() for party, tally in self.by_party.items()},
            "by_state": {state: tally.to_json() for state, tally in self.by_state.items()},
        }

    def to_json(self) -> dict:
        return {"totals": self.totals_json(), "offices": [row.to_json() for row in self.rows]}

    def timeline(self, limit: int | None = None) -> list[tuple[str, list[StatementEntry]]]:
        """Statements grouped by month ("August 2025"), newest first; the latest `limit` of them."""
        months: dict[str, list[StatementEntry]] = {}
        for entry in self.statements[:limit]:
            months.setdefault(f"{entry.date:%B %Y}", []).append(entry)
        return list(months.items())


def load_statement_entries(campaign_id: int) -> list[StatementEntry]:
    columns = [getattr(Statement, f) for f in StatementEntry.__dataclass_fields__]
    rows = db.session.execute(select(*columns).where(Statement.campaign_id == campaign_id).order_by(*latest_order()))
    return [StatementEntry(*row) for row in rows]


def _former_names(ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}

    members = db.session.execute(select(*Member.__table__.columns).where(Member.bioguide_id.in_(sorted(ids)))).all()
    return {m.bioguide_id: office_label(office_from_member(m)) + " (former)" for m in members}


def build_scoreboard(campaign_id: int) -> Scoreboard:
    entries = load_statement_entries(campaign_id)
    by_office: dict[str, list[StatementEntry]] = {}
    for entry in entries:
        by_office.setdefault(entry.bioguide_id, []).append(entry)
    offices = current_offices()
    actions: dict[str, list[ActionEntry]] = {}
    for action in _action_source[0](campaign_id) if _action_source else []:
        actions.setdefault(action.bioguide_id, []).append(action)
    rows = [
        OfficeRow(office, by_office.get(office.bioguide_id, []), actions.get(office.bioguide_id, []))
        for office in offices
    ]
    names = {o.bioguide_id: office_label(o) for o in offices}
    names.update(_former_names(set(by_office) - set(names)))
    return Scoreboard(rows=rows, statements=entries, names=names)


# --- One board per campaign per process, rebuilt only when its statements or the roster change ----

MAX_BOARDS = 64
BOARD_TTL = 3600.0  # a board is rebuilt at least hourly, even if nothing changed
_boards = bounded_cache(
    "scoreboards", maxsize=MAX_BOARDS, ttl=BOARD_TTL
)  # (database, campaign) -> (stamp, seats, board)
_stamps = bounded_cache("scoreboard stamps", maxsize=1024, ttl=MAX_TTL)  # (database, campaign) -> (read at, stamp)


def board_changed(campaign_id: int) -> None:
    """A statement or office action was written in this request: this process reads the stamp again at once
    (other processes within CAMPAIGN_CACHE_SECONDS)."""
    _stamps.pop((current_app.config["SQLALCHEMY_DATABASE_URI"], campaign_id))


def _stamp(campaign_id: int) -> tuple:
    """Changes whenever a statement or office action is added or edited (neither is deleted one by one)."""
    extra = _action_source[1](campaign_id) if _action_source else []
    row = db.session.execute(
        select(func.count(Statement.id), func.max(Statement.id), func.max(Statement.updated_at), *extra).where(
            Statement.campaign_id == campaign_id
        )
    ).one()
    return tuple(row)


def current_scoreboard(campaign_id: int) -> Scoreboard:
    """The campaign's board, from this process's cache when nothing has changed (one small query at most every
    few seconds)."""
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], campaign_id)
    # Read at most once per CAMPAIGN_CACHE_SECONDS, like the campaign itself: a new statement reaches every
    # process within that time (and this process at once, see board_changed).
    stamp, seats = read_through(_stamps, campaign_id, lambda: _stamp(campaign_id)), roster()
    cached = _boards.get(key)
    if cached is not None and cached[0] == stamp and cached[1] is seats:
        return cached[2]
    board = build_scoreboard(campaign_id)
    _boards[key] = (stamp, seats, board)
    return board


# --- The office table: filters and sorting through query parameters ---------------------------


@dataclass(frozen=True)
class TableQuery:
    stance: str = ""  # supports | neutral | opposes | none
    chamber: str = ""  # senate | house | delegates
    party: str = ""  # first letter: D | R | I
    state: str = ""
    q: str = ""
    sort: str = "state"
    dir: str = "asc"
    zip: str = ""  # kept in every link, so "your members" stay highlighted while browsing
    page: int = 1  # the office table shows OFFICES_PER_PAGE rows at a time

    @classmethod
    def from_args(cls, args) -> TableQuery:
        stance = args.get("stance", "")
        chamber = args.get("chamber", "")
        state = args.get("state", "").upper()
        sort = args.get("sort", "state")
        return cls(
            stance=stance if stance in (*STANCES, "none") else "",
            chamber=chamber if chamber in GROUP_LABELS else "",
            party=args.get("party", "")[:1].upper(),
            state=state if state in STATE_NAMES else "",
            q=args.get("q", "").strip()[:100],
            sort=sort if sort in SORT_KEYS else "state",
            dir="desc" if args.get("dir") == "desc" else "asc",
            zip=args.get("zip", "").strip()[:10],
            page=int(page) if (page := args.get("page", "1")).isdigit() and 0 < int(page) < 1000 else 1,
        )

    def args(self, **changes) -> dict[str, str]:
        """Query parameters for a link that keeps the current view, with `changes` applied."""
        values = {k: getattr(self, k) for k in ("stance", "chamber", "party", "state", "q", "sort", "dir", "zip")}
        values.update(changes)
        # Another filter or sort starts again at the first page; only a page link keeps or sets one.
        values["page"] = changes.get("page", self.page if not changes else 1)
        return {
            k: str(v)
            for k, v in values.items()
            if v
            and not (k == "sort" and v == "state")
            and not (k == "dir" and v == "asc")
            and not (k == "page" and v == 1)
        }

    def sort_args(self, key: str) -> dict[str, str]:
        """The link for a column header: sort by it (dates newest first), or flip the direction if it is
        already the sort."""
        if self.sort == key:
            direction = "asc" if self.dir == "desc" else "desc"
        else:
            direction = "desc" if key == "date" else "asc"
        return self.args(sort=key, dir=direction)

    @property
    def filtered(self) -> bool:
        return bool(self.stance or self.chamber or self.party or self.state or self.q)


def _sort_key(key: str):
    if key == "name":
        return lambda r: (fold_text(r.office.last_name), fold_text(r.office.name))
    if key == "chamber":
        return lambda r: (r.group != "senate", r.group, r.office.state, r.office.district or 0)
    if key == "party":
        return lambda r: (r.office.party, r.office.state, r.office.district or 0)
    if key == "stance":
        return lambda r: (STANCE_ORDER.get(r.stance, 3), r.office.state, r.office.district or 0)
    return lambda r: (r.office.state, r.office.chamber != "senate", r.office.district or 0)


def filter_rows(rows: list[OfficeRow], query: TableQuery) -> list[OfficeRow]:
    wanted = rows
    if query.stance:
        stance = None if query.stance == "none" else query.stance
        wanted = [r for r in wanted if r.stance == stance]
    if query.chamber:
        wanted = [r for r in wanted if r.group == query.chamber]
    if query.party:
        wanted = [r for r in wanted if party_letter(r.office.party) == query.party]
    if query.state:
        wanted = [r for r in wanted if r.office.state == query.state]
    if query.q:
        needle = fold_text(query.q)
        wanted = [r for r in wanted if needle in fold_text(r.office.name)]
    if query.sort == "date":
        # Offices with no statement stay at the end whichever way the dates run.
        sign = -1 if query.dir == "desc" else 1
        return sorted(
            wanted,
            key=lambda r: (r.latest is None, sign * r.latest.date.toordinal() if r.latest else 0, r.office.state),
        )
    return sorted(wanted, key=_sort_key(query.sort), reverse=query.dir == "desc")
