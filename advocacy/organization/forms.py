"""The admin's form for the organization settings (checked in settings.check, shared with nothing else)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from advocacy.organization.settings import FIELDS, check


class OrganizationForm(FlaskForm):
    name = StringField("Organization name")
    logo_url = StringField("Logo")
    contact_email = StringField("Contact email")
    privacy_text = TextAreaField("Your own words on the privacy page")
    site_url = StringField("Public address of this site")

    def values(self) -> dict[str, str]:
        return {name: (getattr(self, name).data or "").strip() for name in FIELDS}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for name, problem in check(self.values()).items():
            getattr(self, name).errors = [*getattr(self, name).errors, problem]
            ok = False
        return ok
