"""Login, logout, password change and password reset pages.

A login is a server-side session (LoginSession): the signed cookie carries its token, and logout, a password
change or a reset deletes the record, so a copy of the cookie opens nothing afterwards. Failed logins are
throttled per IP and per account; a browser that has logged in to the account before (its signed device
cookie) is not held back by the per-account limit, so strangers' failures cannot lock the owner out.
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from advocacy.auth.access import public, role_required
from advocacy.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    LogoutForm,
    PasswordChangeForm,
    ResetPasswordForm,
)
from advocacy.auth.mail import link_base, send_reset_link_later
from advocacy.auth.services import (
    INVITE,
    AccountError,
    authenticate,
    change_password,
    end_session,
    link_purpose,
    reset_password,
    session_user,
    start_session,
)
from advocacy.errors import error_response
from advocacy.extensions import client_ip, limiter, login_manager
from advocacy.identity import account_key

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)
GENERIC_LOGIN_ERROR = "That email and password do not match an active account."
SESSION_KEY = "login_token"  # the session key holding this browser's LoginSession token
ACCOUNT_LIMIT = "5 per minute;30 per hour"  # failed or not, per account, from browsers it does not know
DEVICE_LIMIT = "10 per minute;60 per hour"  # per known browser (its device cookie), instead
DEVICE_COOKIE = "advocacy_device"
DEVICE_MAX_AGE = 180 * 24 * 3600
FORGOT_ANSWER = (
    "If an active account uses that address, we have emailed it a link to choose a new password. "
    "The link works once, for one hour."
)


@login_manager.user_loader
def load_user(user_id: str):
    ident, _, token = user_id.partition(":")
    if not ident.isdigit() or not token:
        return None
    return session_user(int(ident), token, session.get(SESSION_KEY))


@login_manager.unauthorized_handler
def unauthorized():
    """API callers get a JSON 401; people get the login page, coming back here afterwards."""
    if request.path.startswith("/api/"):
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


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="login-device")


def _known_device(account: str) -> str | None:
    """This browser's device id when its device cookie says it logged in to `account` before, else None."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        value = _devices().loads(raw, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(value, dict) or value.get("a") != account or not isinstance(value.get("d"), str):
        return None
    return value["d"]


def _remember_device(response, account: str) -> None:
    value = _devices().dumps({"a": account, "d": secrets.token_urlsafe(12)})
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_MAX_AGE,
        path=url_for("auth.login"),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def _login_retry_after(account: str) -> int | None:
    """Per-account throttle; a browser that logged in to this account before counts on its own key instead."""
    device = _known_device(account)
    if device is not None:
        return limiter.retry_after("login-device", f"{account}:{device}", DEVICE_LIMIT)
    return limiter.retry_after("login-account", account, ACCOUNT_LIMIT)


def _too_many(wait: int):
    flash(f"Too many attempts. Please wait {wait} seconds and try again.", "error")
    form = LoginForm()
    return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"], key_func=lambda: "login-ip:" + client_ip())
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if request.method == "POST":
        account = account_key(request.form.get("email", ""))
        wait = _login_retry_after(account)
        if wait is not None:
            return _too_many(wait)
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            log.info("login refused account=%s", account_key(form.email.data))
            flash(GENERIC_LOGIN_ERROR, "error")
            return render_template("auth/login.html", form=form), 401
        session.clear()  # a fresh session: nothing from before the login carries over
        session[SESSION_KEY] = start_session(user)
        login_user(user)
        log.info("login ok user_id=%s", user.id)
        response = redirect(safe_next(form.next.data) or url_for("main.dashboard"))
        _remember_device(response, account_key(form.email.data))
        return response
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.dashboard"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@public
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        end_session(session.get(SESSION_KEY))
        logout_user()
        session.clear()
        flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@role_required("staff")  # every role
def password():
    """Change one's own password; every other session of the account ends."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_password(
                current_user,
                form.current.data,
                form.new.data,
                form.confirm.data,
                keep_session=session.get(SESSION_KEY),
            )
        except AccountError as exc:
            flash(str(exc), "error")
            return render_template("auth/password.html", form=form), 400
        log.info("password changed user_id=%s", current_user.id)
        flash("Your password is changed. You are logged out everywhere else.", "info")
        return redirect(url_for("main.dashboard"))
    return render_template("auth/password.html", form=form)


@bp.route("/login/forgot", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute;20 per hour", methods=["POST"], key_func=lambda: "reset-ip:" + client_ip())
def forgot_password():
    """Ask for a reset link. The answer, and its timing, are the same whether or not the account exists:
    the account is looked up and the email sent on a background thread (auth.mail)."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot.html", form=form, sent=False)
    if limiter.retry_after("reset-account", account_key(form.email.data), "3 per hour") is None:
        base = link_base()  # never the Host header in production: it would let a stranger aim the link
        if base is None:
            log.warning("password reset link not sent: ADVOCACY_SITE_URL is not set")
        else:
            send_reset_link_later(form.email.data, base + url_for("auth.reset"))
    return render_template("auth/forgot.html", form=form, sent=True)


def _reset_page(form: ResetPasswordForm) -> str:
    """The set-a-password form: for a reset link or an invitation (same machinery, other words)."""
    purpose = link_purpose(form.token.data)
    return render_template("auth/reset.html", form=form, valid=purpose is not None, invite=purpose == INVITE)


@bp.route("/login/reset", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"], key_func=lambda: "reset-ip:" + client_ip())
def reset():
    """The emailed link (`?token=`; the access log writes no query string) and the form it opens."""
    form = ResetPasswordForm()
    if request.method == "GET":
        form.token.data = request.args.get("token", "")[:128]
        return _reset_page(form)
    if not form.validate_on_submit():
        return _reset_page(form), 400
    try:
        user = reset_password(form.token.data, form.new.data, form.confirm.data)
    except AccountError as exc:
        flash(str(exc), "error")
        return _reset_page(form), 400
    log.info("password reset used user_id=%s", user.id)
    flash("Your password is changed and every session of your account has ended. Please log in.", "info")
    return redirect(url_for("auth.login"))
