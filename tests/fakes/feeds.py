"""A real HTTP server on 127.0.0.1 that serves feeds to the statement monitor in tests.

Routes answer with a body, a status, and optional ETag / Last-Modified; a conditional request
whose validators match gets 304. A "hanging" route holds the request until the server stops,
so a client timeout is what ends it, whatever the machine's speed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    hang: bool = False
    location: str | None = None  # answer with a redirect here (status 301 unless given)


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class QuietHTTPServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that times out or drops a kept-alive connection is expected here; socketserver's default
        # prints a traceback to stderr, which would land in the output of the command under test.
        pass


class FeedServer:
    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[SeenRequest] = []
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.httpd = QuietHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="feed-server", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, body: str | bytes = b"", **options) -> str:
        """Serve `body` at `path`; returns the full URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **options)
        return self.url(path)

    def requests_to(self, path: str) -> list[SeenRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> FeedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # keep test output quiet
                pass

            def do_GET(self):
                with server._lock:
                    server.requests.append(SeenRequest(self.path, dict(self.headers.items())))
                route = server.routes.get(self.path)
                if route is None:
                    return self._send(404, b"not found", "text/plain")
                if route.hang:
                    server.release.wait()
                    return None
                if route.location:
                    self.send_response(route.status if route.status != 200 else 301)
                    self.send_header("Location", route.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if self._not_modified(route):
                    return self._send(304, b"", None, route)
                return self._send(route.status, route.body, route.content_type, route)

            def _not_modified(self, route: Route) -> bool:
                if route.status != 200:
                    return False
                inm = self.headers.get("If-None-Match")
                if inm is not None and route.etag is not None:
                    return inm == route.etag
                ims = self.headers.get("If-Modified-Since")
                return ims is not None and route.last_modified is not None and ims == route.last_modified

            def _send(self, status: int, body: bytes, content_type: str | None, route: Route | None = None):
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                if route is not None and route.etag:
                    self.send_header("ETag", route.etag)
                if route is not None and route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

        return Handler


@contextmanager
def serve_feeds() -> Iterator[FeedServer]:
    """A running server for the `with` block; test modules wrap it in a `feed_server` fixture."""
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()


# Feeds shaped like real congressional press-release feeds (senate.gov "public/index.cfm/rss/feed"
# pages are RSS 2.0; several House sites publish Atom).
RSS_PRESS_RELEASES = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Senator Example | Press Releases</title>
    <link>https://www.example.senate.gov/newsroom/press-releases</link>
    <description>Press releases from the office of Senator Example</description>
    <language>en-us</language>
    <item>
      <title>Senator Example Urges DHS to Halt Deportation of Gu&#225;n H&#233;ng</title>
      <link>https://www.example.senate.gov/newsroom/press-releases/senator-example-urges-dhs-guan-heng#main</link>
      <guid isPermaLink="true">https://www.example.senate.gov/newsroom/press-releases/senator-example-urges-dhs-guan-heng</guid>
      <pubDate>Tue, 12 Aug 2025 14:30:00 -0400</pubDate>
      <description>&lt;p&gt;WASHINGTON &amp;ndash; Today Senator Example wrote to Secretary of Homeland Security
      asking that &lt;strong&gt;GUAN HENG&lt;/strong&gt;, who documented detention camps in Xinjiang, not be returned
      to China, where he faces persecution.&lt;/p&gt;</description>
    </item>
    <item>
      <title>Senator Example Announces Rural Broadband Grants</title>
      <link>https://www.example.senate.gov/newsroom/press-releases/broadband-grants</link>
      <pubDate>Mon, 11 Aug 2025 10:00:00 -0400</pubDate>
      <description>Funding for Hengshan County libraries and schools.</description>
    </item>
    <item>
      <title>关于关恒案的声明</title>
      <link>https://www.example.senate.gov/newsroom/press-releases/zh-statement</link>
      <pubDate>Sun, 10 Aug 2025 09:00:00 -0400</pubDate>
      <description>参议员呼吁国土安全部释放关恒。</description>
    </item>
  </channel>
</rss>
"""

ATOM_NEWS = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Representative Sample - News</title>
  <link href="https://sample.house.gov/news" rel="alternate"/>
  <link href="https://sample.house.gov/news/atom.xml" rel="self"/>
  <id>https://sample.house.gov/news</id>
  <updated>2025-08-13T16:00:00Z</updated>
  <entry>
    <title type="html">Rep. Sample joins colleagues on letter to ICE about Guan-Heng case</title>
    <link href="/news/documentsingle.aspx?DocumentID=4242" rel="alternate"/>
    <id>tag:sample.house.gov,2025:4242</id>
    <updated>2025-08-13T16:00:00Z</updated>
    <published>2025-08-13T15:00:00Z</published>
    <summary type="html">&lt;p&gt;The letter asks ICE's New York field office to release him.&lt;/p&gt;</summary>
  </entry>
  <entry>
    <title>Rep. Sample hosts veterans town hall</title>
    <link href="https://sample.house.gov/news/documentsingle.aspx?DocumentID=4241" rel="alternate"/>
    <id>tag:sample.house.gov,2025:4241</id>
    <updated>2025-08-12T16:00:00Z</updated>
    <content type="html">&lt;p&gt;Veterans met with Rep. Sample in Guanajuato Hall.&lt;/p&gt;</content>
  </entry>
</feed>
"""

BROKEN_FEED = "<html><head><title>Site maintenance</title></head><body><p>We'll be back soon"
