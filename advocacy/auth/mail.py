"""Account emails: password-reset links, prepared and sent on a background thread after the answer, and
invitations, sent while the admin who invites waits (they see whether it went).

The page that asks for a link must answer alike, and as fast, whether or not the account exists: looking the
account up, writing the token and talking to the SMTP server all happen here, off the request. One thread
per app process, started on first use (nothing at import or in create_app); jobs run in order.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app, render_template, request

from advocacy.auth.services import issue_password_reset
from advocacy.identity import account_key
from advocacy.mail import send_email
from advocacy.send_errors import PermanentError, TransientError

log = logging.getLogger(__name__)
EXTENSION = "advocacy.auth.mail"
_lock = threading.Lock()
# The site's public address (ADVOCACY_SITE_URL, or what an admin saved), registered by `organization`, which sits
# above auth and reads it; without a registration, the environment's value.
_site_url: Callable[[], str] | None = None


def site_url_from(source: Callable[[], str]) -> None:
    """Register where the site's public address is read from (organization.identity, at import)."""
    global _site_url
    _site_url = source


def link_base() -> str | None:
    """What links in account emails start with (scheme and host, no trailing slash), or None for no link.

    The site's public address when one is set. Without one, the host the request named, but only outside
    production: anyone can send a request with any Host header, and a reset link built from it would carry the
    account's token to a host of their choosing (reset poisoning). In production without an address, None."""
    settings = current_app.config["ADVOCACY_SETTINGS"]
    site = (_site_url() if _site_url is not None else settings.site_url).rstrip("/")
    if site:
        return site
    if settings.production:
        return None
    return request.host_url.rstrip("/")


def _executor(app: Flask) -> ThreadPoolExecutor:
    executor = app.extensions.get(EXTENSION)
    if executor is None:
        with _lock:
            executor = app.extensions.get(EXTENSION)
            if executor is None:
                executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="account-mail")
                app.extensions[EXTENSION] = executor
    return executor


def _in_background(job: Callable[[], None]) -> Future:
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            job()

    return _executor(app).submit(run)


def send_reset_link_later(email: str, reset_url: str) -> Future:
    """Issue a reset token for the account with this email, if there is an active one, and mail it the link
    (`reset_url?token=…`). Never raises; logs only the account's keyed hash or the user id."""

    def job() -> None:
        issued = issue_password_reset(email)
        if issued is None:
            log.info("password reset asked for no active account account=%s", account_key(email))
            return
        user, token = issued
        text = render_template("auth/reset_email.txt", link=f"{reset_url}?token={token}")
        try:
            send_email(user.email, "Choose a new password", text)
        except (TransientError, PermanentError) as exc:
            log.warning("password reset email not sent user_id=%s: %s", user.id, exc.reason)
            return
        log.info("password reset link sent user_id=%s", user.id)

    return _in_background(job)


def wait_for_account_mail(app: Flask) -> None:
    """Block until every account email queued so far is done (tests, and a clean shutdown)."""
    _executor(app).submit(lambda: None).result()


def send_invite(user_id: int, address: str, link: str) -> str | None:
    """Mail an invitation link to a new account; None when sent, else the reason it was not (for the admin)."""
    text = render_template("auth/invite_email.txt", link=link)
    try:
        send_email(address, "You are invited: choose your password", text)
    except (TransientError, PermanentError) as exc:
        log.warning("invitation email not sent user_id=%s: %s", user_id, exc.reason)
        return exc.reason
    log.info("invitation sent user_id=%s", user_id)
    return None
