"""The public privacy page, and the organization on every page (a context processor) and at start."""

from __future__ import annotations

import logging

from flask import Blueprint, render_template

from advocacy.auth.access import public
from advocacy.organization.identity import current_organization, public_url

bp = Blueprint("organization", __name__)
log = logging.getLogger(__name__)


@bp.record_once
def _warn_without_site_url(state) -> None:
    """Logged once, at start: share links and emails need the public address in production-like runs."""
    settings = state.app.config["ADVOCACY_SETTINGS"]
    if settings.production and not settings.site_url:
        log.warning("ADVOCACY_SITE_URL is not set: emails carry no links, and share links use the host of each request")


@bp.app_context_processor
def _organization() -> dict:
    return {"organization": current_organization(), "public_url": public_url}


@bp.get("/privacy")
@public
def privacy():
    return render_template("organization/privacy.html")
