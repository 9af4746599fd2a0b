"""scripts/serve, the production web server (granian), started for real on a free port."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVE = ROOT / "scripts" / "serve"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    if not (ROOT / ".venv" / "bin" / "granian").exists():
        pytest.skip("granian is not installed in .venv (scripts/test installs it)")
    port = free_port()
    log = tmp_path / "access.log"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "ADVOCACY_ENV": "production",
        "ADVOCACY_SECRET_KEY": "serve-test-" + "k" * 40,
        "ADVOCACY_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "GRANIAN_PORT": str(port),
        "GRANIAN_WORKERS": "1",
        "GRANIAN_LOG_ACCESS_ENABLED": "true",  # off unless asked for (the proxy in front keeps one)
    }
    with log.open("w") as out:
        process = subprocess.Popen([str(SERVE)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60  # a bound on start-up, not a measurement
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                time.sleep(0.2)
        yield port, log
    finally:
        process.terminate()
        process.wait(30)


def test_serves_the_app_with_its_headers_over_one_kept_alive_connection(served):
    port, _ = served
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for _ in range(3):
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200 and b'"ok"' in body
        assert response.getheader("X-Frame-Options") == "DENY"
        assert "default-src 'self'" in response.getheader("Content-Security-Policy")
        assert response.getheader("Strict-Transport-Security")
    conn.close()


def test_the_access_log_has_paths_without_query_strings(served):
    port, log = served
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/healthz?address=12+Canary+Lane&email=canary.zqxj%40example.org")
    assert conn.getresponse().status == 200
    conn.close()
    deadline = time.monotonic() + 10
    while "GET /healthz" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in text
    assert "Canary" not in text and "canary" not in text and "address=" not in text
