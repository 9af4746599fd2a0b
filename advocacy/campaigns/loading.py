"""`campaigns load PATH`: create or update campaigns from their files, all in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from advocacy.campaigns.files import CampaignFileError, CampaignSpec, find_campaign_files, read_campaign_file
from advocacy.campaigns.models import Campaign, CustomTarget, LetterTemplate
from advocacy.extensions import db

CAMPAIGN_FIELDS = (
    "title", "detainee_name", "photo_url", "story_markdown", "ask", "status", "keywords", "aliases", "cwc_topic",
    "share_text", "include_delegation", "target_members", "target_committees",
)  # fmt: skip
LETTER_FIELDS = ("name", "subject", "body", "priority")
CUSTOM_FIELDS = ("name", "title", "salutation")


@dataclass(frozen=True)
class LoadResult:
    slug: str
    outcome: str  # "created" | "updated" | "unchanged"
    changes: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.outcome == "updated":
            return f"{self.slug}: updated ({', '.join(self.changes)})"
        return f"{self.slug}: {self.outcome}"


def read_specs(path: Path) -> list[CampaignSpec]:
    """Every campaign under PATH, validated; raises CampaignFileError on the first problem."""
    specs: list[CampaignSpec] = []
    seen: dict[str, str] = {}
    for file in find_campaign_files(path):
        spec = read_campaign_file(file, check_references=True)
        if spec.slug in seen:
            raise CampaignFileError(spec.source, None, "slug", f"{spec.slug!r} is also used by {seen[spec.slug]}")
        seen[spec.slug] = spec.source
        specs.append(spec)
    return specs


def apply_spec(spec: CampaignSpec) -> LoadResult:
    """Make the database match the spec; nothing is committed here."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == spec.slug))
    created = campaign is None
    if created:
        campaign = Campaign(slug=spec.slug)
        db.session.add(campaign)
    changes = [name for name in CAMPAIGN_FIELDS if getattr(campaign, name) != getattr(spec, name)]
    for name in changes:
        setattr(
            campaign, name, list(getattr(spec, name)) if isinstance(getattr(spec, name), list) else getattr(spec, name)
        )
    if _sync_letters(campaign, spec):
        changes.append("letters")
    if _sync_custom_targets(campaign, spec):
        changes.append("custom targets")
    if created:
        return LoadResult(spec.slug, "created")
    return LoadResult(spec.slug, "updated" if changes else "unchanged", tuple(changes))


def _sync_letters(campaign: Campaign, spec: CampaignSpec) -> bool:
    existing = {(t.chamber, t.stance): t for t in campaign.letters}
    changed = False
    for letter in spec.letters:
        row = existing.pop(letter.key, None)
        if row is None:
            row = LetterTemplate(chamber=letter.chamber, stance=letter.stance)
            campaign.letters.append(row)
            changed = True
        for name in LETTER_FIELDS:
            if getattr(row, name) != getattr(letter, name):
                setattr(row, name, getattr(letter, name))
                changed = True
    for row in existing.values():
        campaign.letters.remove(row)
        changed = True
    return changed


def _sync_custom_targets(campaign: Campaign, spec: CampaignSpec) -> bool:
    existing = {t.email.casefold(): t for t in campaign.custom_targets}
    changed = False
    for target in spec.custom_targets:
        row = existing.pop(target.email.casefold(), None)
        if row is None:
            row = CustomTarget(email=target.email)
            campaign.custom_targets.append(row)
            changed = True
        for name in CUSTOM_FIELDS:
            if getattr(row, name) != getattr(target, name):
                setattr(row, name, getattr(target, name))
                changed = True
    for row in existing.values():
        campaign.custom_targets.remove(row)
        changed = True
    return changed


def load_campaigns(path: Path, dry_run: bool = False) -> list[LoadResult]:
    """Read every campaign under PATH, then write them all in one transaction (or none, on any error)."""
    specs = read_specs(path)
    try:
        results = [apply_spec(spec) for spec in specs]
        db.session.flush()
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return results
