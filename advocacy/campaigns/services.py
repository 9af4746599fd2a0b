"""What the rest of the app asks of campaigns: find one, list its targets, describe it, change its status."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, current_app
from sqlalchemy import case, select

from advocacy.caching import bounded_cache, refreshed
from advocacy.campaigns.models import Campaign, CustomTarget, Status
from advocacy.campaigns.validation import check_outcome, coverage_problems
from advocacy.congress.models import CommitteeMembership
from advocacy.congress.offices import office_for
from advocacy.extensions import db
from advocacy.i18n import public_timeline

log = logging.getLogger(__name__)
T = TypeVar("T")


class CampaignStateError(ValueError):
    """A status change that is not allowed; the message says why."""


@dataclass(frozen=True)
class Target:
    """One recipient of a constituent's letter: a congressional office or a custom target.

    `key` is the bioguide id, or `custom:<id>`; `reason` says why it is targeted: "delegation" (the
    constituent's own members), "member" (named by the campaign), "committee" or "custom".
    The letter fields (`name`, `title`, `salutation`, `chamber`, ...) are what `render_letter` reads.
    """

    key: str
    reason: str
    name: str
    last_name: str
    title: str
    salutation: str
    chamber: str | None  # "senate" | "house"; None for a custom target
    state: str
    district: int | None
    party: str
    office: Any = None  # the congress Office, for offices
    email: str | None = None  # custom targets only
    custom_target_id: int | None = None

    @property
    def is_office(self) -> bool:
        return self.office is not None

    @property
    def bioguide_id(self) -> str | None:
        return self.key if self.office is not None else None

    @property
    def is_constituent_office(self) -> bool:
        """True for the writer's own members: the offices that accept their mail through CWC."""
        return self.reason == "delegation"

    @classmethod
    def for_office(cls, office: Any, reason: str) -> Target:
        return cls(
            key=office.bioguide_id,
            reason=reason,
            name=office.name,
            last_name=office.last_name,
            title=office.title,
            salutation=office.salutation,
            chamber=office.chamber,
            state=office.state,
            district=office.district,
            party=office.party,
            office=office,
        )

    @classmethod
    def for_custom(cls, target: CustomTarget) -> Target:
        return cls(
            key=target.key,
            reason="custom",
            name=target.name,
            last_name=target.name.split(" ")[-1] if target.name else "",
            title=target.title,
            salutation=target.salutation or f"Dear {target.name}",
            chamber=None,
            state="",
            district=None,
            party="",
            email=target.email,
            custom_target_id=target.id,
        )

    def to_json(self) -> dict:
        data = self.office.to_json() if self.office is not None else {"name": self.name, "title": self.title}
        data.update(key=self.key, reason=self.reason)
        return data


@dataclass(frozen=True)
class CampaignCounts:
    letters_sent: int = 0  # the campaign's own letters; thank-you letters are counted apart
    offices_spoken: int = 0
    thanks_sent: int = 0

    def to_json(self) -> dict:
        return {
            "letters_sent": self.letters_sent,
            "offices_spoken": self.offices_spoken,
            "thanks_sent": self.thanks_sent,
        }


COUNTS_TTL_SECONDS = 10.0
# (database, campaign id) -> (counted at, counts); an entry is refreshed after CAMPAIGN_COUNTS_TTL, dropped after
# an hour unviewed (or when 4,096 campaigns have been counted since).
_counts = bounded_cache("campaign counts", maxsize=4096, ttl=3600)


def campaign_counts(campaign: Campaign) -> CampaignCounts:
    """Public counts: letters written (one per office per constituent) and offices that support the campaign.

    A viral campaign page must not count a million rows per view, nor make every visitor wait for the count:
    the counts are kept in the process, and once they are older than CAMPAIGN_COUNTS_TTL (default 10 s) the
    next view counts again (about a second for a million letters) while the views meanwhile are shown the
    counts as they were. Only the first view in a process waits for a count; every view does when the TTL is 0.
    """
    return refreshed(
        _counts,
        (current_app.config["SQLALCHEMY_DATABASE_URI"], campaign.id),
        lambda: _count(campaign.id),
        fresh_for=current_app.config.get("CAMPAIGN_COUNTS_TTL", COUNTS_TTL_SECONDS),
    )


# Each adds its part of a campaign's public counts, as part(campaign_id) -> {CampaignCounts field: number}:
# letters/counts.py (letters written) and statements/services.py (offices that spoke), both a layer above.
COUNT_PARTS: list[Callable[[int], dict[str, int]]] = []


def counts_part(part: Callable[[int], dict[str, int]]) -> Callable[[int], dict[str, int]]:
    COUNT_PARTS.append(part)
    return part


def _count(campaign_id: int) -> CampaignCounts:
    numbers: dict[str, int] = {}
    for part in COUNT_PARTS:
        numbers.update(part(campaign_id))
    return CampaignCounts(**numbers)


def get_campaign_by_slug(slug: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


def get_public_campaign(slug: str) -> Campaign | None:
    """A live or closed campaign (a closed one is still shown, but refuses letters); never a draft."""
    return db.session.scalar(
        select(Campaign).where(Campaign.slug == slug, Campaign.status.in_((Status.LIVE.value, Status.CLOSED.value)))
    )


def public_campaigns() -> list[Campaign]:
    """Live campaigns first, then closed ones; newest first within each."""
    live_first = case((Campaign.status == Status.LIVE.value, 0), else_=1)
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.status.in_((Status.LIVE.value, Status.CLOSED.value)))
            .order_by(live_first, Campaign.created_at.desc(), Campaign.id.desc())
        )
    )


def public_campaign_json(campaign: Campaign, counts: CampaignCounts | None = None) -> dict:
    """The public description of a campaign: nothing an organizer would not publish (no emails)."""
    counts = counts or campaign_counts(campaign)
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "status": campaign.status,
        "accepting_letters": campaign.status == Status.LIVE.value,
        "detainee": {"name": campaign.detainee_name, "photo_url": campaign.photo_url or None},
        "story_html": campaign.story_html,
        "ask": campaign.ask,
        "share_text": campaign.share_text,
        "keywords": list(campaign.keywords or []),
        "aliases": list(campaign.aliases or []),
        "targets": {
            "delegation": campaign.include_delegation,
            "members": list(campaign.target_members or []),
            "committees": list(campaign.target_committees or []),
            "custom": [{"name": t.name, "title": t.title} for t in campaign.custom_targets],
        },
        "counts": counts.to_json(),
        "sample": bool(campaign.sample),
        "outcome": outcome_json(campaign),
        "accepting_thanks": campaign.accepts_thanks,
        "timeline": timeline_json(campaign),
        "url": f"/c/{campaign.slug}",
        "created_at": campaign.created_at.isoformat() if campaign.created_at else None,
        "updated_at": campaign.updated_at.isoformat() if campaign.updated_at else None,
    }


def outcome_json(campaign: Campaign) -> dict | None:
    if not campaign.outcome:
        return None
    return {
        "kind": campaign.outcome,
        "result": campaign.outcome_result,
        "label": campaign.outcome_label,
        "date": campaign.outcome_date.isoformat() if campaign.outcome_date else None,
        "message": campaign.outcome_message or "",
    }


def timeline_json(campaign: Campaign) -> list[dict]:
    return [
        {
            "date": event.get("date", ""),
            "event": event.get("event", ""),
            "source": event.get("source", ""),
            "source_url": event.get("source_url") or None,
            **{key: event.get(key) or None for key in ("kind", "custody", "facility", "city", "state")},
        }
        for event in public_timeline(campaign)
    ]


def committee_member_ids(thomas_ids: Iterable[str]) -> list[str]:
    """Bioguide ids of everyone seated on these committees or subcommittees, by committee then rank."""
    ids = list(thomas_ids)
    if not ids:
        return []

    rows = db.session.execute(
        select(CommitteeMembership.bioguide_id)
        .where(CommitteeMembership.committee_id.in_(ids))
        .order_by(CommitteeMembership.committee_id, CommitteeMembership.rank, CommitteeMembership.bioguide_id)
    )
    return [row.bioguide_id for row in rows]


def campaign_targets(campaign: Campaign, lookup_result: Any) -> list[Target]:
    """Everyone a constituent's letter goes to, each office once.

    In order: the constituent's own offices from the lookup (when the campaign includes the delegation;
    for a split ZIP the lookup holds no House office, so none is added), then the members the campaign
    names, then members of its committees, then its custom targets. Members who are no longer sitting
    are skipped.
    """
    targets: list[Target] = []
    seen: set[str] = set()

    def add(office: Any, reason: str) -> None:
        if office is not None and office.bioguide_id not in seen:
            seen.add(office.bioguide_id)
            targets.append(Target.for_office(office, reason))

    if campaign.include_delegation and lookup_result is not None:
        for office in lookup_result.offices:
            add(office, "delegation")
    if campaign.target_members or campaign.target_committees:
        for bioguide_id in campaign.target_members or []:
            add(office_for(bioguide_id), "member")
        for bioguide_id in committee_member_ids(campaign.target_committees or []):
            add(office_for(bioguide_id), "committee")
    targets.extend(Target.for_custom(t) for t in campaign.custom_targets)
    return targets


def thanks_targets(targets: list[Target], stances: dict[str, str]) -> list[Target]:
    """The thank-you action's recipients: the writer's own members whose office acted (supports the campaign
    now). Named members, committees and custom targets are not thanked from a writer's letter."""
    return [t for t in targets if t.is_constituent_office and stances.get(t.key) == "supports"]


def publish_problems(campaign: Campaign, letters: Sequence | None = None) -> list[str]:
    """Why the campaign cannot go live yet (empty when it can). `letters` judges other variants than the saved
    ones (the letter editor's, with the letter being typed in place of its saved self)."""
    letters = campaign.letters if letters is None else letters
    problems = []
    if not campaign.ask.strip():
        problems.append("the ask is empty")
    if not campaign.story_markdown.strip():
        problems.append("the story is empty")
    if not letters:
        problems.append("there are no letters yet")
    else:
        problems.extend(coverage_problems(letters, bool(campaign.custom_targets)))
    if not (campaign.include_delegation or campaign.target_members or campaign.target_committees):
        if not campaign.custom_targets:
            problems.append("there is nobody to write to: include the delegation or add targets")
    return problems


def publish(campaign: Campaign) -> None:
    if campaign.status == Status.LIVE.value:
        raise CampaignStateError("The campaign is already live.")
    if campaign.outcome:
        raise CampaignStateError("This campaign ended with an outcome; it stays closed as the public record.")
    if campaign.sample and current_app.config["ADVOCACY_SETTINGS"].production:
        raise CampaignStateError("A sample campaign cannot go live in production.")
    problems = publish_problems(campaign)
    if problems:
        raise CampaignStateError("Cannot publish: " + "; ".join(problems) + ".")
    campaign.status = Status.LIVE.value


def close(campaign: Campaign) -> None:
    if campaign.status != Status.LIVE.value:
        raise CampaignStateError("Only a live campaign can be closed.")
    campaign.status = Status.CLOSED.value


def set_outcome(campaign: Campaign, outcome: str, when, message: str, thanks_open: bool) -> bool:
    """Close the campaign (if live) with its outcome, or correct the outcome of a closed one. Returns True
    when the campaign had no outcome before: its writers are then owed the outcome email."""
    if campaign.status == Status.DRAFT.value:
        raise CampaignStateError("A draft has no outcome: delete it instead.")
    if problem := check_outcome(Status.CLOSED.value, outcome, thanks_open):
        raise CampaignStateError(f"Outcome not saved: {problem}.")
    newly_decided = campaign.outcome is None
    campaign.status = Status.CLOSED.value
    campaign.outcome, campaign.outcome_date = outcome, when
    campaign.outcome_message, campaign.thanks_open = message.strip(), thanks_open
    return newly_decided


def delete_draft(campaign: Campaign) -> None:
    if campaign.status != Status.DRAFT.value:
        raise CampaignStateError("Only a draft can be deleted; close a live campaign instead.")
    db.session.delete(campaign)


def campaign_or_404(campaign_id: int) -> Campaign:
    """The campaign with this id for an organizer page, or a 404."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def campaign_by_slug_or_404(slug: str) -> Campaign:
    """The campaign with this slug, whatever its status, for a signed-in page, or a 404."""
    campaign = get_campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    return campaign


def campaign_row_or_404(model: type[T], row_id: int, campaign: Campaign) -> T:
    """A row of `model` (a letter, an update...) that belongs to `campaign`, or a 404: an id from another
    campaign is not found here."""
    row = db.session.get(model, row_id)
    if row is None or row.campaign_id != campaign.id:
        abort(404)
    return row


# The outbox kind of the "how the campaign ended" emails (letters/outcome_emails.py writes and sends them).
OUTCOME = "outcome"
# Called as hook(campaign_id), in the transaction that gives a campaign its outcome. The outcome emails register
# here: they go to the campaign's letter writers, a layer above.
OUTCOME_HOOKS: list[Callable[[int], object]] = []


def on_outcome(hook: Callable[[int], object]) -> Callable[[int], object]:
    OUTCOME_HOOKS.append(hook)
    return hook


def outcome_decided(campaign_id: int) -> None:
    """The campaign has just been given its outcome (on the organizer's page or from its file)."""
    for hook in OUTCOME_HOOKS:
        hook(campaign_id)
