"""Redis that can go away: a real redis-server on a free port, stopped and started by the test, and a listener
that accepts connections and never answers (a Redis that hangs), counting who connects."""

from __future__ import annotations

import socket
import subprocess
import threading
import time

from tests.fakes.smtp import free_port

BOUND = 60.0  # seconds: a bound on waiting for a process, never a measurement


def answers(port: int) -> bool:
    """Whether something accepts connections on the port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + BOUND
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        pause.wait(0.1)


class RedisServer:
    """redis-server on 127.0.0.1, keeping nothing on disk: a restart starts empty."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: answers(self.port), "redis-server to listen")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(BOUND)
            self.process = None

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class SilentServer:
    """Accepts every connection and never says a word: a client waits out its read timeout."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.connections = 0
        self.held: list[socket.socket] = []
        self.closing = threading.Event()
        self.listener.settimeout(0.05)  # so the accept loop sees `closing`
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self.closing.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            self.held.append(conn)

    def __enter__(self) -> SilentServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.closing.set()
        self.thread.join(BOUND)
        self.listener.close()
        for conn in self.held:
            conn.close()
