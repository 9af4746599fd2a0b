"""The public lookup form."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length


class LookupForm(FlaskForm):
    zip = StringField("ZIP code", validators=[Length(max=10)])
    address = StringField(
        "Street address (optional)",
        description="Needed when your ZIP code is split between districts. Example: 123 Main St",
        validators=[Length(max=200)],
    )
