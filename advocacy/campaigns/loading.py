"""`campaigns load PATH`: create or update campaigns from their files, all in one transaction.

One owner per campaign: a load records, per field, a hash of what it wrote (Campaign.loaded_state). The next
load compares: a field changed in the web pages since then, which the file would now set to something else, is
never overwritten silently. The load stops and names the fields (EditedInWeb), unless told to overwrite them
(`--force`) or to leave such campaigns as they are and load the rest (`--keep-edits`, what scripts/dev runs).
A campaign made in the web pages (no loaded_state) is the web's: a file with its slug stops the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select

from advocacy.campaigns.files import CampaignFileError, CampaignSpec, find_campaign_files, read_campaign_file
from advocacy.campaigns.models import Campaign, CustomTarget, LetterTemplate, Status
from advocacy.campaigns.services import outcome_decided
from advocacy.db import utcnow
from advocacy.extensions import db

SAMPLE_IN_PRODUCTION = "a sample campaign cannot be live in production (ADVOCACY_ENV=production); set status: draft"

CAMPAIGN_FIELDS = (
    "title", "detainee_name", "photo_url", "story_markdown", "ask", "status", "keywords", "aliases", "cwc_topic",
    "share_text", "include_delegation", "target_members", "target_committees", "sample", "outcome", "outcome_date",
    "outcome_message", "thanks_open", "timeline", "priority_targets", "translations",
)  # fmt: skip
LETTER_FIELDS = ("name", "subject", "body", "priority")
CUSTOM_FIELDS = ("name", "title", "salutation")
# What a file owns: the campaign's fields, its letters and its custom targets (statements are only added).
OWNED_FIELDS = (*CAMPAIGN_FIELDS, "letters", "custom targets")

# Sections of a campaign file that other features write, as section(campaign, spec) -> a word for what changed,
# or None. The statements register theirs (statements/file_statements.py): they sit a layer above.
SECTION_LOADERS: list[Callable[[Campaign, CampaignSpec], str | None]] = []


def section_loader(
    section: Callable[[Campaign, CampaignSpec], str | None],
) -> Callable[[Campaign, CampaignSpec], str | None]:
    SECTION_LOADERS.append(section)
    return section


class OnEdited(StrEnum):
    """What a load does with a campaign edited in the web pages since its last load."""

    STOP = "stop"  # nothing is written; the message names the campaign and the fields
    KEEP = "keep"  # that campaign is left as it is; the others load
    OVERWRITE = "overwrite"  # the file wins (--force)


class EditedInWeb(Exception):  # noqa: N818 - a refusal, read by people
    def __init__(self, conflicts: list[tuple[str, list[str]]]):
        self.conflicts = conflicts
        named = "; ".join(f"{slug} ({', '.join(fields)})" for slug, fields in conflicts)
        super().__init__(
            f"edited in the web pages since the last load, nothing was loaded: {named}. Copy those edits into "
            "the file, or run again with --force to overwrite them, or --keep-edits to load the other campaigns"
        )


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _rows(rows: list[list]) -> list[str]:
    return sorted(json.dumps(row, default=str) for row in rows)


def field_hashes(source) -> dict[str, str]:
    """A short hash per owned field, of a Campaign or a CampaignSpec (they compare equal when equal)."""
    hashes = {name: _digest(getattr(source, name)) for name in CAMPAIGN_FIELDS}
    hashes["letters"] = _digest(
        _rows([[t.chamber, t.stance, *(getattr(t, n) for n in LETTER_FIELDS)] for t in source.letters])
    )
    hashes["custom targets"] = _digest(
        _rows([[t.email.casefold(), *(getattr(t, n) for n in CUSTOM_FIELDS)] for t in source.custom_targets])
    )
    return hashes


def edited_fields(campaign: Campaign, spec: CampaignSpec) -> list[str]:
    """The fields changed in the web since the last load that the file would set to another value."""
    now = field_hashes(campaign)
    wanted = field_hashes(spec)
    loaded = campaign.loaded_state
    return [
        name for name in OWNED_FIELDS if wanted[name] != now[name] and (loaded is None or loaded.get(name) != now[name])
    ]


@dataclass(frozen=True)
class LoadResult:
    slug: str
    outcome: str  # "created" | "updated" | "unchanged" | "kept" (edited in the web, --keep-edits)
    changes: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.outcome == "updated":
            return f"{self.slug}: updated ({', '.join(self.changes)})"
        if self.outcome == "kept":
            return f"{self.slug}: kept as edited in the web pages ({', '.join(self.changes)}); not loaded"
        return f"{self.slug}: {self.outcome}"


def read_specs(path: Path, production: bool = False) -> list[CampaignSpec]:
    """Every campaign under PATH, validated; raises CampaignFileError on the first problem.

    In production a sample campaign may be loaded, but never live."""
    specs: list[CampaignSpec] = []
    seen: dict[str, str] = {}
    for file in find_campaign_files(path):
        spec = read_campaign_file(file, check_references=True)
        if production and spec.sample and spec.status == Status.LIVE.value:
            raise CampaignFileError(spec.source, None, "status", SAMPLE_IN_PRODUCTION)
        if spec.slug in seen:
            raise CampaignFileError(spec.source, None, "slug", f"{spec.slug!r} is also used by {seen[spec.slug]}")
        seen[spec.slug] = spec.source
        specs.append(spec)
    return specs


def apply_spec(spec: CampaignSpec, campaign: Campaign | None = None) -> LoadResult:
    """Make the database match the spec; nothing is committed here."""
    if campaign is None:
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == spec.slug))
    created = campaign is None
    if created:
        campaign = Campaign(slug=spec.slug)
        db.session.add(campaign)
    newly_decided = spec.outcome is not None and campaign.outcome is None
    changes = [name for name in CAMPAIGN_FIELDS if getattr(campaign, name) != getattr(spec, name)]
    for name in changes:
        setattr(
            campaign, name, list(getattr(spec, name)) if isinstance(getattr(spec, name), list) else getattr(spec, name)
        )
    if _sync_letters(campaign, spec):
        changes.append("letters")
    if _sync_custom_targets(campaign, spec):
        changes.append("custom targets")
    if spec.statements or newly_decided:
        db.session.flush()  # the campaign's id, for its statements and outcome emails
    for section in SECTION_LOADERS:
        changed = section(campaign, spec)
        if changed:
            changes.append(changed)
    if newly_decided:
        outcome_decided(campaign.id)
    campaign.loaded_from = spec.source
    campaign.loaded_at = utcnow()
    campaign.loaded_state = field_hashes(campaign)
    if created:
        return LoadResult(spec.slug, "created")
    return LoadResult(spec.slug, "updated" if changes else "unchanged", tuple(changes))


def _sync_letters(campaign: Campaign, spec: CampaignSpec) -> bool:
    return _sync_rows(
        campaign.letters,
        spec.letters,
        key=lambda t: (t.chamber, t.stance),
        new=lambda letter: LetterTemplate(chamber=letter.chamber, stance=letter.stance),
        fields=LETTER_FIELDS,
    )


def _sync_custom_targets(campaign: Campaign, spec: CampaignSpec) -> bool:
    return _sync_rows(
        campaign.custom_targets,
        spec.custom_targets,
        key=lambda t: t.email.casefold(),
        new=lambda target: CustomTarget(email=target.email),
        fields=CUSTOM_FIELDS,
    )


def _sync_rows(rows: list, specs: list, key: Callable, new: Callable, fields: tuple[str, ...]) -> bool:
    """Make a campaign's child rows match the file: a row per spec (matched by `key`, which reads a row or a
    spec, made by `new` when missing) with `fields` copied, the other rows removed. True when anything changed."""
    existing = {key(row): row for row in rows}
    changed = False
    for item in specs:
        row = existing.pop(key(item), None)
        if row is None:
            row = new(item)
            rows.append(row)
            changed = True
        for name in fields:
            if getattr(row, name) != getattr(item, name):
                setattr(row, name, getattr(item, name))
                changed = True
    for row in existing.values():
        rows.remove(row)
        changed = True
    return changed


def load_campaigns(
    path: Path, dry_run: bool = False, production: bool = False, on_edited: OnEdited = OnEdited.STOP
) -> list[LoadResult]:
    """Read every campaign under PATH, then write them all in one transaction (or none, on any error)."""
    specs = read_specs(path, production)
    try:
        results = []
        conflicts = []
        for spec in specs:
            campaign = db.session.scalar(select(Campaign).where(Campaign.slug == spec.slug))
            edited = edited_fields(campaign, spec) if campaign is not None else []
            if edited and on_edited != OnEdited.OVERWRITE:
                conflicts.append((spec.slug, edited))
                results.append(LoadResult(spec.slug, "kept", tuple(edited)))
                continue
            results.append(apply_spec(spec, campaign))
        if conflicts and on_edited == OnEdited.STOP:
            raise EditedInWeb(conflicts)
        db.session.flush()
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return results
