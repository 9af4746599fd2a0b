"""The organizer's preview: every letter variant rendered against real offices and sample writers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advocacy.campaigns.models import Campaign
from advocacy.campaigns.placeholders import normalize_stance
from advocacy.campaigns.rendering import (
    MAX_VALIDATION_CPU,
    TemplateProblem,
    choose_variant,
    clean_template_source,
    render_letter,
    shared_time_limit,
)
from advocacy.campaigns.samples import SAMPLE_CONSTITUENTS, SAMPLE_CUSTOM_TARGET, SAMPLE_OFFICES
from advocacy.campaigns.services import Target, publish_problems
from advocacy.campaigns.validation import case_coverage
from advocacy.congress.offices import current_offices

STANCE_LABELS = {"spoken": "has spoken", "not_spoken": "has not spoken"}
PREFERRED_STATE = "NY"


@dataclass(frozen=True)
class PreviewLetter:
    office_label: str
    stance: str
    constituent_label: str
    subject: str = ""
    body: str = ""
    problem: str = ""


@dataclass(frozen=True)
class CoverageRow:
    label: str
    office_label: str
    variant_name: str | None


def _label(office: Any) -> str:
    if not getattr(office, "chamber", None):
        return f"{office.name}, {office.title} (custom target)"
    where = office.state if office.chamber == "senate" else f"{office.state}-{office.district or 'AL'}"
    return f"{office.title} {office.name} ({office.party[:1]}-{where})"


def preview_offices() -> tuple[list[Any], bool]:
    """A senator, a representative and a delegate: real ones when the legislators are loaded.

    Returns (offices, real). New York first, since that is where the first campaign's detainee is held.
    """
    try:
        offices = current_offices()
    except ImportError:
        offices = []
    picks = []
    for wanted in (
        lambda o: o.chamber == "senate",
        lambda o: o.chamber == "house" and o.title == "Representative",
        lambda o: o.chamber == "house" and o.title != "Representative",
    ):
        matches = [o for o in offices if wanted(o)]
        matches.sort(key=lambda o: (o.state != PREFERRED_STATE, o.state, o.district or 0))
        if matches:
            picks.append(matches[0])
    if len(picks) == 3:
        return picks, True
    return list(SAMPLE_OFFICES[:3]), False


def _recipients(campaign: Campaign, offices: list[Any]) -> list[Any]:
    customs = [Target.for_custom(t) for t in campaign.custom_targets[:1]]
    return offices + (customs or [SAMPLE_CUSTOM_TARGET])


def coverage(campaign: Campaign, offices: list[Any]) -> list[CoverageRow]:
    """Which variant each kind of recipient gets (None: nobody, which blocks publishing)."""
    rows = []
    for office in _recipients(campaign, offices):
        stances = ("not_spoken", "spoken") if getattr(office, "chamber", None) else ("not_spoken",)
        for stance in stances:
            variant = choose_variant(campaign.letters, getattr(office, "chamber", None), stance)
            rows.append(CoverageRow(STANCE_LABELS[stance], _label(office), variant.name if variant else None))
    return rows


def preview_variant(campaign: Campaign, variant: Any, offices: list[Any]) -> list[PreviewLetter]:
    """The variant rendered for every office it can reach, in each stance it covers."""
    letters = []
    stances = ("not_spoken", "spoken") if variant.stance == "any" else (variant.stance,)
    recipients = [o for o in offices if variant.chamber in ("any", o.chamber)]
    if variant.chamber == "any":
        recipients += _recipients(campaign, [])
    n = 0
    for office in recipients:
        for stance in stances:
            if not getattr(office, "chamber", None) and normalize_stance(stance) == "spoken":
                continue  # custom targets never "speak"
            constituent = SAMPLE_CONSTITUENTS[n % 4]
            n += 1
            who = f"{constituent.first_name} {constituent.last_name}, {constituent.city} {constituent.state}"
            try:
                subject, body = render_letter(campaign, variant, constituent, office, stance)
            except TemplateProblem as exc:
                letters.append(PreviewLetter(_label(office), STANCE_LABELS[stance], who, problem=str(exc)))
                continue
            letters.append(PreviewLetter(_label(office), STANCE_LABELS[stance], who, subject, body))
    return letters


@dataclass(frozen=True)
class DraftVariant:
    """A letter as the organizer is typing it, before it is saved: rendered by the editor's live preview and
    judged by the publish checklist in place of its saved self. `id` orders it among equals as saving would
    (the letter's own id; a new letter comes after every saved one)."""

    name: str
    chamber: str
    stance: str
    subject: str
    body: str
    priority: int = 0
    id: int | None = None


@dataclass(frozen=True)
class VariantCheck:
    """One variant against the publish checklist: which office cases it is the letter for, and whether it
    renders for the offices previewed."""

    name: str
    chamber: str
    stance: str
    typed: bool  # judged on what is typed in the editor, not on what is saved
    serves: tuple[str, ...]  # the checklist's office cases that get this letter
    letters: int
    failing: int
    problem: str = ""  # the first letter's problem, when one cannot be rendered


@dataclass(frozen=True)
class EditorPreview:
    """What the letter editor shows: the letter as typed (None before a preview), whether the offices are real,
    every variant's status against the publish checklist, and the checklist's own problems."""

    letters: list[PreviewLetter] | None
    real: bool
    checks: list[VariantCheck]
    problems: list[str]


def draft_variant(campaign: Campaign, name, chamber, stance, subject, body, priority=0, letter=None) -> DraftVariant:
    """The letter as typed, cleaned as a save would clean it; `letter` is the saved variant it edits, if any."""
    newest = max((v.id or 0 for v in campaign.letters), default=0) + 1
    return DraftVariant(
        (name or "").strip() or "This letter",
        chamber if chamber in ("any", "senate", "house") else "any",
        stance if stance in ("any", "spoken", "not_spoken") else "any",
        clean_template_source(subject or ""),
        clean_template_source(body or ""),
        priority if isinstance(priority, int) and -100 <= priority <= 100 else 0,
        letter.id if letter is not None else newest,
    )


def editor_preview(campaign: Campaign, draft: DraftVariant | None = None, letter: Any = None) -> EditorPreview:
    """The editor's preview: `draft` (the letter as typed, or None before "Preview") rendered for a senator, a
    representative and a delegate, spoken and not, and every variant of the campaign checked the way the
    publish checklist (`services.publish_problems`) checks them, the typed letter in place of `letter`, the
    saved variant it edits (or added, for a new letter). Nothing is stored."""
    offices, real = preview_offices()
    variants: list[Any] = [draft if draft is not None and v is letter else v for v in campaign.letters]
    if draft is not None and letter is None:
        variants.append(draft)
    served = case_coverage(variants, bool(campaign.custom_targets))
    checks = []
    with shared_time_limit(MAX_VALIDATION_CPU):  # each render keeps its own budget; all of them this one
        drafted = preview_variant(campaign, draft, offices) if draft is not None else None
        for variant in variants:
            letters = drafted if variant is draft else preview_variant(campaign, variant, offices)
            failing = [item for item in letters if item.problem]
            checks.append(
                VariantCheck(
                    variant.name,
                    variant.chamber,
                    variant.stance,
                    variant is draft,
                    tuple(case for case, chosen in served if chosen is variant),
                    len(letters),
                    len(failing),
                    failing[0].problem if failing else "",
                )
            )
    return EditorPreview(drafted, real, checks, publish_problems(campaign, letters=variants))
