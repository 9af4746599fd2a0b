"""Login and logout pages."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from advocacy.auth.access import public
from advocacy.auth.forms import LoginForm, LogoutForm
from advocacy.auth.services import authenticate, email_key
from advocacy.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)
GENERIC_LOGIN_ERROR = "That email and password do not match an active account."


@login_manager.user_loader
def load_user(user_id: str):
    from advocacy.auth.models import User

    ident, _, token = user_id.partition(":")
    if not ident.isdigit() or not token:
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """API callers get a JSON 401; people get the login page, coming back here afterwards."""
    if request.path.startswith("/api/"):
        from advocacy.api import error_response

        return error_response(401, "login_required", "You need to log in.")
    flash("Please log in to see that page.", "info")
    target = request.full_path if request.method == "GET" else request.path
    return redirect(url_for("auth.login", next=safe_next(target.rstrip("?"))))


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths; anything else could send a user to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _login_account_key() -> str:
    return "login-account:" + email_key(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"], key_func=lambda: "login-ip:" + (request.remote_addr or ""))
@limiter.limit("5 per minute;30 per hour", methods=["POST"], key_func=_login_account_key)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            log.info("login refused account=%s", email_key(form.email.data))
            flash(GENERIC_LOGIN_ERROR, "error")
            return render_template("auth/login.html", form=form), 401
        session.clear()  # a fresh session: nothing from before the login carries over
        login_user(user)
        log.info("login ok user_id=%s", user.id)
        return redirect(safe_next(form.next.data) or url_for("main.dashboard"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.dashboard"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@public
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
