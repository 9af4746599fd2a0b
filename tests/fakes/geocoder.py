"""A fake of the two geocoders on 127.0.0.1: a real HTTP server the app reaches with its own HTTP client.

It answers the Census Geocoder's `GET /geocoder/geographies/onelineaddress` (parameters `address`, `benchmark`,
`vintage`, `format=json`) and Geocodio's `GET /v1.9/geocode` (`q`, `fields=cd`, `api_key`) in each service's
response shape, built here in code from the documented layout (the shape of the recordings kept in
../shared/data/census-geocoder and ../shared/data/geocodio, and what advocacy/congress/providers.py reads):

* Census: `{"result": {"input": {...}, "addressMatches": [{"matchedAddress", "coordinates": {"x": lon,
  "y": lat}, "tigerLine", "addressComponents", "geographies": {"States": [...], "119th Congressional
  Districts": [{"GEOID", "CD119", "STATE", ...}]}}]}}`; no match is `"addressMatches": []`; a request
  without its parameters is a 400 with `{"errors": [...], "status": "400"}`.
* Geocodio: `{"input": {...}, "results": [{"formatted_address", "location": {"lat", "lng"}, "accuracy",
  "accuracy_type", "source", "fields": {"congressional_districts": [{"name", "district_number", "ocd_id",
  "congress_number", "proportion", "current_legislators"}]}}]}`; no match is `"results": []`; a wrong key is
  a 403 with `{"error": ...}`; `fields=cd` missing gives results without `fields`, as the service does.

Tests program it per street (an address matches a rule when, normalized, it starts with the rule's street;
the street "" matches every address) and read back what it received:

    fake_geocoder.place("1 Example Plaza", "NY", 12, (40.7588, -73.9788))   # a district and a point
    fake_geocoder.no_match("9 Nowhere Road")                               # the service knows no such address
    fake_geocoder.fail("77 Secret Lane", status=500, times=1)              # an HTTP error (then the next rule)
    fake_geocoder.hang("5 Slow St")                                        # held until the client gives up
    fake_geocoder.replay("2525 Buckelew", recorded_body)                   # a real recorded answer, as it is
    fake_geocoder.refuse_connections()                                     # the port refuses: connection refused
    [seen] = fake_geocoder.requests; seen.address, seen.params, seen.raw    # what reached it, headers included

An address that matches no rule gets "no match". Rules with `times` are used up in order. The server logs
nothing (addresses are personal data). The `fake_geocoder` fixture starts one per test; a test that takes it
gets an app whose ADVOCACY_GEOCODER_URL and ADVOCACY_GEOCODIO_URL point at it (tests/conftest.py). Without it,
every app's geocoders point at `REFUSED_URL`, a loopback port held open without listening: connection refused,
like a geocoder that is down, and no test can ever reach the real services.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from advocacy.places import STATE_FIPS

CENSUS_PATH = "/geocoder/geographies/onelineaddress"
GEOCODIO_PATH = "/v1.9/geocode"
GEOCODIO_KEY = "test-geocodio-key"
HANG_LIMIT = 60.0  # a held request never outlives a forgotten test by more than this
CONGRESS = 119


def _placeholder() -> socket.socket:
    """A loopback port that is ours and refuses every connection: bound, never listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


_refusing = _placeholder()  # held for the life of the process
REFUSED_PORT = _refusing.getsockname()[1]
REFUSED_URL = f"http://127.0.0.1:{REFUSED_PORT}{CENSUS_PATH}"
REFUSED_GEOCODIO_URL = f"http://127.0.0.1:{REFUSED_PORT}{GEOCODIO_PATH}"
REFUSED_ENVIRON = {"ADVOCACY_GEOCODER_URL": REFUSED_URL, "ADVOCACY_GEOCODIO_URL": REFUSED_GEOCODIO_URL}


def normalize(text: str) -> str:
    return " ".join(text.upper().replace(",", " ").replace(".", " ").split())


# --- the answers, in each service's shape ----------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where the fake puts an address: a state and district (0 at large) and a point (lat, lon)."""

    state: str
    district: int
    point: tuple[float, float] = (0.0, 0.0)
    congress: int = CONGRESS  # the Congress the district layer is named for


def _cd_code(place: Place) -> str:
    if place.district == 0 and place.state in ("DC", "PR"):
        return "98"  # the Census code for DC's and PR's seats
    return f"{place.district:02d}"


def census_match(one_line: str, place: Place, district_layer: list | None = None) -> dict:
    """One entry of `addressMatches` for `place`; `district_layer` replaces the district features (e.g. `[]`
    for open water, or `[{"status": "Layer query encountered an error"}]`)."""
    fips = STATE_FIPS[place.state]
    code = _cd_code(place)
    lat, lon = place.point
    at_large = place.district == 0
    feature = {
        "GEOID": f"{fips}{code}",
        f"CD{place.congress}": code,
        "CDSESSN": str(place.congress),
        "STATE": fips,
        "BASENAME": "At Large" if at_large else str(place.district),
        "NAME": "Congressional District (at Large)" if at_large else f"Congressional District {place.district}",
        "LSADC": "C1" if at_large else "C2",
        "FUNCSTAT": "N",
        "MTFCC": "G5200",
        "CENTLAT": f"{lat:+.7f}",
        "CENTLON": f"{lon:+.7f}",
    }
    state = {"GEOID": fips, "STATE": fips, "STUSAB": place.state, "BASENAME": place.state, "NAME": place.state,
             "MTFCC": "G4000", "FUNCSTAT": "A"}  # fmt: skip
    parts = [p.strip() for p in one_line.split(",")]
    street = parts[0].upper()
    number, _, name = street.partition(" ")
    return {
        "tigerLine": {"side": "L", "tigerLineId": "100000001"},
        "geographies": {
            "States": [state],
            f"{place.congress}th Congressional Districts": [feature] if district_layer is None else district_layer,
        },
        "coordinates": {"x": lon, "y": lat},
        "addressComponents": {
            "zip": next((p for p in reversed(parts) if p.isdigit() and len(p) == 5), ""),
            "streetName": name,
            "preType": "",
            "city": parts[1].upper() if len(parts) > 2 else "",
            "preDirection": "",
            "suffixDirection": "",
            "fromAddress": number,
            "state": place.state,
            "suffixType": "",
            "toAddress": number,
            "suffixQualifier": "",
            "preQualifier": "",
        },
        "matchedAddress": ", ".join(parts).upper(),
    }


def census_body(one_line: str, matches: list[dict]) -> dict:
    """The whole answer to one `onelineaddress` request."""
    return {
        "result": {
            "input": {
                "address": {"address": one_line},
                "vintage": {
                    "isDefault": True,
                    "id": "4",
                    "vintageName": "Current_Current",
                    "vintageDescription": "Current Vintage - Current Benchmark",
                },
                "benchmark": {
                    "isDefault": False,
                    "id": "4",
                    "benchmarkName": "Public_AR_Current",
                    "benchmarkDescription": "Public Address Ranges - Current Benchmark",
                },
            },  # fmt: skip
            "addressMatches": matches,
        }
    }


def geocodio_result(one_line: str, place: Place, accuracy_type: str = "rooftop", districts: int = 1) -> dict:
    """One entry of Geocodio's `results`, with `fields=cd`; `districts` > 1 gives a point split between
    districts (each with its `proportion`)."""
    lat, lon = place.point
    state = place.state.lower()
    number = 98 if place.district == 0 and place.state in ("DC", "PR") else place.district
    cds = [
        {
            "name": f"Congressional District {number + n}",
            "district_number": number + n,
            "ocd_id": f"ocd-division/country:us/state:{state}/cd:{number + n}",
            "congress_number": f"{place.congress}th",
            "congress_years": "2025-2027",
            "proportion": round(1 / districts, 3),
            "current_legislators": [],
        }
        for n in range(districts)
    ]
    return {
        "address_components": {"formatted_street": one_line.split(",")[0], "state": place.state, "country": "US"},
        "formatted_address": one_line,
        "location": {"lat": lat, "lng": lon},
        "accuracy": 1,
        "accuracy_type": accuracy_type,
        "source": "Test fixture",
        "fields": {"congressional_districts": cds},
    }


def geocodio_body(one_line: str, results: list[dict]) -> dict:
    return {"input": {"address_components": {}, "formatted_address": one_line}, "results": results}


# --- the server --------------------------------------------------------------------------------------------------


@dataclass
class Rule:
    street: str  # normalized; "" matches every address
    kind: str  # "place" | "no-match" | "fail" | "hang" | "replay" | "body"
    place: Place | None = None
    status: int = 200
    body: dict | None = None
    times: int | None = None  # None: for ever
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Seen:
    """One request as it reached the fake."""

    service: str  # "census" | "geocodio" | "unknown"
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    raw: str  # the request line and the headers, as received
    status: int

    @property
    def address(self) -> str:
        return self.params.get("address") or self.params.get("q") or ""


class FakeGeocoder:
    def __init__(self, geocodio_key: str = GEOCODIO_KEY):
        self.geocodio_key = geocodio_key
        self.rules: list[Rule] = []
        self.requests: list[Seen] = []
        self.release = threading.Event()  # lets held requests finish
        self.holding = threading.Event()  # set when a request is being held
        self._lock = threading.Lock()
        self._placeholder: socket.socket | None = None
        self.httpd: ThreadingHTTPServer | None = None
        self.port = 0

    # --- programming, from tests ---
    def _add(self, street: str, kind: str, times: int | None, **kw) -> FakeGeocoder:
        with self._lock:
            self.rules.append(Rule(normalize(street), kind, times=times, **kw))
        return self

    def place(self, street: str, state: str, district: int, point=(0.0, 0.0), *, congress=CONGRESS, times=None):
        """Addresses starting with `street` are in `state`-`district` at `point` (lat, lon)."""
        return self._add(street, "place", times, place=Place(state, district, tuple(point), congress))

    def no_match(self, street: str = "", times: int | None = None):
        return self._add(street, "no-match", times)

    def fail(self, street: str = "", status: int = 500, times: int | None = None):
        """An HTTP error with a short body (Census answers 5xx with an HTML error page)."""
        return self._add(street, "fail", times, status=status)

    def hang(self, street: str = "", times: int | None = None):
        """Hold the request open until `release` is set or the server stops: the client's timeout ends it."""
        return self._add(street, "hang", times)

    def replay(self, street: str, body: dict, status: int = 200, times: int | None = None):
        """Answer with `body` as it is (a real recorded answer, or a hand-made odd one)."""
        return self._add(street, "body", times, body=body, status=status)

    def split(self, street: str, *places: Place, times: int | None = None):
        """Census finds several matches (Geocodio several results), in the districts given."""
        return self._add(street, "split", times, extra={"places": places})

    def reset(self) -> None:
        with self._lock:
            self.rules.clear()

    def refuse_connections(self) -> None:
        """Stop listening but keep the port: every connection is refused, as when the service is down."""
        if self.httpd is None:
            return
        self._stop_server()
        self._placeholder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._placeholder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._placeholder.bind(("127.0.0.1", self.port))

    def accept_connections(self) -> None:
        if self._placeholder is not None:
            self._placeholder.close()
            self._placeholder = None
            self._start_server(self.port)

    # --- reading back ---
    def addresses(self, service: str | None = None) -> list[str]:
        with self._lock:
            return [s.address for s in self.requests if service is None or s.service == service]

    @property
    def census_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{CENSUS_PATH}"

    @property
    def geocodio_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{GEOCODIO_PATH}"

    url = census_url

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environ(self) -> dict[str, str]:
        """The app settings that send both geocoders here."""
        return {"ADVOCACY_GEOCODER_URL": self.census_url, "ADVOCACY_GEOCODIO_URL": self.geocodio_url}

    # --- life ---
    def start(self) -> FakeGeocoder:
        self._start_server(0)
        return self

    def stop(self) -> None:
        self.release.set()
        if self.httpd is not None:
            self._stop_server()
        if self._placeholder is not None:
            self._placeholder.close()
            self._placeholder = None

    def __enter__(self) -> FakeGeocoder:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _start_server(self, port: int) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def _stop_server(self) -> None:
        assert self.httpd is not None
        self.httpd.shutdown()
        self.httpd.server_close()
        self.httpd = None

    # --- answering ---
    def _rule_for(self, address: str) -> Rule | None:
        key = normalize(address)
        with self._lock:
            for rule in self.rules:
                if key.startswith(rule.street) and (rule.times is None or rule.times > 0):
                    if rule.times is not None:
                        rule.times -= 1
                    return rule
        return None

    def answer(self, service: str, params: dict[str, str]) -> tuple[int, dict | bytes | None]:
        """(status, body) for one request; body None means: hold the request."""
        if service == "census":
            missing = [p for p in ("address", "benchmark", "vintage") if not params.get(p)]
            if missing or params.get("format") != "json":
                problem = f"{missing[0]} is required" if missing else "format must be json"
                return 400, {"errors": [problem], "status": "400"}
            one_line = params["address"]
        else:
            if params.get("api_key") != self.geocodio_key:
                return 403, {"error": "Invalid API key"}
            if not params.get("q"):
                return 422, {"error": "Could not geocode address. Postal code or city required."}
            one_line = params["q"]
        rule = self._rule_for(one_line)
        kind = rule.kind if rule else "no-match"
        if kind == "fail":
            return rule.status, b"<html><body><h1>Internal Server Error</h1></body></html>"
        if kind == "hang":
            return 0, None
        if kind == "body":
            return rule.status, rule.body
        places: tuple[Place, ...] = ()
        if kind == "place":
            places = (rule.place,)
        elif kind == "split":
            places = rule.extra["places"]
        if service == "census":
            return 200, census_body(one_line, [census_match(one_line, p) for p in places])
        results = [geocodio_result(one_line, p) for p in places]
        if params.get("fields") != "cd":
            for result in results:
                del result["fields"]
        return 200, geocodio_body(one_line, results)

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # never print addresses
                pass

            def do_GET(self):  # noqa: N802 - the http.server API
                url = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
                service = {CENSUS_PATH: "census", GEOCODIO_PATH: "geocodio"}.get(url.path, "unknown")
                if service == "unknown":
                    status, body = 404, {"errors": ["Not found"], "status": "404"}
                else:
                    status, body = fake.answer(service, params)
                raw = self.requestline + "\r\n" + str(self.headers)
                with fake._lock:
                    fake.requests.append(Seen(service, url.path, params, dict(self.headers), raw, status))
                if body is None:
                    fake.holding.set()
                    fake.release.wait(HANG_LIMIT)
                    status, body = 504, b"held"
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html" if isinstance(body, bytes) else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")  # so refuse_connections() leaves no kept-alive way in
                self.end_headers()
                self.close_connection = True
                try:
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (its timeout): nothing to tell it

        return Handler


@pytest.fixture
def fake_geocoder() -> Iterator[FakeGeocoder]:
    """A running fake of the Census and Geocodio geocoders; the test's `app` is pointed at it."""
    with FakeGeocoder() as fake:
        yield fake
