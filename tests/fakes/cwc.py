"""A fake CWC (Communicating with Congress) API: a real HTTP server on 127.0.0.1 for tests.

It answers `GET /v2/offices`, `POST /v2/validate` and `POST /v2/message` like CWC does: the API key
in the `apikey` query parameter, XML in the body. Every message is parsed and its structure
checked against the CWC 2.0 layout (element order, required elements, DeliveryId and office code
patterns); a bad one gets a 400 with <Error> elements. Accepted messages are kept by DeliveryId,
and a DeliveryId seen before is refused as a duplicate, as CWC does, so a test can tell a retry
that arrived twice from one that arrived once.

On demand the next message requests can fail (500), be rejected (400 with a reason), or hang:
hold the connection (after accepting the message, or before) until the test releases it or the
server stops, so the client's timeout is what ends the request, whatever the machine's speed.
"""

from __future__ import annotations

import json
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

API_KEY = "test-cwc-key"
HANG_LIMIT = 60.0  # a hung request never outlives a forgotten test by more than this

# (tag, required) in schema order, per section.
DELIVERY = [
    ("DeliveryId", True),
    ("DeliveryDate", True),
    ("DeliveryAgent", True),
    ("DeliveryAgentAckEmailAddress", True),
    ("DeliveryAgentContact", True),
    ("Organization", False),
    ("OrganizationContact", False),
    ("OrganizationAbout", False),
    ("CampaignId", True),
]
AGENT_CONTACT = [
    ("DeliveryAgentContactName", True),
    ("DeliveryAgentContactEmail", True),
    ("DeliveryAgentContactPhone", True),
]
RECIPIENT = [("MemberOffice", True), ("IsResponseRequested", False), ("NewsletterOptIn", False)]
CONSTITUENT = [
    ("Prefix", True),
    ("FirstName", True),
    ("MiddleName", False),
    ("LastName", True),
    ("Suffix", False),
    ("Title", False),
    ("Organization", False),
    ("Address1", True),
    ("Address2", False),
    ("Address3", False),
    ("City", True),
    ("StateAbbreviation", True),
    ("Zip", True),
    ("Phone", False),
    ("AddressValidation", False),
    ("Email", True),
    ("EmailValidation", False),
]
MESSAGE = [
    ("Subject", True),
    ("LibraryOfCongressTopics", True),
    ("Bills", False),
    ("ProOrCon", False),
    ("OrganizationStatement", False),
    ("ConstituentMessage", False),
    ("MoreInfo", False),
]
ROOT = [("CWCVersion", True), ("Delivery", True), ("Recipient", True), ("Constituent", True), ("Message", True)]


def check_sequence(element: ET.Element, layout: list[tuple[str, bool]], where: str) -> list[str]:
    """Children must be known, in schema order, each at most once, with every required one present."""
    problems = []
    order = [tag for tag, _ in layout]
    position = -1
    seen = set()
    for child in element:
        if child.tag not in order:
            problems.append(f"{where}: unexpected element {child.tag}")
            continue
        index = order.index(child.tag)
        if index <= position:
            problems.append(f"{where}: {child.tag} is out of order or repeated")
        position = max(position, index)
        seen.add(child.tag)
        if len(child) == 0 and not (child.text or "").strip():
            problems.append(f"{where}: {child.tag} is empty")
    for tag, required in layout:
        if required and tag not in seen:
            problems.append(f"{where}: {tag} is missing")
    return problems


def check_cwc(xml: bytes, offices: set[str] | None) -> tuple[list[str], dict]:
    """Problems with a CWC 2.0 document, and the fields a test may want to look at."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"], {}
    if root.tag != "CWC":
        return ["root element must be CWC"], {}
    problems = check_sequence(root, ROOT, "CWC")
    if problems:
        return problems, {}
    text = lambda path: (root.findtext(path) or "").strip()  # noqa: E731
    if text("CWCVersion") != "2.0":
        problems.append("CWCVersion must be 2.0")
    problems += check_sequence(root.find("Delivery"), DELIVERY, "Delivery")
    contact = root.find("Delivery/DeliveryAgentContact")
    if contact is not None:
        problems += check_sequence(contact, AGENT_CONTACT, "DeliveryAgentContact")
    problems += check_sequence(root.find("Recipient"), RECIPIENT, "Recipient")
    problems += check_sequence(root.find("Constituent"), CONSTITUENT, "Constituent")
    problems += check_sequence(root.find("Message"), MESSAGE, "Message")
    if not re.fullmatch(r"[A-Za-z0-9]{32}", text("Delivery/DeliveryId")):
        problems.append("DeliveryId must be 32 letters and digits")
    if not re.fullmatch(r"\d{8}", text("Delivery/DeliveryDate")):
        problems.append("DeliveryDate must be YYYYMMDD")
    if not re.fullmatch(r"\d{3}-\d{3}-\d{4}", text("Delivery/DeliveryAgentContact/DeliveryAgentContactPhone")):
        problems.append("DeliveryAgentContactPhone must be ###-###-####")
    office = text("Recipient/MemberOffice")
    if not re.fullmatch(r"[HS][A-Z]{2}\d{2}", office):
        problems.append("MemberOffice is not an office code")
    elif offices is not None and office not in offices:
        problems.append(f"MemberOffice {office} is not an active office")
    for flag in ("Recipient/IsResponseRequested", "Recipient/NewsletterOptIn"):
        if root.find(flag) is not None and text(flag) not in ("Y", "N"):
            problems.append(f"{flag} must be Y or N")
    if not re.fullmatch(r"\d{5}(-?\d{4})?", text("Constituent/Zip")):
        problems.append("Zip must be 5 or 9 digits")
    topics = root.findall("Message/LibraryOfCongressTopics/LibraryOfCongressTopic")
    if not topics or any(not (t.text or "").strip() for t in topics):
        problems.append("at least one LibraryOfCongressTopic is required")
    if not text("Message/OrganizationStatement") and not text("Message/ConstituentMessage"):
        problems.append("OrganizationStatement or ConstituentMessage is required")
    fields = {
        "delivery_id": text("Delivery/DeliveryId"),
        "campaign_id": text("Delivery/CampaignId"),
        "member_office": office,
        "prefix": text("Constituent/Prefix"),
        "first_name": text("Constituent/FirstName"),
        "last_name": text("Constituent/LastName"),
        "email": text("Constituent/Email"),
        "subject": text("Message/Subject"),
        "topics": [(t.text or "").strip() for t in topics],
        "organization_statement": text("Message/OrganizationStatement"),
        "constituent_message": text("Message/ConstituentMessage"),
    }
    return problems, fields


@dataclass
class Behaviour:
    kind: str  # "fail" | "reject" | "hang" | "hang-before-accept"
    status: int = 500
    reason: str = ""


@dataclass
class Seen:
    method: str
    path: str
    status: int
    delivery_id: str = ""


class FakeCwc:
    def __init__(self, api_key: str = API_KEY, offices: set[str] | None = None):
        self.api_key = api_key
        self.offices = offices  # None: every well-formed office code is accepted
        self.accepted: dict[str, dict] = {}  # DeliveryId -> parsed fields (and the raw XML)
        self.validated: list[dict] = []
        self.requests: list[Seen] = []
        self.plan: list[Behaviour] = []
        self.release = threading.Event()  # lets hung requests finish
        self.hanging = threading.Event()  # set when a request starts hanging
        self.on_message: Callable[[dict], None] | None = None  # called after a message is accepted
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # --- control from tests ---
    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, times: int = 1, status: int = 500) -> None:
        self.plan += [Behaviour("fail", status=status) for _ in range(times)]

    def reject_next(self, reason: str = "Invalid message", status: int = 400) -> None:
        self.plan.append(Behaviour("reject", status=status, reason=reason))

    def hang_next(self, accept: bool = True) -> None:
        """Hold the next message request open; with `accept`, the message is recorded first (the
        worst case: CWC has it, the client never hears so)."""
        self.plan.append(Behaviour("hang" if accept else "hang-before-accept"))

    def message_posts(self) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == "/v2/message"]

    def start(self) -> FakeCwc:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeCwc:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- the server ---
    def _next_behaviour(self) -> Behaviour | None:
        with self._lock:
            return self.plan.pop(0) if self.plan else None

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.requests.append(seen)

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def _answer(self, status: int, body: bytes, content_type: str = "application/xml") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (a timeout): nothing to tell it

            def _errors(self, status: int, problems: list[str]) -> None:
                root = ET.Element("Errors")
                for problem in problems:
                    ET.SubElement(root, "Error").text = problem
                self._answer(status, ET.tostring(root, encoding="utf-8", xml_declaration=True))

            def _authorized(self, query: dict) -> bool:
                if query.get("apikey", [""])[0] == fake.api_key:
                    return True
                self._errors(403, ["Invalid API key"])
                return False

            def do_GET(self):
                url = urlsplit(self.path)
                if url.path != "/v2/offices":
                    return self._errors(404, ["Not found"])
                if not self._authorized(parse_qs(url.query)):
                    return fake._record(Seen("GET", url.path, 403))
                codes = sorted(fake.offices) if fake.offices is not None else []
                fake._record(Seen("GET", url.path, 200))
                self._answer(200, json.dumps(codes).encode(), "application/json")

            def do_POST(self):
                url = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if url.path not in ("/v2/message", "/v2/validate"):
                    return self._errors(404, ["Not found"])
                if not self._authorized(parse_qs(url.query)):
                    return fake._record(Seen("POST", url.path, 403))
                if not (self.headers.get("Content-Type") or "").startswith("application/xml"):
                    fake._record(Seen("POST", url.path, 415))
                    return self._errors(415, ["Content-Type must be application/xml"])
                problems, fields = check_cwc(body, fake.offices)
                delivery_id = fields.get("delivery_id", "")
                if problems:
                    fake._record(Seen("POST", url.path, 400, delivery_id))
                    return self._errors(400, problems)
                if url.path == "/v2/validate":
                    fake._record(Seen("POST", url.path, 200, delivery_id))
                    fake.validated.append(fields)
                    return self._answer(200, b"<Response><Status>Valid</Status></Response>")
                self._message(url.path, body, fields)

            def _message(self, path: str, body: bytes, fields: dict) -> None:
                delivery_id = fields["delivery_id"]
                behaviour = fake._next_behaviour()
                if behaviour and behaviour.kind == "fail":
                    fake._record(Seen("POST", path, behaviour.status, delivery_id))
                    return self._answer(behaviour.status, b"<Errors><Error>Internal error</Error></Errors>")
                if behaviour and behaviour.kind == "reject":
                    fake._record(Seen("POST", path, behaviour.status, delivery_id))
                    return self._errors(behaviour.status, [behaviour.reason])
                if behaviour and behaviour.kind == "hang-before-accept":
                    fake._record(Seen("POST", path, 0, delivery_id))
                    fake.hanging.set()
                    fake.release.wait(HANG_LIMIT)
                    return self._answer(503, b"<Errors><Error>Timed out</Error></Errors>")
                with fake._lock:
                    duplicate = delivery_id in fake.accepted
                    if not duplicate:
                        fake.accepted[delivery_id] = dict(fields, xml=body)
                if duplicate:
                    fake._record(Seen("POST", path, 400, delivery_id))
                    return self._errors(400, [f"Duplicate DeliveryId {delivery_id}"])
                if fake.on_message is not None:
                    fake.on_message(fields)
                if behaviour and behaviour.kind == "hang":
                    fake._record(Seen("POST", path, 0, delivery_id))
                    fake.hanging.set()
                    fake.release.wait(HANG_LIMIT)
                    return self._answer(200, b"<Response><Status>Received</Status></Response>")
                fake._record(Seen("POST", path, 200, delivery_id))
                self._answer(200, b"<Response><Status>Received</Status></Response>")

        return Handler


@pytest.fixture
def fake_cwc():
    """A running fake CWC server that accepts every well-formed office code."""
    with FakeCwc() as server:
        yield server
