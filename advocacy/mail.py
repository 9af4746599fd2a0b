"""Sending email over SMTP from the ADVOCACY_MAIL_* settings: one message, plain text plus HTML.

`send_email` is shared: letter delivery uses it, and so can receipts. It raises TransientError
(try again later: no connection, a timeout, a 4xx reply) or PermanentError (a 5xx refusal of
the recipient or the message); reasons name no address. OutcomeUnknown, a TransientError, says the
message was handed over and no answer came, so the server may have it (the delivery engine does not
resend such an email: SECURITY.md, "Delivery guarantees per channel").
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from advocacy.config import Settings
from advocacy.send_errors import OutcomeUnknown, PermanentError, TransientError


class MailNotConfigured(TransientError):
    """No ADVOCACY_MAIL_SERVER: nothing can be sent until one is set."""


class _BeforeData:
    """Calls `before_data()` after the server has accepted the sender and recipients, just before DATA: the
    last moment at which nothing has left. If it raises, the message is not sent (the session is quit).

    Remembers how far the hand-over went: `handed_over` once DATA begins, `accepted` once the server has
    answered 250 to the message. Between the two, a missing answer is an unknown outcome (OutcomeUnknown)."""

    before_data: Callable[[], None] | None = None
    handed_over = False
    accepted = False

    def data(self, msg):
        if self.before_data is not None:
            self.before_data()
        self.handed_over = True
        code, reply = super().data(msg)
        self.accepted = code == 250
        return code, reply


class _SMTP(_BeforeData, smtplib.SMTP):
    pass


class _SMTPSSL(_BeforeData, smtplib.SMTP_SSL):
    pass


def mail_enabled() -> bool:
    """Whether this deployment sends email at all (ADVOCACY_MAIL_SERVER is set)."""
    return current_app.config["ADVOCACY_SETTINGS"].mail_enabled


def sender_domain(settings: Settings) -> str:
    return settings.mail_sender.rpartition("@")[2] or "localhost"


def build_message(
    settings: Settings,
    to: str | list[str],
    subject: str,
    text: str,
    html: str | None = None,
    reply_to: str | None = None,
    headers: Mapping[str, str] | None = None,
    from_name: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    if from_name:
        local, _, domain = settings.mail_sender.rpartition("@")
        message["From"] = Address(display_name=from_name, username=local, domain=domain)
    else:
        message["From"] = settings.mail_sender
    message["To"] = to if isinstance(to, str) else ", ".join(to)
    message["Subject"] = subject.replace("\r", " ").replace("\n", " ")
    message["Date"] = formatdate(localtime=False, usegmt=True)
    if reply_to:
        message["Reply-To"] = reply_to
    extra = dict(headers or {})
    message["Message-ID"] = extra.pop("Message-ID", None) or make_msgid(domain=sender_domain(settings))
    for name, value in extra.items():
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send_message(settings: Settings, message: EmailMessage, before_data: Callable[[], None] | None = None) -> None:
    """Hand one message to the SMTP server from the settings, within settings.mail_timeout. `before_data` runs
    just before SMTP DATA (see _BeforeData); what it raises propagates and nothing is sent.

    Once the server has answered 250 to the message it is sent, whatever happens to the goodbye. After DATA
    began and before any answer (a timeout, a dropped connection) raises OutcomeUnknown; an explicit refusal of
    the message (a 4xx or 5xx reply) is a TransientError or PermanentError as before it."""
    if not settings.mail_enabled:
        raise MailNotConfigured("mail is not configured (set ADVOCACY_MAIL_SERVER)")
    timeout = settings.mail_timeout
    smtp: _SMTP | _SMTPSSL | None = None
    try:
        if settings.mail_use_ssl:
            smtp = _SMTPSSL(
                settings.mail_server, settings.mail_port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = _SMTP(settings.mail_server, settings.mail_port, timeout=timeout)
        smtp.before_data = before_data
        with smtp:
            if settings.mail_use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.mail_username:
                smtp.login(settings.mail_username, settings.mail_password)
            refused = smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        if smtp is not None and smtp.accepted:
            return  # the server took the message (250); only the goodbye (QUIT) went wrong
        if smtp is not None and smtp.handed_over and not isinstance(exc, smtplib.SMTPDataError):
            raise OutcomeUnknown(
                f"no answer from the SMTP server after the message was handed over ({type(exc).__name__}); "
                "it may have arrived"
            ) from None
        raise _failure(exc, timeout) from None
    if refused:  # some recipients refused, others accepted: the message went out
        current_app.logger.warning("smtp refused %d of the recipients", len(refused))


def _failure(exc: Exception, timeout: int) -> TransientError | PermanentError:
    """What a failed SMTP conversation means when the server did not take the message."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return _from_codes("refused the recipient", [code for code, _ in exc.recipients.values()])
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return TransientError(f"SMTP login failed ({exc.smtp_code}); check ADVOCACY_MAIL_USERNAME/PASSWORD")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return TransientError(f"SMTP server refused our sender ({exc.smtp_code}); check ADVOCACY_MAIL_SENDER")
    if isinstance(exc, smtplib.SMTPDataError):
        return _from_codes(f"refused the message: {_reply_text(exc)}", [exc.smtp_code])
    if isinstance(exc, smtplib.SMTPResponseException):
        return TransientError(f"SMTP server answered {exc.smtp_code}: {_reply_text(exc)}")
    if isinstance(exc, TimeoutError):
        return TransientError(f"SMTP server did not answer within {timeout} s")
    return TransientError(f"could not reach the SMTP server ({type(exc).__name__})")


def _reply_text(exc: smtplib.SMTPResponseException) -> str:
    raw = exc.smtp_error
    return (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw))[:200]


def _from_codes(what: str, codes: list[int]) -> PermanentError | TransientError:
    code = max(codes) if codes else 0
    if 500 <= code < 600:
        return PermanentError(f"SMTP server {what} ({code})")
    return TransientError(f"SMTP server {what} ({code or 'no code'})")


def send_email(
    to: str | list[str],
    subject: str,
    text: str,
    html: str | None = None,
    reply_to: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> str:
    """Send one email from ADVOCACY_MAIL_SENDER; returns its Message-ID.

    Pass `headers={"Message-ID": ...}` to make a retried send recognizable as the same message.
    Raises TransientError / PermanentError (from advocacy.send_errors).
    """
    settings: Settings = current_app.config["ADVOCACY_SETTINGS"]
    message = build_message(settings, to, subject, text, html, reply_to, headers)
    send_message(settings, message)
    return message["Message-ID"]
