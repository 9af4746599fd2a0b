"""One renderer for a writer's letters: the review page, the send and a re-addressed letter all render here.

What a writer reviews is what is sent: the same variant choice (by the office's chamber and the stance the
campaign's statements give it), the same placeholders, the same sandboxed render. The placeholder values of
the campaign and of the writer are cleaned once per renderer, not once per letter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advocacy.campaigns.placeholders import ConstituentFields, campaign_fields, constituent_fields
from advocacy.campaigns.rendering import TemplateProblem, choose_variant, render_letter
from advocacy.campaigns.services import Target
from advocacy.letters.validation import Constituent


class NoVariant(TemplateProblem):
    """The campaign has no letter variant for an office (its chamber and stance match none)."""

    def __init__(self, target: Target):
        super().__init__(
            f"the campaign has no letter variant for {target.title} {target.name}".strip(), None, "variant"
        )


@dataclass(frozen=True, slots=True)
class RenderedLetter:
    target: Target
    stance: str | None  # the office's stance in the campaign when rendered (stored as stance_at_send)
    variant: str  # the variant's name
    subject: str
    body: str
    message: str  # the writer's own words for this office
    statement: str  # the letter without the writer's own words (CWC's OrganizationStatement); "" unless asked


class LetterRenderer:
    """Renders `campaign`'s letter from `constituent` to any target.

    `stances` maps bioguide ids to the office's stance in the campaign; `statements` also renders each letter
    without the writer's words (only CWC needs it). Raises TemplateProblem (NoVariant when no variant fits).
    """

    def __init__(
        self, campaign: Any, constituent: Constituent, stances: Mapping[str, str], *, statements: bool = False
    ):
        self._variants = campaign.letters
        self._campaign = campaign_fields(campaign)
        self._constituent = constituent
        self._stances = stances
        self._statements = statements
        self._writers: dict[str, ConstituentFields] = {}

    def _writer(self, message: str) -> ConstituentFields:
        fields = self._writers.get(message)
        if fields is None:
            writer = dataclasses.replace(self._constituent, message=message)
            fields = self._writers[message] = constituent_fields(writer)
        return fields

    def render(self, target: Target, message: str | None = None) -> RenderedLetter:
        """The letter to `target`, with `message` as the writer's own words (default: what they typed)."""
        if message is None:
            message = self._constituent.message
        stance = self._stances.get(target.bioguide_id) if target.bioguide_id else None
        variant = choose_variant(self._variants, target.chamber, stance)
        if variant is None:
            raise NoVariant(target)
        subject, body = render_letter(self._campaign, variant, self._writer(message), target, stance)
        statement = ""
        if self._statements:
            statement = body
            if message:
                _, statement = render_letter(self._campaign, variant, self._writer(""), target, stance)
        return RenderedLetter(target, stance, variant.name, subject, body, message, statement)
