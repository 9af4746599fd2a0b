"""Parse and check the congress-legislators YAML files and the zccd.csv crosswalk.

Everything is checked before anything is written: a malformed file, a missing field or a wrong type raises
SyncError with one line naming the file, the record and the field.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from advocacy.congress.sources import SyncError
from advocacy.places import STATE_FIPS

try:  # libyaml is several times faster on the 1 MB legislators file
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

BIOGUIDE = re.compile(r"^[A-Z][0-9]{6}$")
ZCTA = re.compile(r"^[0-9]{5}$")
ZCCD_HEADER = ["state_fips", "state_abbr", "zcta", "cd"]


class Where:
    """Names the place in a file that a message is about: `file: record 12 (C000127): terms[-1].state`."""

    def __init__(self, filename: str, record: str = ""):
        self.filename = filename
        self.record = record

    def at(self, record: str) -> Where:
        return Where(self.filename, record)

    def fail(self, fieldname: str, problem: str) -> SyncError:
        record = f"{self.record}: " if self.record else ""
        return SyncError(f"{self.filename}: {record}{fieldname} {problem}")


def _kind(value: object) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false", type(None): "empty"}.get(type(value), "a value")


def text(where: Where, mapping: dict, key: str, path: str = "", required: bool = False, max_len: int = 300):
    """A string field. Unquoted numbers (a suite "247", a ZIP) are taken as text; lists, mappings and
    YAML booleans (the "Norway problem": `NO` reads as false) are refused."""
    name = f"{path}{key}"
    value = mapping.get(key)
    if value is None or value == "":
        if required:
            raise where.fail(name, "is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise where.fail(name, f"must be text, not {_kind(value)}")
    value = str(value).strip()
    if len(value) > max_len:
        raise where.fail(name, f"is longer than {max_len} characters")
    return value


def whole(where: Where, mapping: dict, key: str, path: str = "", required: bool = False, low: int = 0, high=10**6):
    name = f"{path}{key}"
    value = mapping.get(key)
    if value is None:
        if required:
            raise where.fail(name, "is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.fail(name, f"must be a whole number, not {value!r}"[:200])
    if not low <= value <= high:
        raise where.fail(name, f"must be between {low} and {high}, not {value}")
    return value


def number(where: Where, mapping: dict, key: str, path: str = ""):
    value = mapping.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise where.fail(f"{path}{key}", f"must be a number, not {value!r}"[:200])
    return float(value)


def day(where: Where, mapping: dict, key: str, path: str = "") -> date:
    value = mapping.get(key)
    if value is None:
        raise where.fail(f"{path}{key}", "is missing")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise where.fail(f"{path}{key}", f"must be a date (YYYY-MM-DD), not {value!r}"[:200])


def mapping_at(where: Where, mapping: dict, key: str, path: str = "", required: bool = True) -> dict:
    value = mapping.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise where.fail(f"{path}{key}", "is missing" if value is None else f"must be a mapping, not {_kind(value)}")
    return value


def list_at(where: Where, mapping: dict, key: str, path: str = "", required: bool = True) -> list:
    value = mapping.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise where.fail(f"{path}{key}", "is missing" if value is None else f"must be a list, not {_kind(value)}")
    return value


def state_code(where: Where, mapping: dict, key: str, path: str = "") -> str:
    value = text(where, mapping, key, path, required=True, max_len=2)
    if value not in STATE_FIPS:
        raise where.fail(f"{path}{key}", f"is not a state or territory code: {value!r}")
    return value


def bioguide(where: Where, ids: dict, path: str = "id.") -> str:
    value = text(where, ids, "bioguide", path, required=True, max_len=10)
    if not BIOGUIDE.match(value):
        raise where.fail(f"{path}bioguide", f"is not a bioguide id: {value!r}")
    return value


def _check_ending(filename: str, data: bytes) -> None:
    # A download or copy cut short almost never stops exactly at the end of a line.
    if not data.strip():
        raise SyncError(f"{filename}: the file is empty")
    if not data.endswith(b"\n"):
        raise SyncError(f"{filename}: the file does not end with a line break; it looks truncated")


def load_yaml(filename: str, data: bytes) -> Any:
    _check_ending(filename, data)
    try:
        return yaml.load(data, Loader=_Loader)  # noqa: S506 - a safe loader (CSafeLoader or SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise SyncError(f"{filename}: not valid YAML{line} ({problem})") from None


def _records(filename: str, document: Any, kind: type = list) -> Any:
    if not isinstance(document, kind):
        expected = "a list of records" if kind is list else "a mapping"
        raise SyncError(f"{filename}: expected {expected} at the top level, found {_kind(document)}")
    return document


@dataclass
class LegislatorData:
    """Rows to be, keyed like the tables: members by bioguide, offices by id, committees by thomas id,
    memberships by (committee, bioguide). `skipped` lists records that point at no current member."""

    members: dict[str, dict] = field(default_factory=dict)
    offices: dict[str, dict] = field(default_factory=dict)
    committees: dict[str, dict] = field(default_factory=dict)
    memberships: dict[tuple[str, str], dict] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    # Members whose rss_url was written with HTML entities ("?format=feed&amp;type=rss") and was decoded.
    decoded_rss_urls: list[str] = field(default_factory=list)


def feed_url(url: str | None) -> str | None:
    """A feed address as a server should receive it. About one in six members' rss_url values in the
    legislators file were copied out of HTML with their entities (`?format=feed&amp;type=rss`): requested
    as written, the server sees a parameter named `amp;type` and never the one it needs."""
    if not url or "&" not in url:
        return url
    return html.unescape(url)


def _scalar_ids(ids: dict) -> dict:
    """Other ids (govtrack, lis, fec, ...) as JSON-safe text: large integers lose precision in JavaScript."""
    out: dict[str, object] = {}
    for key, value in ids.items():
        if key == "bioguide" or value is None or isinstance(value, bool):
            continue
        if isinstance(value, list):
            out[str(key)] = [str(v) for v in value if isinstance(v, str | int)]
        elif isinstance(value, str | int | float):
            out[str(key)] = str(value)
    return out


def parse_member(where: Where, record: Any) -> dict:
    if not isinstance(record, dict):
        raise where.fail("record", f"must be a mapping, not {_kind(record)}")
    ids = mapping_at(where, record, "id")
    bio_id = bioguide(where, ids)
    where = where.at(f"{where.record} ({bio_id})")
    name = mapping_at(where, record, "name")
    bio = mapping_at(where, record, "bio", required=False)
    terms = list_at(where, record, "terms")
    if not terms:
        raise where.fail("terms", "is empty")
    term = terms[-1]
    if not isinstance(term, dict):
        raise where.fail("terms[-1]", f"must be a mapping, not {_kind(term)}")
    t = "terms[-1]."
    kind = text(where, term, "type", t, required=True, max_len=3)
    if kind not in ("sen", "rep"):
        raise where.fail(f"{t}type", f"must be sen or rep, not {kind!r}")
    house = kind == "rep"
    return {
        "bioguide_id": bio_id,
        "first_name": text(where, name, "first", "name.", required=True, max_len=100),
        "middle_name": text(where, name, "middle", "name.", max_len=100),
        "last_name": text(where, name, "last", "name.", required=True, max_len=100),
        "suffix": text(where, name, "suffix", "name.", max_len=20),
        "nickname": text(where, name, "nickname", "name.", max_len=100),
        "official_full": text(where, name, "official_full", "name.", max_len=200),
        "gender": text(where, bio, "gender", "bio.", max_len=1),
        "chamber": "house" if house else "senate",
        "state": state_code(where, term, "state", t),
        "district": whole(where, term, "district", t, required=house, high=99) if house else None,
        "senate_class": None if house else whole(where, term, "class", t, low=1, high=3),
        "state_rank": None if house else text(where, term, "state_rank", t, max_len=10),
        "party": text(where, term, "party", t, required=True, max_len=40),
        "term_start": day(where, term, "start", t),
        "term_end": day(where, term, "end", t),
        "phone": text(where, term, "phone", t, max_len=40),
        "address": text(where, term, "address", t),
        "office": text(where, term, "office", t, max_len=200),
        "url": text(where, term, "url", t),
        "contact_form": text(where, term, "contact_form", t),
        "rss_url": text(where, term, "rss_url", t),
        "external_ids": _scalar_ids(ids),
        "social": {},
    }


def parse_office(where: Where, bio_id: str, position: int, office: Any) -> dict:
    path = f"offices[{position}]."
    if not isinstance(office, dict):
        raise where.fail(f"offices[{position}]", f"must be a mapping, not {_kind(office)}")
    return {
        "id": text(where, office, "id", path, required=True, max_len=100),
        "bioguide_id": bio_id,
        "position": position,
        "address": text(where, office, "address", path),
        "suite": text(where, office, "suite", path, max_len=100),
        "building": text(where, office, "building", path, max_len=200),
        "city": text(where, office, "city", path, required=True, max_len=100),
        "state": state_code(where, office, "state", path),
        "zip": text(where, office, "zip", path, max_len=10),
        "phone": text(where, office, "phone", path, max_len=40),
        "fax": text(where, office, "fax", path, max_len=40),
        "hours": text(where, office, "hours", path),
        "latitude": number(where, office, "latitude", path),
        "longitude": number(where, office, "longitude", path),
    }


def parse_legislators(files: dict[str, bytes]) -> LegislatorData:
    """Check all five files and turn them into rows; nothing is written here."""
    out = LegislatorData()
    name = "legislators-current.yaml"
    for i, record in enumerate(_records(name, load_yaml(name, files[name]))):
        member = parse_member(Where(name, f"record {i + 1}"), record)
        if member["bioguide_id"] in out.members:
            raise SyncError(f"{name}: record {i + 1}: id.bioguide {member['bioguide_id']} appears twice")
        out.members[member["bioguide_id"]] = member
        decoded = feed_url(member["rss_url"])
        if decoded != member["rss_url"]:
            member["rss_url"] = decoded
            out.decoded_rss_urls.append(member["bioguide_id"])
    if not out.members:
        raise SyncError(f"{name}: no members in the file")
    _parse_offices(files, out)
    _parse_social(files, out)
    _parse_committees(files, out)
    _parse_memberships(files, out)
    return out


def _mapping_records(files: dict[str, bytes], name: str) -> Iterator[tuple[int, Where, dict]]:
    """(index, where, record) for each record of a file that is a list of mappings; any other record is refused."""
    for i, record in enumerate(_records(name, load_yaml(name, files[name]))):
        where = Where(name, f"record {i + 1}")
        if not isinstance(record, dict):
            raise where.fail("record", f"must be a mapping, not {_kind(record)}")
        yield i, where, record


def _member_records(files: dict[str, bytes], name: str) -> Iterator[tuple[Where, dict, str]]:
    """(where, record, bioguide id) for each record of a file keyed by `id.bioguide`; `where` names the member."""
    for i, where, record in _mapping_records(files, name):
        bio_id = bioguide(where, mapping_at(where, record, "id"))
        yield where.at(f"record {i + 1} ({bio_id})"), record, bio_id


def _add_once(table: dict, key: str, row: dict, where: Where, fieldname: str) -> None:
    """Add a row under its id; the same id twice in a file is refused."""
    if key in table:
        raise where.fail(fieldname, f"{key!r} appears twice")
    table[key] = row


def _parse_offices(files: dict[str, bytes], out: LegislatorData) -> None:
    name = "legislators-district-offices.yaml"
    for where, record, bio_id in _member_records(files, name):
        offices = [parse_office(where, bio_id, n, o) for n, o in enumerate(list_at(where, record, "offices"))]
        if bio_id not in out.members:
            out.skipped.append(f"{name}: {len(offices)} offices of {bio_id}, who is not a current member")
            continue
        for office in offices:
            _add_once(out.offices, office["id"], office, where, "offices.id")


def _parse_social(files: dict[str, bytes], out: LegislatorData) -> None:
    name = "legislators-social-media.yaml"
    for where, record, bio_id in _member_records(files, name):
        social = mapping_at(where, record, "social")
        handles = {str(k): text(where, social, k, "social.", max_len=200) for k in social}
        if bio_id not in out.members:
            out.skipped.append(f"{name}: social handles of {bio_id}, who is not a current member")
            continue
        out.members[bio_id]["social"] = {k: v for k, v in sorted(handles.items()) if v is not None}


def _committee_row(where: Where, c: dict, thomas_id: str, parent: str | None, chamber: str) -> dict:
    return {
        "thomas_id": thomas_id,
        "parent_id": parent,
        "chamber": chamber,
        "name": text(where, c, "name", required=True),
        "chamber_committee_id": text(where, c, "house_committee_id", max_len=10)
        or text(where, c, "senate_committee_id", max_len=10),
        "url": text(where, c, "url"),
        "minority_url": text(where, c, "minority_url"),
        "address": text(where, c, "address"),
        "phone": text(where, c, "phone", max_len=40),
        "rss_url": text(where, c, "rss_url"),
        "minority_rss_url": text(where, c, "minority_rss_url"),
        "jurisdiction": text(where, c, "jurisdiction", max_len=20000),
    }


def _parse_committees(files: dict[str, bytes], out: LegislatorData) -> None:
    name = "committees-current.yaml"
    for i, where, c in _mapping_records(files, name):
        thomas_id = text(where, c, "thomas_id", required=True, max_len=10)
        where = where.at(f"record {i + 1} ({thomas_id})")
        chamber = text(where, c, "type", required=True, max_len=10)
        if chamber not in ("house", "senate", "joint"):
            raise where.fail("type", f"must be house, senate or joint, not {chamber!r}")
        rows = [_committee_row(where, c, thomas_id, None, chamber)]
        for n, sub in enumerate(list_at(where, c, "subcommittees", required=False)):
            sub_where = where.at(f"{where.record} subcommittees[{n}]")
            if not isinstance(sub, dict):
                raise sub_where.fail("subcommittee", f"must be a mapping, not {_kind(sub)}")
            sub_id = thomas_id + text(sub_where, sub, "thomas_id", required=True, max_len=10)
            rows.append(_committee_row(sub_where, sub, sub_id, thomas_id, chamber))
        for row in rows:
            _add_once(out.committees, row["thomas_id"], row, where, "thomas_id")


def _parse_memberships(files: dict[str, bytes], out: LegislatorData) -> None:
    name = "committee-membership-current.yaml"
    document = _records(name, load_yaml(name, files[name]), dict)
    for committee_id, seats in document.items():
        where = Where(name, f"committee {committee_id}")
        if not isinstance(seats, list):
            raise where.fail("seats", f"must be a list, not {_kind(seats)}")
        if str(committee_id) not in out.committees:
            out.skipped.append(f"{name}: {len(seats)} seats on {committee_id}, which is not a current committee")
            continue
        for n, seat in enumerate(seats):
            seat_where = where.at(f"committee {committee_id} seat {n + 1}")
            if not isinstance(seat, dict):
                raise seat_where.fail("seat", f"must be a mapping, not {_kind(seat)}")
            bio_id = bioguide(seat_where, seat, "")
            if bio_id not in out.members:
                out.skipped.append(f"{name}: a seat on {committee_id} for {bio_id}, who is not a current member")
                continue
            out.memberships[(str(committee_id), bio_id)] = {
                "committee_id": str(committee_id),
                "bioguide_id": bio_id,
                "party": text(seat_where, seat, "party", max_len=10),
                "rank": whole(seat_where, seat, "rank", high=1000),
                "title": text(seat_where, seat, "title", max_len=100),
                "chamber": text(seat_where, seat, "chamber", max_len=10),
            }


def parse_zccd(data: bytes, filename: str = "zccd.csv") -> dict[tuple[str, str, int], str]:
    """Rows of the crosswalk as {(zcta, state, district): state_fips}. ZIPs stay text (leading zeros)."""
    _check_ending(filename, data)
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SyncError(f"{filename}: not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(content, newline=""))
    header = [h.strip() for h in next(reader, [])]
    if header != ZCCD_HEADER:
        raise SyncError(f"{filename}: line 1: expected the header {','.join(ZCCD_HEADER)}, found {','.join(header)}")
    rows: dict[tuple[str, str, int], str] = {}
    for row in reader:
        line = reader.line_num
        if not row:
            continue
        if len(row) != 4:
            raise SyncError(f"{filename}: line {line}: expected 4 fields, found {len(row)}")
        fips, state, zcta, cd = (v.strip() for v in row)
        if state not in STATE_FIPS:
            raise SyncError(f"{filename}: line {line}: state_abbr is not a state code: {state!r}")
        if fips != STATE_FIPS[state]:
            raise SyncError(f"{filename}: line {line}: state_fips {fips!r} does not belong to {state}")
        if not ZCTA.match(zcta):
            raise SyncError(f"{filename}: line {line}: zcta must be 5 digits, not {zcta!r}")
        if not cd.isdigit() or int(cd) > 99:
            raise SyncError(f"{filename}: line {line}: cd must be a district number (0 = at-large), not {cd!r}")
        rows[(zcta, state, int(cd))] = fips
    if not rows:
        raise SyncError(f"{filename}: no rows after the header")
    return rows
