"""Forms for the casework pages: private facts, office actions, timeline events, the casework packet."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from advocacy.campaigns.models import TIMELINE_KINDS
from advocacy.casework.facts import RELEASE_STATUSES
from advocacy.casework.models import ACTION_LABELS
from advocacy.casework.timeline import CUSTODY
from advocacy.labels import label
from advocacy.places import STATE_NAMES


class FactsForm(FlaskForm):
    a_number = StringField("A-number", validators=[Optional(), Length(max=20)])
    birth_date = StringField("Date of birth (YYYY-MM-DD)", validators=[Optional(), Length(max=10)])
    lawyer_name = StringField("Lawyer", validators=[Optional(), Length(max=200)])
    lawyer_contact = TextAreaField("Lawyer's contact (phone, email, address)", validators=[Optional(), Length(max=500)])
    release_status = SelectField("Privacy release", choices=[SelectChoice(k, v) for k, v in RELEASE_STATUSES.items()])
    release_file = FileField("Signed release form (PDF, PNG or JPEG)")


class ActionForm(FlaskForm):
    bioguide_id = SelectField("Office", validators=[DataRequired(message="Choose the office.")])
    date = DateField("Date", validators=[InputRequired(message="Give the date.")])
    kind = SelectField("What the office did", choices=[SelectChoice(k, v) for k, v in ACTION_LABELS.items()])
    evidence_url = URLField("Evidence: web address", validators=[Optional(), Length(max=2000)])
    evidence_file = FileField("or evidence: a file (PDF, PNG or JPEG)")
    note = TextAreaField("Note (for organizers)", validators=[Optional(), Length(max=2000)])


class EventForm(FlaskForm):
    date = StringField("Date (2026, 2026-01 or 2026-01-28)", validators=[DataRequired(message="Give the date.")])
    event = TextAreaField("What happened", validators=[DataRequired(message="Say what happened.")])
    source = StringField("Public source", validators=[DataRequired(message="Name the public source.")])
    source_url = URLField("Source address", validators=[Optional()])
    kind = SelectField(
        "Kind",
        choices=[SelectChoice("", "(none)")] + [SelectChoice(k, label(k, "timeline_kind")) for k in TIMELINE_KINDS],
        validate_choice=False,  # checked by casework.timeline.clean_event, with its own message
    )
    custody = SelectField(
        "Custody after it",
        choices=[SelectChoice("", "(unchanged)")] + [SelectChoice(c, label(c, "custody")) for c in CUSTODY],
        validate_choice=False,
    )
    facility = StringField("Facility", validators=[Optional()])
    city = StringField("City", validators=[Optional()])
    state = StringField("State", validators=[Optional(), Length(max=2)])


class PacketForm(FlaskForm):
    bioguide_id = SelectField("Office", validators=[DataRequired(message="Choose the office.")])
    include_private = BooleanField(
        "Include the private case facts (only for an office that has opened an inquiry; I confirm it needs them)"
    )


class PriorityForm(FlaskForm):
    """Priority targets picked, not typed: committees and offices with the pickers (campaigns/pickers.py), a
    state's delegation by name, or a caucus: a name and the offices picked as its members."""

    # The pickers' checkboxes (ids as stored; people read names). Checked by priority.clean_target.
    committee = SelectMultipleField("Committees", choices=[], validate_choice=False)
    office = SelectMultipleField("Offices", choices=[], validate_choice=False)
    state = SelectField(
        "A state's delegation",
        choices=[SelectChoice("", "(none)")]
        + [SelectChoice(code, name) for code, name in sorted(STATE_NAMES.items(), key=lambda item: item[1])],
        validate_choice=False,  # priority.clean_target says what is wrong, in words
    )
    caucus = StringField(
        "Caucus name",
        description="To add a caucus: its name here, its members picked as offices above.",
        validators=[Optional(), Length(max=200)],
    )
    reason = StringField("Why a letter matters most here", validators=[DataRequired(message="Give the reason.")])


class PlainForm(FlaskForm):
    """A form with only its CSRF token (retire buttons)."""
