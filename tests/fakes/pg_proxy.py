"""A TCP proxy on loopback between the app and PostgreSQL that can lose a statement's answer.

It reads the client's side of the wire protocol message by message (and declines TLS and GSS encryption
itself, so every message can be read). Armed with `cut(needle, when)`, the first client message that contains
`needle` ends its connection, on both sides, at one of three moments:
  - "before": the message is not forwarded; the server never sees the statement;
  - "after_request": the message and the rest of its batch, up to its Sync, are forwarded; then both sides
    are closed (the server reads the whole request, then end of file);
  - "after_answer": the batch is forwarded, and the server's answer is held back until its ReadyForQuery
    (the statement is over, committed or not); then both sides are closed without forwarding any of it.
With `after=text`, the rule waits until a client message carrying `text` has been answered.
`refuse(n)` makes the next n new connections close at once (a database that is not back yet); `refuse(None)`
every one until `refuse(0)`; `cut(..., then_refuse=n)` does that the moment the cut is made. `queries(text)` counts the client messages that carried `text`, and
`answered(text)` the answers forwarded to them.
"""

from __future__ import annotations

import socket
import struct
import threading

from sqlalchemy.engine import make_url

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
MODES = ("before", "after_request", "after_answer")


class PgProxy:
    def __init__(self, database_url: str):
        url = make_url(database_url)
        self.database_url = url
        self.target = (url.host or "127.0.0.1", url.port or 5432)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._rule: tuple[bytes, str, bytes | None] | None = None
        self._refusing: int | None = 0
        self._then_refuse: int | None | bool = False
        self._seen: list[bytes] = []
        self._answered: list[bytes] = []
        self.cut_done = threading.Event()
        self.connections = 0
        self._sockets: list[socket.socket] = []
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The database URL through the proxy, in the clear (the proxy reads the messages)."""
        query = {**self.database_url.query, "sslmode": "disable", "gssencmode": "disable"}
        return self.database_url.set(host="127.0.0.1", port=self.port, query=query).render_as_string(
            hide_password=False
        )

    def start(self) -> PgProxy:
        self._thread = threading.Thread(target=self._accept, name="pg-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _close(sock)

    def cut(
        self, needle: bytes, when: str, *, then_refuse: int | None | bool = False, after: bytes | None = None
    ) -> None:
        assert when in MODES, when
        with self._lock:
            self._rule = (needle, when, after)
            self._then_refuse = then_refuse
            self.cut_done.clear()

    def _cut_made(self) -> None:
        with self._lock:
            if self._then_refuse is not False:
                self._refusing = self._then_refuse
        self.cut_done.set()

    def refuse(self, count: int | None) -> None:
        with self._lock:
            self._refusing = count

    def queries(self, text: bytes) -> int:
        with self._lock:
            return sum(text in message for message in self._seen)

    def answered(self, text: bytes) -> int:
        with self._lock:
            return sum(text in message for message in self._answered)

    # --- the connections -----------------------------------------------------------------------------------

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # stopped
            with self._lock:
                self.connections += 1
                refused = self._refusing is None or self._refusing > 0
                if self._refusing:
                    self._refusing -= 1
            if refused:
                _close(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._sockets += [client, server]
            Link(self, client, server).start()


class Link:
    """One proxied connection: a reader of each side."""

    def __init__(self, proxy: PgProxy, client: socket.socket, server: socket.socket):
        self.proxy = proxy
        self.client = client
        self.server = server
        self.closed = threading.Event()
        self.holding = threading.Event()  # "after_answer": the server's answer is being held back
        self.asked: bytes | None = None  # the last client batch that was forwarded
        self.prepared: dict[bytes, bytes] = {}  # statement name -> its text, from Parse messages

    def _text(self, message: bytes) -> bytes:
        """The message, and for a Bind of a prepared statement that statement's text (the driver prepares a
        statement it has run a few times, and then sends only its name)."""
        kind, body = message[:1], message[5:]
        if kind == b"P":
            name, _, rest = body.partition(b"\x00")
            if name:
                self.prepared[name] = rest.partition(b"\x00")[0]
        elif kind == b"B":
            name = body.split(b"\x00", 2)[1] if body.count(b"\x00") >= 2 else b""
            return message + self.prepared.get(name, b"")
        return message

    def start(self) -> None:
        threading.Thread(target=self._from_client, daemon=True).start()
        threading.Thread(target=self._from_server, daemon=True).start()

    def close(self) -> None:
        self.closed.set()
        _close(self.client)
        _close(self.server)  # a FIN: the server still reads everything it was sent

    def _from_client(self) -> None:
        buffer = b""
        started = False
        batch: list[bytes] = []
        texts: list[bytes] = []  # the batch's messages with the text of the statements they name
        cutting: str | None = None
        try:
            while not self.closed.is_set():
                data = self.client.recv(65536)
                if not data:
                    break
                buffer += data
                while True:
                    message, buffer = _next_message(buffer, typed=started)
                    if message is None:
                        break
                    if not started:
                        (code,) = struct.unpack("!I", message[4:8])
                        if code in (SSL_REQUEST, GSSENC_REQUEST):
                            self.client.sendall(b"N")  # no encryption: the messages stay readable
                            continue
                        started = True
                        self.server.sendall(message)
                        continue
                    text = self._text(message)
                    cutting = cutting or self._rule_for(text)
                    if cutting == "before":
                        self.proxy._cut_made()  # refusing starts before the app can see the cut and reconnect
                        self.close()
                        return
                    batch.append(message)
                    texts.append(text)
                    if message[:1] not in (b"S", b"Q", b"X"):
                        continue  # a batch goes to the server whole, as the driver sends it
                    request = b"".join(batch)
                    asked = b"".join(texts)
                    batch, texts = [], []
                    with self.proxy._lock:
                        self.proxy._seen.append(asked)
                    self.asked = asked
                    if cutting == "after_answer":
                        self.holding.set()
                    self.server.sendall(request)
                    if cutting == "after_request":
                        self.proxy._cut_made()  # refusing starts before the app can see the cut and reconnect
                        self.close()
                        return
                    if cutting == "after_answer":
                        return  # nothing more goes to the server; the other side ends the connection
        except OSError:
            pass
        self.close()

    def _rule_for(self, message: bytes) -> str | None:
        with self.proxy._lock:
            rule = self.proxy._rule
            if rule is None or rule[0] not in message:
                return None
            needle, when, after = rule
            if after is not None and not any(after in answered for answered in self.proxy._answered):
                return None
            self.proxy._rule = None
            return when

    def _from_server(self) -> None:
        buffer = b""
        try:
            while not self.closed.is_set():
                data = self.server.recv(65536)
                if not data:
                    break
                if not self.holding.is_set():
                    if b"Z\x00\x00\x00\x05" in data and self.asked is not None:  # counted before the client has it
                        with self.proxy._lock:
                            self.proxy._answered.append(self.asked)
                    self.client.sendall(data)
                    continue
                buffer += data  # held back, read message by message until the statement is over
                while True:
                    message, buffer = _next_message(buffer, typed=True)
                    if message is None:
                        break
                    if message[:1] == b"Z":
                        self.proxy._cut_made()  # refusing starts before the app can see the cut and reconnect
                        self.close()
                        return
        except OSError:
            pass
        self.close()


def _next_message(buffer: bytes, *, typed: bool) -> tuple[bytes | None, bytes]:
    """The first whole message of `buffer` and the rest; (None, buffer) when it is not all there yet."""
    head = 5 if typed else 4
    if len(buffer) < head:
        return None, buffer
    (length,) = struct.unpack("!I", buffer[head - 4 : head])
    end = head - 4 + length
    if len(buffer) < end:
        return None, buffer
    return buffer[:end], buffer[end:]


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
