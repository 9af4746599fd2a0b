"""The public home page, the signed-in start page and load-balancer checks."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from advocacy.auth.access import public
from advocacy.auth.models import Role
from advocacy.db import utcnow
from advocacy.extensions import db
from advocacy.main.home import admin_home, organizer_home, staff_campaigns
from advocacy.main.nav import nav_for

bp = Blueprint("main", __name__)


@bp.app_context_processor
def inject_nav():
    return {"nav_items": lambda: nav_for(current_user)}


@bp.get("/dashboard")
def dashboard():
    """The home of each role: an admin sees all three parts, an organizer two, staff one."""
    return render_template(
        "dashboard.html",
        organizer=organizer_home(utcnow()) if current_user.has_role(Role.ORGANIZER) else None,
        campaigns=staff_campaigns(),
        admin=admin_home() if current_user.has_role(Role.ADMIN) else None,
    )


@bp.get("/healthz")
@public
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
@public
def readyz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:  # any database failure means "not ready"; details stay in the log
        db.session.rollback()
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok", database="ok")
