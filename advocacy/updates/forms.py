"""Organizer and supporter forms for updates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class UpdateForm(FlaskForm):
    title = StringField(
        "Title",
        filters=[_strip],
        validators=[DataRequired(message="Enter a title."), Length(max=200, message="Use at most 200 characters.")],
    )
    body = TextAreaField(
        "What happened",
        description="Markdown: **bold**, *italic*, [links](https://…), lists. Shown as a preview before saving.",
        filters=[_strip],
        validators=[
            DataRequired(message="Write the update."),
            Length(max=20_000, message="Use at most 20,000 characters."),
        ],
    )
    ask = StringField(
        "New ask (optional)",
        description="For example: call your senator before Tuesday's hearing.",
        filters=[_strip],
        validators=[Optional(), Length(max=500, message="Use at most 500 characters.")],
    )
    states = StringField(
        "Only supporters in these states (optional)",
        description="Postal codes separated by spaces or commas, e.g. NY NJ. Empty: everyone.",
        filters=[_strip],
        validators=[Optional(), Length(max=300)],
    )
    districts = StringField(
        "Or in these districts (optional)",
        description="e.g. NY-12 WY-0.",
        filters=[_strip],
        validators=[Optional(), Length(max=600)],
    )


class ButtonForm(FlaskForm):
    """A button that changes state: just the CSRF token."""


class PreferencesForm(FlaskForm):
    scope = RadioField(
        _l("Stop"),
        choices=[
            SelectChoice("campaign", _l("Emails about this campaign")),
            SelectChoice("all", _l("All emails from us, about any campaign")),
        ],
        default="campaign",
        validators=[DataRequired(message=_l("Choose what to stop."))],
    )
