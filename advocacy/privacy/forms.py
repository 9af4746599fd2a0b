"""Admin forms for finding and erasing one constituent's data."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField
from wtforms.validators import DataRequired, Email, Length


class LookupForm(FlaskForm):
    email = EmailField(
        "Constituent's email",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


class EraseForm(FlaskForm):
    """The submissions to erase arrive as `action_id` fields (the ones the lookup showed)."""

    confirm = BooleanField("I confirm this person asked for their data to be deleted", validators=[DataRequired()])
