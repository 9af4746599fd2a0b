"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests: it keeps what it receives, can refuse
recipients on demand, and can be stopped and started again on the same port to play an outage."""

from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse_recipients: dict[str, str] = {}  # address -> SMTP reply, e.g. "550 5.1.1 No such user"
        # hold_next(): keep the next message, then hold the reply until `release` is set (or a minute passes):
        # the sender cannot know that the message arrived.
        self.hold = False
        self.holding = threading.Event()
        self.release = threading.Event()
        self.data_reply: str | None = None  # refuse_next_message(): the next message is answered this, not kept
        self.quit_reply = "221 Bye"  # answer_quit_with(): what QUIT is answered

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refuse_recipients.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            reply, self.data_reply = self.data_reply, None
            return reply
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        if self.hold:
            self.hold = False
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):
        return self.quit_reply


class FakeSmtp:
    """`start()` / `stop()` freely; the port stays the same, so settings pointing here stay valid."""

    def __init__(self):
        self.port = free_port()
        self.recorder = Recorder()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages

    def refuse(self, address: str, reply: str = "550 5.1.1 Mailbox unavailable") -> None:
        self.recorder.refuse_recipients[address.lower()] = reply

    def hold_next(self) -> None:
        """Accept and keep the next message, then say nothing until `release_held()`."""
        self.recorder.hold = True

    def refuse_next_message(self, reply: str) -> None:
        """Answer the next message (after DATA) with `reply`, e.g. "451 4.3.0 Try later", and keep nothing."""
        self.recorder.data_reply = reply

    def answer_quit_with(self, reply: str) -> None:
        """Answer QUIT with `reply` (e.g. "421 4.3.2 Shutting down") instead of "221 Bye"."""
        self.recorder.quit_reply = reply

    @property
    def holding(self) -> threading.Event:
        return self.recorder.holding

    def release_held(self) -> None:
        self.recorder.release.set()

    def start(self) -> FakeSmtp:
        if self.controller is None:
            self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, ready_timeout=10)
            self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def environ(self) -> dict[str, str]:
        """ADVOCACY_MAIL_* settings that point at this server."""
        return {
            "ADVOCACY_MAIL_SERVER": "127.0.0.1",
            "ADVOCACY_MAIL_PORT": str(self.port),
            "ADVOCACY_MAIL_SENDER": "letters@advocacy.example.org",
            "ADVOCACY_MAIL_TIMEOUT": "5",
        }


@pytest.fixture
def smtp_server():
    server = FakeSmtp().start()
    yield server
    server.stop()
