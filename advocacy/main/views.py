"""The public home page, the signed-in start page and load-balancer checks."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from advocacy.auth.access import public, role_required
from advocacy.auth.forms import UserActiveForm
from advocacy.auth.models import Role
from advocacy.db import app_now
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
        organizer=organizer_home(app_now()) if current_user.has_role(Role.ORGANIZER) else None,
        campaigns=staff_campaigns(),
        admin=admin_home() if current_user.has_role(Role.ADMIN) else None,
        summary_form=UserActiveForm(),
    )


@bp.post("/account/weekly-summary")
@role_required(Role.STAFF)
def weekly_summary():
    """Opt in or out of the weekly summary email (advocacy/reports/weekly.py)."""
    form = UserActiveForm()
    if form.validate_on_submit():
        current_user.weekly_summary = bool(form.active.data)
        db.session.commit()
        flash("You will get the weekly summary." if current_user.weekly_summary else "No more weekly summary.", "info")
    return redirect(url_for(".dashboard"))


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
