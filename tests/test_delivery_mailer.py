"""The SMTP helper against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import pytest

from advocacy.config import load_settings
from advocacy.mail import MailNotConfigured, build_message, send_message
from advocacy.send_errors import PermanentError, TransientError
from tests.fakes.smtp import FakeSmtp, free_port


def settings_for(server: FakeSmtp | None = None, **extra):
    environ = {"ADVOCACY_ENV": "testing"}
    if server is not None:
        environ.update(server.environ())
    environ.update(extra)
    return load_settings(environ)


def test_sends_text_and_html_with_reply_to_and_our_message_id(smtp_server):
    settings = settings_for(smtp_server)
    message = build_message(
        settings,
        to="office@house.example.gov",
        subject="Please speak up\r\nBcc: evil@example.org",
        text="Dear Representative,\n\nPlease act.",
        html="<p>Dear Representative,</p>",
        reply_to="ana@example.org",
        headers={"Message-ID": "<delivery.abc@advocacy.example.org>"},
        from_name="Ana López",
    )
    send_message(settings, message)
    (received,) = smtp_server.messages
    assert received["To"] == "office@house.example.gov"
    assert received["Reply-To"] == "ana@example.org"
    assert received["Message-ID"] == "<delivery.abc@advocacy.example.org>"
    assert received["Subject"] == "Please speak up  Bcc: evil@example.org"  # one header, no injection
    assert received["Bcc"] is None
    assert "Ana López" in received["From"] and "letters@advocacy.example.org" in received["From"]
    assert (
        received.get_body(("plain",)).get_content().replace("\r\n", "\n").strip()
        == "Dear Representative,\n\nPlease act."
    )
    assert received.get_body(("html",)).get_content().strip() == "<p>Dear Representative,</p>"
    assert smtp_server.recorder.envelopes == [("letters@advocacy.example.org", ["office@house.example.gov"])]


def test_a_server_that_is_down_is_a_transient_failure():
    port = free_port()  # nothing listens here
    settings = settings_for(ADVOCACY_MAIL_SERVER="127.0.0.1", ADVOCACY_MAIL_PORT=str(port), ADVOCACY_MAIL_TIMEOUT="2")
    with pytest.raises(TransientError, match="could not reach the SMTP server"):
        send_message(settings, build_message(settings, "office@example.gov", "Hi", "Hello"))


def test_a_refused_recipient_is_permanent_and_the_reason_names_no_address(smtp_server):
    smtp_server.refuse("gone@house.example.gov")
    settings = settings_for(smtp_server)
    with pytest.raises(PermanentError) as caught:
        send_message(settings, build_message(settings, "gone@house.example.gov", "Hi", "Hello"))
    assert "550" in caught.value.reason
    assert "gone@" not in caught.value.reason
    assert smtp_server.messages == []


def test_a_temporarily_refused_recipient_is_transient(smtp_server):
    smtp_server.refuse("busy@house.example.gov", "451 4.3.0 Try again later")
    settings = settings_for(smtp_server)
    with pytest.raises(TransientError, match="451"):
        send_message(settings, build_message(settings, "busy@house.example.gov", "Hi", "Hello"))


def test_no_mail_server_configured_is_transient():
    settings = settings_for()
    with pytest.raises(MailNotConfigured):
        send_message(settings, build_message(settings, "office@example.gov", "Hi", "Hello"))


def test_the_server_can_come_back_on_the_same_port(smtp_server):
    settings = settings_for(smtp_server)
    smtp_server.stop()
    with pytest.raises(TransientError):
        send_message(settings, build_message(settings, "office@example.gov", "Hi", "Hello"))
    smtp_server.start()
    send_message(settings, build_message(settings, "office@example.gov", "Hi", "Hello"))
    assert len(smtp_server.messages) == 1
