"""Rendering letters: choosing the variant for an office, building the placeholders, finishing the text.

Templates compile and run in the sandbox of `advocacy.campaigns.sandbox` (see there for its limits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from advocacy.campaigns.placeholders import (
    campaign_fields,
    clean_line,
    constituent_fields,
    normalize_stance,
    office_fields,
)
from advocacy.campaigns.samples import SAMPLE_CAMPAIGN, SAMPLE_CONSTITUENTS, SAMPLE_CUSTOM_TARGET, SAMPLE_OFFICES
from advocacy.campaigns.sandbox import (  # noqa: F401 - re-exported: the rendering API
    MAX_LOOP_ITERATIONS,
    MAX_OUTPUT_CHARS,
    MAX_RANGE,
    MAX_RENDER_CPU,
    MAX_RENDER_WORK,
    MAX_SUBJECT_CHARS,
    MAX_TEMPLATE_CHARS,
    MAX_VALIDATION_CPU,
    TemplateProblem,
    clean_template_source,
    compile_template,
    render_source,
    shared_time_limit,
)


class VariantLike(Protocol):
    id: Any
    name: str
    chamber: str
    stance: str
    subject: str
    body: str
    priority: int


_BLANK_RUNS = re.compile(r"\n{3,}")


def finish_body(text: str) -> str:
    # Sources are cleaned when compiled and values when the context is built, so only layout is left.
    if " \n" in text or "\t\n" in text:
        text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip()


def finish_subject(text: str) -> str:
    # One line: a newline in a subject could become a mail header.
    subject = clean_line(text, MAX_SUBJECT_CHARS + 1)
    if len(subject) > MAX_SUBJECT_CHARS:
        subject = subject[: MAX_SUBJECT_CHARS - 1].rstrip() + "…"
    return subject


def render_parts(subject: str, body: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render a subject and body source against a context of placeholder objects."""
    rendered_subject = finish_subject(render_source(subject, context, "subject", MAX_OUTPUT_CHARS))
    rendered_body = finish_body(render_source(body, context, "body", MAX_OUTPUT_CHARS))
    return rendered_subject, rendered_body


def letter_context(campaign: Any, constituent: Any, office: Any, stance: object) -> dict[str, Any]:
    return {
        "constituent": constituent_fields(constituent),
        "office": office_fields(office, stance),
        "campaign": campaign_fields(campaign),
    }


def choose_variant(templates: Iterable[VariantLike], chamber: str | None, stance: object) -> VariantLike | None:
    """The most specific variant for an office.

    A variant matches when its chamber is "any" or the office's chamber (a custom target has no chamber,
    so only "any" matches) and its stance is "any" or the office's stance. Among matches the one naming
    more of (chamber, stance) wins; then higher `priority`; then one naming the stance over one naming
    the chamber (a thank-you matters more than chamber wording); then the oldest.
    """
    letter_stance = normalize_stance(stance)
    chamber = chamber or None
    best, best_key = None, None
    for variant in templates:
        if variant.chamber not in ("any", chamber) or variant.stance not in ("any", letter_stance):
            continue
        specific_chamber, specific_stance = variant.chamber != "any", variant.stance != "any"
        key = (specific_chamber + specific_stance, variant.priority or 0, specific_stance, -(variant.id or 0))
        if best_key is None or key > best_key:
            best, best_key = variant, key
    return best


def render_letter(
    campaign: Any,
    template_variant_or_set: VariantLike | Sequence[VariantLike],
    constituent: Any,
    office: Any,
    stance: object = None,
) -> tuple[str, str]:
    """(subject, body) of the letter from `constituent` to `office`.

    `template_variant_or_set` is one variant, or all of a campaign's variants (then `choose_variant`
    picks). `office` is a congress `Office`, a campaign `Target` or a custom target; `stance` is
    "spoken"/"not_spoken" (or a statement stance: only "supports" counts as spoken). Raises
    TemplateProblem when no variant fits or the template fails; templates are validated when saved,
    so that means a bug to log, never something to show a constituent.
    """
    if hasattr(template_variant_or_set, "body"):
        variant = template_variant_or_set
    else:
        variant = choose_variant(template_variant_or_set, getattr(office, "chamber", None), stance)
        if variant is None:
            raise TemplateProblem("the campaign has no letter variant for this office", None, "variant")
    return render_parts(variant.subject, variant.body, letter_context(campaign, constituent, office, stance))


def validate_template(
    subject: str,
    body: str,
    chamber: str = "any",
    stance: str = "any",
    campaign: Any = None,
) -> None:
    """Render against every sample writer and matching sample office, spoken and not; raise TemplateProblem.

    Runs with StrictUndefined, so a misspelt placeholder is refused with its line. Each render keeps to the
    sandbox's work budget, and all of them together to MAX_VALIDATION_CPU, so a save stays short.
    """
    if not subject.strip():
        raise TemplateProblem("must not be empty", None, "subject")
    if not body.strip():
        raise TemplateProblem("must not be empty", None, "body")
    compile_template(subject, "subject")
    compile_template(body, "body")
    offices = [o for o in SAMPLE_OFFICES if chamber in ("any", o.chamber)]
    if chamber == "any":
        offices.append(SAMPLE_CUSTOM_TARGET)
    stances = ("spoken", "not_spoken") if stance == "any" else (stance,)
    campaign = campaign if campaign is not None else SAMPLE_CAMPAIGN
    with shared_time_limit(MAX_VALIDATION_CPU):
        for office in offices:
            for office_stance in stances:
                for constituent in SAMPLE_CONSTITUENTS:
                    subject_text, body_text = render_parts(
                        subject, body, letter_context(campaign, constituent, office, office_stance)
                    )
                    if not subject_text:
                        raise TemplateProblem("renders empty", None, "subject")
                    if not body_text:
                        raise TemplateProblem("renders empty", None, "body")
