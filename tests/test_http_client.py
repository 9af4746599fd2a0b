"""advocacy.http.get, the keep-alive client the geocoders use, against real servers on loopback: one
connection kept per thread and host, a server that closed it idle, timeouts, oversized and odd answers."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from advocacy import http


class Server:
    """A loopback HTTP/1.1 server that records each request with the connection it came on."""

    def __init__(self, body: bytes = b'{"ok": true}', status: int = 200, keep_alive: bool = True):
        self.body, self.status, self.keep_alive = body, status, keep_alive
        self.requests: list[tuple[int, str, dict]] = []  # (client port, path, headers)
        self.hold = threading.Event()  # set: answer; cleared by a test: never answer (a hung service)
        self.hold.set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                outer.requests.append((self.client_address[1], self.path, dict(self.headers)))
                if not outer.hold.wait(10):
                    return
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args) -> None:
                pass

        class Quiet(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                pass  # a client that gave up (the timeout test) is expected

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/geocode"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.hold.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    made: list[Server] = []

    def make(**kwargs) -> Server:
        made.append(Server(**kwargs))
        return made[-1]

    http.close_connections()
    yield make
    http.close_connections()
    for s in made:
        s.close()


def test_a_get_sends_its_parameters_and_reuses_one_connection(server):
    s = server()
    for n in range(3):
        answer = http.get(s.url, {"address": f"{n} Main St, Springfield", "format": "json"}, (1, 2))
        assert (answer.status, answer.json()) == (200, {"ok": True})
    assert [parse_qs(urlsplit(path).query) for _, path, _ in s.requests] == [
        {"address": [f"{n} Main St, Springfield"], "format": ["json"]} for n in range(3)
    ]
    assert len({port for port, _, _ in s.requests}) == 1  # kept alive: one connection for all three
    headers = s.requests[0][2]
    assert headers["User-Agent"] == http.USER_AGENT and headers["Accept"] == "application/json"


def test_a_url_with_its_own_query_keeps_it(server):
    s = server()
    http.get(s.url + "?benchmark=Public_AR_Current", {"address": "1 Main St"}, (1, 2))
    assert parse_qs(urlsplit(s.requests[0][1]).query) == {"benchmark": ["Public_AR_Current"], "address": ["1 Main St"]}


def test_an_idle_connection_closed_by_the_server_is_replaced_without_an_error(server):
    s = server()
    http.get(s.url, {"n": "1"}, (1, 2))
    [kept] = http._local.connections.values()
    kept.sock.shutdown(socket.SHUT_RDWR)  # what the client sees when the server closed the idle connection
    answer = http.get(s.url, {"n": "2"}, (1, 2))
    assert answer.status == 200
    assert len({port for port, _, _ in s.requests}) == 2  # a second connection carried the second request


def test_a_server_that_closes_after_each_answer_is_followed(server):
    s = server(keep_alive=False)
    for n in range(2):
        assert http.get(s.url, {"n": str(n)}, (1, 2)).status == 200
    assert len({port for port, _, _ in s.requests}) == 2


def test_an_error_status_is_an_answer_for_the_caller_to_judge(server):
    s = server(status=503, body=b'{"error": "busy"}')
    answer = http.get(s.url, {"n": "1"}, (1, 2))
    assert (answer.status, answer.json()) == (503, {"error": "busy"})


def test_a_hung_service_ends_at_the_read_timeout(server):
    s = server()
    s.hold.clear()
    with pytest.raises(http.TransportError) as caught:
        http.get(s.url, {"address": "1 Secret Lane"}, (1, 0.2))
    assert caught.value.reason == "Timeout"
    assert "Secret" not in str(caught.value)  # the reason never carries the query
    s.hold.set()


def test_a_refused_connection_is_a_transport_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the probe is closed
    with pytest.raises(http.TransportError) as caught:
        http.get(f"http://127.0.0.1:{port}/x", {"address": "1 Secret Lane"}, (0.5, 0.5))
    assert caught.value.reason == "ConnectionRefusedError"


def test_an_answer_past_the_size_cap_is_refused(server, monkeypatch):
    monkeypatch.setattr(http, "MAX_ANSWER_BYTES", 100)
    s = server(body=json.dumps({"x": "y" * 200}).encode())
    with pytest.raises(http.TransportError) as caught:
        http.get(s.url, {}, (1, 2))
    assert caught.value.reason == "the answer is too large"


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "http:///nohost"])
def test_only_http_urls_are_fetched(url):
    with pytest.raises(http.TransportError):
        http.get(url, {}, (1, 1))


def test_connections_are_kept_per_thread(server):
    s = server()
    http.get(s.url, {"n": "main"}, (1, 2))
    other = threading.Thread(target=lambda: http.get(s.url, {"n": "other"}, (1, 2)))
    other.start()
    other.join()
    assert len({port for port, _, _ in s.requests}) == 2
