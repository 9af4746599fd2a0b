"""Canary: every form and JSON API is filled with recognizable personal data, and none of it may appear in the logs.

The app runs on a real port (werkzeug's server, so its request log lines are produced as in development), with
mail going to a local SMTP server and deliveries sent in-process, and the Census geocoder served by the loopback fake
(tests/fakes/geocoder.py) over real HTTP, so the outbound request is made and could be logged. Every log record
of the app's threads is captured at DEBUG.

The app masks, in every log record, email- and phone-shaped text and personal query parameters
(advocacy/logs.py): a second line of defence. The main test takes that mask off, because the first line of
defence is never to log personal data at all (and names, addresses and messages are not email-shaped); the
request-log test keeps it, since redacting the query string is how the address in a representatives API URL is
kept out of the request log.
"""

from __future__ import annotations

import logging
import re
import threading

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from advocacy.logs import RedactPersonalData
from tests.conftest import PASSWORD

# Recognizable personal data: every value holds one of NEEDLES (case-insensitive).
WRITER = {
    "first_name": "Canaryfirst",
    "last_name": "Zqxj",
    "email": "canary.zqxj@example.org",
    "phone": "555-0199-321",
    "address": "77 Canary Lane",
    "city": "New York",
    "state": "NY",
    "zip": "10025",  # split between NY-12 and NY-13: the street address is geocoded
    "message": "Canarymessage: my neighbour Zqxj was detained.",
}
STAFF_EMAIL = "canary.staff.zqxj@example.org"
STAFF_PASSWORD = "canary-password-zqxj-123"
NEEDLES = ("zqxj", "canary", "0199-321")
# Loggers of the test's own machinery, not the app: the fake SMTP server, the test's HTTP client (main thread).
NOT_THE_APP = ("mail.log", "asyncio")


@pytest.fixture
def geocoder(fake_geocoder):
    return fake_geocoder.place(WRITER["address"], "NY", 12, (40.79368, -73.97049))


@pytest.fixture
def app_config(geocoder, smtp_server):
    environ = {**geocoder.environ(), **smtp_server.environ()}
    return {"ENVIRON": environ, "DELIVERY_INLINE": True}


@pytest.fixture
def site(app, live_campaign, no_network, geocoder):
    """The app served on 127.0.0.1; `requests` reaches it, the fake geocoder and nothing else."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    no_network.add_passthru(base)  # and the fake geocoder (see no_network)
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture
def captured(caplog):
    """Every log record at DEBUG, as the app's logging leaves it (masked)."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="werkzeug")
    return caplog


@pytest.fixture
def unmasked(captured, monkeypatch):
    """Every log record at DEBUG, with the app's mask taken off: the record factory and the handlers' filters."""
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(logging.LogRecord)
    for logger in (logging.getLogger(), logging.getLogger("werkzeug")):
        for handler in logger.handlers:
            kept = [f for f in handler.filters if not isinstance(f, RedactPersonalData)]
            if kept != handler.filters:
                monkeypatch.setattr(handler, "filters", kept)
    yield captured
    logging.setLogRecordFactory(factory)


def app_log_lines(caplog, urllib3: bool = True) -> list[str]:
    main = threading.main_thread().ident
    lines = []
    for record in caplog.records:
        if record.name.startswith(NOT_THE_APP) or (record.name.startswith("urllib3") and record.thread == main):
            continue
        if record.name.startswith("urllib3") and not urllib3:
            continue
        text = f"{record.name} {record.getMessage()}"
        if record.exc_info:
            text += " " + logging.Formatter().formatException(record.exc_info)
        lines.append(text)
    return lines


def leaks(lines: list[str]) -> list[str]:
    return [line for line in lines if any(n in line.lower() for n in NEEDLES)]


def field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} field"
    return match.group(1)


def log_in(http: requests.Session, base: str, email: str, password: str) -> requests.Response:
    return http.post(base + "/login", data={"email": email, "password": password}, allow_redirects=False, timeout=30)


def write_letters(base: str) -> requests.Session:
    """The constituent's whole flow in the HTML pages: the form, review, send, confirmation, "I sent it"."""
    http = requests.Session()
    page = http.get(base + "/c/sample-campaign", timeout=30).text
    form = {**WRITER, "consent": "y", "started": field(page, "started")}
    review = http.post(base + "/c/sample-campaign/write", data=form, timeout=30)
    assert review.status_code == 200 and "Review your letters" in review.text, review.status_code
    assert "Nadler" in review.text  # the fake geocoder placed the street in NY-12
    messages = {key: WRITER["message"] for key in re.findall(r'name="(message-[^"]+)"', review.text)}
    thanks = http.post(base + "/c/sample-campaign/send", data={**form, **messages}, timeout=30)
    assert thanks.status_code == 200 and "Thank you, Canaryfirst" in thanks.text, thanks.status_code
    sent = re.findall(r'action="(/c/sample-campaign/thanks/[^"]+/sent/[^"]+)"', thanks.text)
    assert sent
    assert http.post(base + sent[0], timeout=30).status_code == 200
    # The split-ZIP chooser: a street the geocoder cannot place, then a district chosen by hand.
    lost = {**form, "address": "78 Canary Lane Unknown", "email": "canary.two.zqxj@example.org"}
    chooser = http.post(base + "/c/sample-campaign/write", data=lost, timeout=30)
    assert chooser.status_code == 422 and 'name="district"' in chooser.text
    chosen = http.post(base + "/c/sample-campaign/write", data={**lost, "district": "NY-13"}, timeout=30)
    assert chosen.status_code == 200 and "Espaillat" in chosen.text
    return http


def test_personal_data_typed_anywhere_never_reaches_the_logs(site, unmasked, make_user, smtp_server, live_campaign):
    base = site
    make_user("canary-organizer@example.org", role="organizer")
    make_user("canary-admin@example.org", role="admin")

    # Organizer: a custom target (an official, by email) so letters also go out by email; a campaign, a letter,
    # a statement, all with the canary's words in them.
    organizer = requests.Session()
    assert log_in(organizer, base, "canary-organizer@example.org", PASSWORD).status_code == 302
    target = {"name": "Officer Zqxj", "title": "Canary Director", "email": "official.zqxj@example.gov"}
    response = organizer.post(f"{base}/organizer/campaigns/{live_campaign.id}/targets/custom", data=target, timeout=30)
    assert response.status_code == 200, response.status_code  # followed the redirect
    campaign = {
        "slug": "free-cq",
        "title": "Free Canaryfirst Zqxj",
        "detainee_name": "Canaryfirst Zqxj",
        "ask": "Release Canaryfirst Zqxj.",
        "story_markdown": "Canary story of Zqxj.",
        "keywords": "Zqxj",
        "aliases": "Canaryfirst",
        "cwc_topic": "Immigration",
    }
    response = organizer.post(base + "/organizer/campaigns/new", data=campaign, allow_redirects=False, timeout=30)
    assert response.status_code == 302, response.text
    new_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    letter = {
        "name": "Canary letter",
        "chamber": "any",
        "stance": "any",
        "subject": "For Zqxj",
        "body": "{{ office.salutation }}, Canaryfirst Zqxj needs you. {{ constituent.frist_name }}",  # an error
    }
    assert (
        organizer.post(f"{base}/organizer/campaigns/{new_id}/letters/new", data=letter, timeout=30).status_code == 400
    )
    letter["body"] = letter["body"].replace("frist", "first")
    assert organizer.post(f"{base}/organizer/campaigns/{new_id}/letters/new", data=letter, timeout=30).ok
    statement = {
        "bioguide_id": "N000002",
        "date": "2026-11-02",
        "kind": "press_release",
        "stance": "supports",
        "source_url": "https://example.gov/statement",
        "quote_or_summary": "Canary quote: free Zqxj.",
    }
    assert organizer.post(base + "/organizer/campaigns/sample-campaign/statements/new", data=statement, timeout=30).ok

    # Constituents: the HTML flow, the lookup page and the JSON API.
    write_letters(base)
    http = requests.Session()
    lookup = http.post(base + "/lookup", data={"zip": WRITER["zip"], "address": WRITER["address"]}, timeout=30)
    assert lookup.status_code == 200 and "Nadler" in lookup.text
    api_writer = {k: v for k, v in WRITER.items()} | {"email": "canary.api.zqxj@example.org", "consent": True}
    response = http.post(base + "/api/v1/campaigns/sample-campaign/actions", json=api_writer, timeout=30)
    assert response.status_code == 201, response.text
    bad = {**api_writer, "email": "canary-not-an-email-zqxj", "zip": "zqxj"}
    assert http.post(base + "/api/v1/campaigns/sample-campaign/actions", json=bad, timeout=30).status_code == 400

    # Staff accounts: a refused login with a canary email and password, a new account made by an admin, its login.
    assert log_in(http, base, STAFF_EMAIL, STAFF_PASSWORD).status_code == 401  # refused: no such account
    admin = requests.Session()
    assert log_in(admin, base, "canary-admin@example.org", PASSWORD).status_code == 302
    new_user = {"email": STAFF_EMAIL, "role": "staff", "password": STAFF_PASSWORD}
    assert admin.post(base + "/admin/users", data=new_user, timeout=30).ok
    staff = requests.Session()
    assert log_in(staff, base, STAFF_EMAIL, STAFF_PASSWORD).status_code == 302
    assert log_in(requests.Session(), base, STAFF_EMAIL, "canary-wrong-zqxj").status_code == 401

    # Staff read the personal data back: the contact list and the exports hold it; the logs must not.
    contacts = staff.get(base + "/staff/campaigns/sample-campaign/contacts", timeout=30)
    assert "Canaryfirst" in contacts.text
    export = staff.get(base + "/staff/campaigns/sample-campaign/exports/contacts.csv", timeout=30)
    assert "Canaryfirst" in export.text and "canary.zqxj@example.org" in export.text
    assert staff.get(base + "/staff/campaigns/sample-campaign/packets.zip", timeout=30).ok

    # The admin's data request: find the constituent by email, then erase.
    found = admin.post(base + "/admin/privacy/lookup", data={"email": WRITER["email"]}, timeout=30)
    assert "77 Canary Lane" in found.text
    ids = re.findall(r'name="action_id" value="([^"]+)"', found.text)
    erased = admin.post(base + "/admin/privacy/erase", data={"action_id": ids, "confirm": "y"}, timeout=30)
    assert "Deleted the personal data of" in erased.text

    # The mail went out (receipts to the writers, letters to the official): it did carry the data.
    assert any("canary.zqxj@example.org" in str(m) for m in smtp_server.messages)

    # urllib3's own DEBUG lines are left to test_outbound_request_urls_never_reach_the_log below.
    lines = app_log_lines(unmasked, urllib3=False)
    assert any(line.startswith("werkzeug") and "POST /c/sample-campaign/send" in line for line in lines)
    assert any("login refused" in line for line in lines)
    found = leaks(lines)
    assert found == [], "\n".join(found)


def test_request_log_lines_never_hold_an_address(site, captured):
    """The representatives API takes the street address in its URL, so the request log (werkzeug's here,
    the production server's access log) writes it down."""
    response = requests.get(
        site + "/api/v1/representatives", params={"zip": WRITER["zip"], "address": WRITER["address"]}, timeout=30
    )
    assert response.status_code == 200
    request_lines = [line for line in app_log_lines(captured, urllib3=False) if line.startswith("werkzeug")]
    assert leaks(request_lines) == []


def test_outbound_request_urls_never_reach_the_log(site, captured):
    """At ADVOCACY_LOG_LEVEL=DEBUG the app's handler also writes urllib3's DEBUG lines, and urllib3 logs every
    URL it fetches: the Census geocoder's holds the street address."""
    response = requests.post(site + "/lookup", data={"zip": WRITER["zip"], "address": WRITER["address"]}, timeout=30)
    assert response.status_code == 200 and "Nadler" in response.text
    assert leaks([line for line in app_log_lines(captured) if line.startswith("urllib3")]) == []


def test_erased_personal_data_is_gone_from_every_table(site, make_user, db):
    """After an admin erases a constituent's submissions, no table holds any of what they typed."""
    write_letters(site)
    api_writer = {**WRITER, "email": "canary.api.zqxj@example.org", "consent": True}
    assert (
        requests.post(site + "/api/v1/campaigns/sample-campaign/actions", json=api_writer, timeout=30).status_code
        == 201
    )
    make_user("privacy-admin@example.org", role="admin")
    admin = requests.Session()
    assert log_in(admin, site, "privacy-admin@example.org", PASSWORD).status_code == 302
    for email in (WRITER["email"], api_writer["email"]):
        found = admin.post(site + "/admin/privacy/lookup", data={"email": email}, timeout=30).text
        ids = re.findall(r'name="action_id" value="([^"]+)"', found)
        assert ids, email
        erased = admin.post(site + "/admin/privacy/erase", data={"action_id": ids, "confirm": "y"}, timeout=30)
        assert "Deleted the personal data of" in erased.text
    db.session.expire_all()
    left = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).mappings():
            left += [f"{table.name}.{k}" for k, v in row.items() if isinstance(v, str) and leaks([v])]
    assert sorted(set(left)) == []


def test_the_canary_test_can_fail(unmasked):
    """A log line with any canary value is found, whatever its case."""
    logging.getLogger("advocacy.test").info("writer %s at %s", WRITER["first_name"].upper(), WRITER["address"])
    logging.getLogger("advocacy.test").warning("phone %s", WRITER["phone"])
    logging.getLogger("advocacy.test").warning("email %s", WRITER["email"])  # not masked here
    assert len(leaks(app_log_lines(unmasked))) == 3


# Log forging and SQL parameters (issue 14, item 4).

FORGED = "2026-01-01 00:00:00,000 ERROR advocacy FORGED-LINE"


def formatted(caplog) -> list[str]:
    """What a handler writes for the captured records, line by line (the app's own format)."""
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    return [line for record in caplog.records for line in formatter.format(record).split("\n")]


def test_no_log_line_can_be_forged_through_a_url_header_or_field(site, captured):
    http = requests.Session()
    http.get(site + "/c/guan-heng%0d%0a" + FORGED.replace(" ", "%20"), timeout=30)
    http.get(site + "/c/guan-heng/scoreboard", params={"state": "\n" + FORGED}, timeout=30)
    http.get(site + "/c/guan-heng", headers={"User-Agent": "x\x1b[2J\x1b[H" + FORGED}, timeout=30)
    http.post(site + "/login", data={"email": "a@example.org\r\n" + FORGED, "password": "x\n" + FORGED}, timeout=30)
    http.post(
        site + "/api/v1/campaigns/guan-heng/actions",
        json={**WRITER, "first_name": "\r\n" + FORGED, "consent": True},
        headers={"Idempotency-Key": "k\x1b" + FORGED},
        timeout=30,
    )
    for record in captured.records:
        assert not re.search("[\r\n\x1b]", record.getMessage()), record.getMessage()
    assert not [line for line in formatted(captured) if "FORGED-LINE" in line and line.startswith("2026-01-01")]


def test_control_characters_in_a_record_are_escaped_and_tracebacks_indented(app, captured):
    log = logging.getLogger("advocacy.test")
    log.warning("slug=%s agent=%s", "x\r\n" + FORGED, "\x1b[31mred\u2028" + FORGED)
    try:
        raise ValueError("bad value\n" + FORGED)
    except ValueError:
        log.exception("failed for %s", "y\n" + FORGED)
    lines = formatted(captured)
    assert not [line for line in lines if line.startswith("2026-01-01")]
    warning, error = (r.getMessage() for r in captured.records)
    assert warning == "slug=x\\r\\n" + FORGED + " agent=\\x1b[31mred\\u2028" + FORGED
    assert error == "failed for y\\n" + FORGED
    traceback_lines = lines[lines.index(next(line for line in lines if "failed for" in line)) + 1 :]
    assert traceback_lines and all(line.startswith("  | ") for line in traceback_lines)
    assert any(line == "  | " + FORGED for line in traceback_lines)


def test_database_errors_never_carry_sql_parameters(app, db, captured):
    from advocacy.auth.models import User

    db.session.add(User(email="canary.zqxj@example.org", password_hash="x", role="staff"))
    db.session.commit()
    db.session.add(User(email="canary.zqxj@example.org", password_hash="Canarysecret", role="staff"))
    with pytest.raises(sa.exc.IntegrityError) as info:
        db.session.commit()
    db.session.rollback()
    logging.getLogger("advocacy.test").error("commit failed", exc_info=info.value)
    assert db.engine.hide_parameters
    text = "\n".join(formatted(captured))
    assert "SQL parameters hidden" in text and "Canarysecret" not in text
