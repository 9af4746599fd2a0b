"""The public lookup form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length


class LookupForm(FlaskForm):
    zip = StringField(_l("ZIP code"), validators=[Length(max=10)])
    address = StringField(
        _l("Street address (optional)"),
        description=_l("Needed when your ZIP code is split between districts. Example: 123 Main St"),
        validators=[Length(max=200)],
    )
