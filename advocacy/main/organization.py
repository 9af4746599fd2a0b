"""The public privacy page, the organization's settings page, and the organization on every page (a context
processor) and at start. The settings themselves are advocacy/organization, low in the house (letters build
links from them); this page records an audit event, so it sits on top."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from advocacy.auth.access import public, role_required
from advocacy.auth.models import Role
from advocacy.extensions import db
from advocacy.organization import settings as org_settings
from advocacy.organization.forms import OrganizationForm
from advocacy.organization.identity import current_organization, organization_from, public_url
from advocacy.organization.models import ROW_ID, OrganizationSettings
from advocacy.reports import audit

bp = Blueprint("organization", __name__)
log = logging.getLogger(__name__)


@bp.record_once
def _warn_without_site_url(state) -> None:
    """Logged once, at start: share links and emails need the public address in production-like runs."""
    settings = state.app.config["ADVOCACY_SETTINGS"]
    if settings.production and not settings.site_url:
        log.warning(
            "ADVOCACY_SITE_URL is not set: emails carry no links (no password-reset email is sent), "
            "and share links use the host of each request"
        )


@bp.app_context_processor
def _organization() -> dict:
    return {"organization": current_organization(), "public_url": public_url}


@bp.get("/privacy")
@public
def privacy():
    return render_template("organization/privacy.html")


def _settings_page(form: OrganizationForm, status: int = 200):
    environment = organization_from(current_app.config["ADVOCACY_SETTINGS"])
    row = db.session.get(OrganizationSettings, ROW_ID)
    return render_template("admin/organization.html", form=form, environment=environment, row=row), status


@bp.get("/admin/organization")
@role_required(Role.ADMIN)
def settings():
    row = db.session.get(OrganizationSettings, ROW_ID)
    form = OrganizationForm(data={name: getattr(row, name) or "" for name in org_settings.FIELDS} if row else None)
    return _settings_page(form)


@bp.post("/admin/organization")
@role_required(Role.ADMIN)
def save_settings():
    """Checked as a whole: one bad field and nothing is saved."""
    form = OrganizationForm()
    if not form.validate_on_submit():
        return _settings_page(form, 400)
    changed = org_settings.save(form.values(), current_user.id)
    if changed:
        audit.record("organization.update", filters={"fields": changed}, commit=False)
    db.session.commit()
    org_settings.forget_saved()
    flash("Organization settings saved." if changed else "Nothing had changed.", "info")
    return redirect(url_for(".settings"))
