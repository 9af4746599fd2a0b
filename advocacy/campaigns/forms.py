"""Organizer forms: every field checked, with messages an organizer can act on."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from advocacy.campaigns import models as m
from advocacy.campaigns.validation import (
    BIOGUIDE_RE,
    THOMAS_RE,
    check_email,
    check_photo_url,
    clean_ids,
    clean_terms,
    split_ids,
    split_lines,
    unknown_committees,
    unknown_members,
)
from advocacy.delivery.cwc import LOC_TOPICS


def strip(value):
    return value.strip() if isinstance(value, str) else value


def normalize_newlines(value):
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def required(what: str) -> DataRequired:
    return DataRequired(message=f"Enter {what}.")


def at_most(n: int) -> Length:
    return Length(max=n, message=f"Use at most {n:,} characters.")


class TermsField(TextAreaField):
    """One term per line; `.terms` holds the cleaned list after validation."""

    terms: list[str]

    def pre_validate(self, form):
        self.terms, problem = clean_terms(split_lines(self.data or ""))
        if problem:
            raise ValidationError(problem[0].upper() + problem[1:] + ".")


class CampaignForm(FlaskForm):
    slug = StringField(
        "Address (slug)",
        description="Lowercase letters, digits and hyphens; the page will be /c/<slug>.",
        filters=[strip],
        validators=[
            required("a slug"),
            Regexp(m.SLUG_PATTERN, message="Use 2 to 63 lowercase letters, digits and hyphens, starting with a "
                   "letter or digit."),
        ],
    )  # fmt: skip
    title = StringField("Title", filters=[strip], validators=[required("a title"), at_most(m.MAX_TITLE)])
    detainee_name = StringField(
        "Detained person's name", filters=[strip], validators=[required("the person's name"), at_most(m.MAX_NAME)]
    )
    photo_url = StringField(
        "Photo URL",
        description=(
            "Optional. A photo you have permission to use, served by this site (a path such as "
            "/static/campaigns/ana.jpg). Public pages show no photo from another site: it would learn who reads "
            "the campaign. An https:// address is kept for the API only."
        ),
        filters=[strip],
        validators=[Optional(), at_most(m.MAX_URL)],
    )
    story_markdown = TextAreaField(
        "Story",
        description="Markdown: **bold**, *italic*, [links](https://…), lists, headings. HTML is not allowed.",
        filters=[normalize_newlines],
        validators=[at_most(m.MAX_STORY)],
    )
    ask = TextAreaField(
        "The ask", filters=[strip, normalize_newlines], validators=[required("what you ask for"), at_most(m.MAX_ASK)]
    )
    share_text = TextAreaField(
        "Share text", description="Optional. Suggested text for social media.", filters=[strip],
        validators=[at_most(m.MAX_SHARE_TEXT)],
    )  # fmt: skip
    keywords = TermsField("Keywords", description="One per line; used to find statements (e.g. Guan Heng, 关恒).")
    aliases = TermsField("Aliases", description="One per line; other spellings of the person's name.")
    cwc_topic = SelectField(
        "Topic for Congress", choices=[SelectChoice(t, t) for t in LOC_TOPICS], default="Immigration",
        description="The Library of Congress policy area sent with CWC deliveries.",
    )  # fmt: skip

    def validate_photo_url(self, field):
        if field.data and (problem := check_photo_url(field.data)):
            raise ValidationError(problem[0].upper() + problem[1:] + ".")


class LetterForm(FlaskForm):
    name = StringField(
        "Name", description="For you: e.g. 'Urge senators'.", filters=[strip],
        validators=[required("a name"), at_most(m.MAX_VARIANT_NAME)],
    )  # fmt: skip
    chamber = SelectField(
        "Sent to",
        choices=[
            SelectChoice("any", "Any office"),
            SelectChoice("senate", "Senators"),
            SelectChoice("house", "House members (incl. delegates)"),
        ],
        default="any",
    )
    stance = SelectField(
        "When the office",
        choices=[
            SelectChoice("any", "Either way"),
            SelectChoice("not_spoken", "Has not spoken yet"),
            SelectChoice("spoken", "Has spoken (thank you)"),
        ],
        default="any",
    )
    priority = IntegerField(
        "Priority",
        description="Breaks ties between equally specific variants; higher wins.",
        default=0,
        validators=[Optional(), NumberRange(-100, 100, message="Use a number from -100 to 100.")],
    )
    subject = StringField("Subject", filters=[strip], validators=[required("a subject"), at_most(m.MAX_SUBJECT_SOURCE)])
    body = TextAreaField("Letter", filters=[normalize_newlines], validators=[required("the letter"), at_most(20_000)])


class TargetsForm(FlaskForm):
    include_delegation = BooleanField("Each writer's own senators and representative", default=True)
    # The pickers: checkboxes of offices and committees found by name (campaigns/pickers.py).
    member = SelectMultipleField("Offices", choices=[], validate_choice=False)
    committee = SelectMultipleField("Committees", choices=[], validate_choice=False)
    # For people who have the ids at hand: added to the ones checked above.
    members = TextAreaField(
        "Add members by bioguide id", description="One per line or separated by commas (e.g. G000555)."
    )
    committees = TextAreaField(
        "Add committees by id", description="Thomas ids of committees or subcommittees (e.g. SSJU, HSHM, SSJU01)."
    )

    def validate_members(self, field):
        picked = [*(self.member.data or []), *split_ids(field.data)]
        self.member_ids, problem = clean_ids(picked, BIOGUIDE_RE, "bioguide id (e.g. G000555)")
        if problem:
            raise ValidationError(problem[0].upper() + problem[1:] + ".")
        if unknown := unknown_members(self.member_ids):
            raise ValidationError(f"Not a sitting member: {', '.join(unknown)}.")

    def validate_committees(self, field):
        picked = [*(self.committee.data or []), *split_ids(field.data)]
        self.committee_ids, problem = clean_ids(picked, THOMAS_RE, "committee thomas id (e.g. SSJU)")
        if problem:
            raise ValidationError(problem[0].upper() + problem[1:] + ".")
        if unknown := unknown_committees(self.committee_ids):
            raise ValidationError(f"No such committee: {', '.join(unknown)}.")


class CustomTargetForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[required("a name"), at_most(m.MAX_NAME)])
    title = StringField(
        "Title", description="e.g. Field Office Director, ICE New York", filters=[strip],
        validators=[at_most(m.MAX_NAME)],
    )  # fmt: skip
    email = EmailField(
        "Email", description="A real, published address.", filters=[strip],
        validators=[required("an email address"), at_most(m.MAX_EMAIL)],
    )  # fmt: skip
    salutation = StringField(
        "Salutation", description="Optional, e.g. Dear Director Smith.", filters=[strip],
        validators=[at_most(m.MAX_NAME)],
    )  # fmt: skip

    def validate_email(self, field):
        normalized, problem = check_email(field.data)
        if problem:
            raise ValidationError(problem)
        field.data = normalized


class OutcomeForm(FlaskForm):
    """Close a campaign with how it ended (or correct that): the outcome, its date and a short public message."""

    outcome = SelectField(
        "Outcome",
        choices=[SelectChoice(o.value, f"{o.label} ({o.result})") for o in m.Outcome],
        validators=[required("how the campaign ended")],
    )
    outcome_date = DateField("Date", validators=[DataRequired(message="Enter the date, e.g. 2026-02-03.")])
    outcome_message = TextAreaField(
        "Public message",
        filters=[strip, normalize_newlines],
        validators=[required("a short public message"), at_most(m.MAX_OUTCOME_MESSAGE)],
    )
    thanks_open = BooleanField("Keep one action open: writers thank their own members whose office acted")


class ConfirmForm(FlaskForm):
    """Buttons that change state (publish, close, delete): just the CSRF token."""
