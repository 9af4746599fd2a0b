"""The public home page, the signed-in start page and load-balancer checks."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from advocacy.auth.access import public
from advocacy.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/dashboard")
def dashboard():
    return render_template("dashboard.html")


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
