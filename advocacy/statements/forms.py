"""Forms for recording statements, reviewing candidates and managing monitored feeds."""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, AnyOf, DataRequired, InputRequired, Length, Optional

from advocacy.congress.offices import Office
from advocacy.places import STATE_NAMES
from advocacy.stances import KIND_LABELS, MAX_QUOTE, Stance
from advocacy.statements.models import MAX_URL, SourceKind
from advocacy.statements.scoreboard import office_label
from advocacy.statements.services import StatementInput

KIND_CHOICES = [SelectChoice(value, label) for value, label in KIND_LABELS.items()]
STANCE_CHOICES = [SelectChoice(s.value, s.label) for s in Stance]


def office_choices(offices: list[Office]) -> list[SelectChoice]:
    """One option per office, grouped by state (optgroups), senators first within a state."""
    ordered = sorted(offices, key=lambda o: (STATE_NAMES.get(o.state, o.state), o.chamber != "senate", o.district or 0))
    return [SelectChoice(o.bioguide_id, office_label(o), optgroup=STATE_NAMES.get(o.state, o.state)) for o in ordered]


class StatementForm(FlaskForm):
    bioguide_id = SelectField("Office", validators=[DataRequired(message="Choose the office that spoke.")])
    date = DateField("Date of the statement", validators=[InputRequired(message="Give the date.")])
    kind = SelectField("Kind", choices=KIND_CHOICES, validators=[DataRequired()])
    stance = RadioField("Stance", choices=STANCE_CHOICES, validators=[DataRequired(message="Choose a stance.")])
    source_url = URLField(
        "Source URL",
        validators=[
            DataRequired(message="Give the address where the statement can be read."),
            URL(require_tld=False, message="Give a full web address, starting with https://"),
            Length(max=MAX_URL),
        ],
    )
    quote_or_summary = TextAreaField("Quote or summary", validators=[Optional(), Length(max=MAX_QUOTE)])

    def set_offices(self, offices: list[Office], extra: tuple[str, str] | None = None) -> None:
        """`extra` keeps a former member selectable on a statement that already names them."""
        choices = office_choices(offices)
        if extra is not None and all(extra[0] != c.value for c in choices):
            choices.insert(0, SelectChoice(extra[0], extra[1], optgroup="Former members"))
        self.bioguide_id.choices = [SelectChoice("", "Choose an office…"), *choices]

    def to_input(self) -> StatementInput:
        return StatementInput(
            bioguide_id=self.bioguide_id.data or "",
            date=self.date.data or dt.date.min,
            kind=self.kind.data or "",
            stance=self.stance.data or "",
            source_url=(self.source_url.data or "").strip(),
            quote_or_summary=self.quote_or_summary.data or "",
        )

    def show_errors(self, fields: dict[str, str]) -> None:
        for name, message in fields.items():
            field = getattr(self, name, None)
            if field is not None:
                field.errors = [*field.errors, message]


class FeedForm(FlaskForm):
    url = URLField(
        "Feed or press page URL",
        validators=[
            DataRequired(message="Give the address of the feed or page."),
            URL(require_tld=False, message="Give a full web address, starting with https://"),
            Length(max=MAX_URL),
        ],
    )
    label = StringField("Label (optional)", validators=[Optional(), Length(max=200)])
    bioguide_id = SelectField("Office this feed speaks for (optional)", validators=[Optional()])
    # Set by the buttons offered when the address is a web page: read the feed it links to, or the page.
    watch = HiddenField(validators=[Optional(), AnyOf(["", *(k.value for k in SourceKind)])])

    def set_offices(self, offices: list[Office]) -> None:
        self.bioguide_id.choices = [SelectChoice("", "None: a news site or other source"), *office_choices(offices)]


class EmptyForm(FlaskForm):
    """CSRF only: for buttons that remove or dismiss something."""
