"""Checks shared by the organizer forms and the campaign-file loader; each returns a message or None."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from advocacy.campaigns.models import (
    MAX_KEYWORD,
    MAX_KEYWORDS,
    MAX_TARGET_IDS,
    MAX_URL,
    OUTCOME_RESULTS,
    SLUG_PATTERN,
)
from advocacy.campaigns.rendering import choose_variant
from advocacy.congress.models import Committee
from advocacy.congress.offices import current_offices
from advocacy.delivery.cwc import LOC_TOPICS
from advocacy.extensions import db
from advocacy.security import own_origin

SLUG_RE = re.compile(SLUG_PATTERN)
BIOGUIDE_RE = re.compile(r"^[A-Z][0-9]{6}$")
# Committees are four letters (SSJU, HSHM); subcommittees add two digits (SSJU01).
THOMAS_RE = re.compile(r"^[A-Z]{4}([0-9]{2})?$")
# A timeline date is as precise as the public record: a year, a month or a day.
TIMELINE_DATE_RE = re.compile(r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$")

# Every office a letter can go to falls in one of these cases; a live campaign needs a variant for each.
OFFICE_CASES = (
    ("senate", "not_spoken", "senators who have not spoken"),
    ("senate", "spoken", "senators who have spoken"),
    ("house", "not_spoken", "House members who have not spoken"),
    ("house", "spoken", "House members who have spoken"),
)
CUSTOM_CASE = (None, "not_spoken", "custom targets (they need a variant with chamber 'any')")


def check_slug(value: str) -> str | None:
    if not SLUG_RE.match(value or ""):
        return "use 2 to 63 lowercase letters, digits and hyphens, starting with a letter or digit"
    return None


def check_photo_url(value: str) -> str | None:
    """A path on this site (shown on public pages), or an https:// address (kept for the API, never loaded by
    our pages: CSP img-src 'self')."""
    if not value:
        return None
    if len(value) > MAX_URL:
        return f"must be at most {MAX_URL} characters"
    if any(c.isspace() for c in value):
        return "must not contain spaces"
    if own_origin(value):
        return None
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        return "must be an https:// address or a path on this site such as /static/campaigns/photo.jpg"
    return None


def check_source_url(value: str) -> str | None:
    """A public source: an http(s) address with a host, no spaces."""
    parts = urlsplit(value or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http:// or https:// address"
    if len(value) > MAX_URL or any(c.isspace() for c in value):
        return f"must be one address of at most {MAX_URL} characters, without spaces"
    return None


def check_timeline_date(value: str) -> str | None:
    if not TIMELINE_DATE_RE.match(value or ""):
        return "must be a year, a month or a day: 2026, 2026-01 or 2026-01-28"
    return None


def check_outcome(status: str, outcome: str | None, thanks_open: bool) -> str | None:
    """An outcome belongs to a closed campaign; only a won one keeps the thank-you action open."""
    if outcome is None:
        return "the thank-you action needs an outcome that was won" if thanks_open else None
    if outcome not in OUTCOME_RESULTS:
        return f"must be one of {', '.join(OUTCOME_RESULTS)}"
    if status != "closed":
        return "only a closed campaign has an outcome (set status: closed)"
    if thanks_open and OUTCOME_RESULTS[outcome] != "won":
        return "only a won campaign (released or relief_granted) can keep the thank-you action open"
    return None


def check_cwc_topic(value: str) -> str | None:
    if value not in LOC_TOPICS:
        return "must be one of the Library of Congress policy areas, e.g. Immigration"
    return None


def check_email(value: str) -> tuple[str | None, str | None]:
    """(normalized email, None) or (None, message). Syntax only: no DNS look-up."""
    try:
        result = validate_email(value or "", check_deliverability=False)
    except EmailNotValidError as exc:
        return None, str(exc)
    return result.normalized, None


def clean_terms(values: Iterable[str]) -> tuple[list[str], str | None]:
    """Keywords or aliases: trimmed, empty ones dropped, duplicates (ignoring case) dropped."""
    out: list[str] = []
    seen: set[str] = set()
    for raw in values:
        term = " ".join(str(raw).split())
        if not term:
            continue
        if len(term) > MAX_KEYWORD:
            return out, f"{term[:30]!r}… is longer than {MAX_KEYWORD} characters"
        if term.casefold() not in seen:
            seen.add(term.casefold())
            out.append(term)
    if len(out) > MAX_KEYWORDS:
        return out, f"at most {MAX_KEYWORDS} entries"
    return out, None


def clean_ids(values: Iterable[str], pattern: re.Pattern, what: str) -> tuple[list[str], str | None]:
    """Bioguide or thomas ids: upper-cased, duplicates dropped, each checked against its pattern."""
    out: list[str] = []
    for raw in values:
        value = str(raw).strip().upper()
        if not value:
            continue
        if not pattern.match(value):
            return out, f"{value[:20]!r} is not a {what}"
        if value not in out:
            out.append(value)
    if len(out) > MAX_TARGET_IDS:
        return out, f"at most {MAX_TARGET_IDS} entries"
    return out, None


def split_lines(text: str) -> list[str]:
    """Entries typed one per line (commas also separate ids)."""
    return [part for line in (text or "").splitlines() for part in [line.strip()] if part]


def split_ids(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def case_coverage(variants: Sequence, has_custom_targets: bool) -> list[tuple[str, object]]:
    """(office case, the variant it gets or None) for every case a letter can go to: what the publish checklist
    reads, and what the letter editor shows beside each variant."""
    cases = list(OFFICE_CASES) + ([CUSTOM_CASE] if has_custom_targets else [])
    return [(label, choose_variant(variants, chamber, stance)) for chamber, stance, label in cases]


def coverage_problems(variants: Sequence, has_custom_targets: bool) -> list[str]:
    """Office cases no variant reaches; a campaign cannot go live until this is empty."""
    return [f"no letter for {label}" for label, variant in case_coverage(variants, has_custom_targets) if not variant]


def unknown_members(ids: Sequence[str]) -> list[str]:
    """Ids that are not sitting members. Empty when the legislators have not been synced yet."""
    if not ids:
        return []
    known = {o.bioguide_id for o in current_offices()}
    if not known:
        return []
    return [i for i in ids if i not in known]


def unknown_committees(ids: Sequence[str]) -> list[str]:
    """Ids that are not known committees. Empty when the committees have not been synced yet."""
    if not ids:
        return []
    known = set(db.session.scalars(select(Committee.thomas_id)))
    if not known:
        return []
    return [i for i in ids if i not in known]
