"""Malformed input (issue 14, items 4 and 7): a NUL or control character in a path, a lone surrogate or absurd
nesting in JSON, a NUL in a form or query string. Each gets a 400 or 404 with the usual JSON error (API) or
HTML error page, never a 500, and the log never carries a forged line."""

from __future__ import annotations

import contextlib
import json
import logging

import pytest
from sqlalchemy import event, func, insert, select

from advocacy.campaigns.models import LetterTemplate
from advocacy.inputs import MalformedInput
from advocacy.letters.models import Action
from tests.factories import make_campaign
from tests.letters_support import GOOD

BAD_SEGMENTS = ["%00", "guan%00heng", "%00%0aFORGED-LINE", "a%0d%0aSet-Cookie:x", "a%1bb", "a%7fb", "a%c2%85b"]
PUBLIC_PAGES = ["/c/{}", "/c/{}/scoreboard", "/c/{}/statements.atom", "/c/{}/thanks/{}"]
API_ROUTES = ["/api/v1/campaigns/{}", "/api/v1/campaigns/{}/scoreboard"]
STAFF_PAGES = ["/staff/campaigns/{}", "/staff/campaigns/{}/contacts", "/staff/campaigns/{}/exports"]


def _path(template: str, segment: str) -> str:
    return template.format(segment, segment)


def assert_html_error(response, statuses=(400, 404)):
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "text/html"
    assert "Traceback" not in response.get_data(as_text=True)


def assert_json_error(response, statuses=(400, 404)):
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.is_json and set(response.json["error"]) >= {"code", "message", "fields"}


@pytest.mark.parametrize("segment", BAD_SEGMENTS)
def test_control_characters_in_a_public_path_give_a_404_page_not_a_500(client, db, segment, caplog):
    make_campaign()
    with caplog.at_level(logging.DEBUG):
        for template in PUBLIC_PAGES:
            assert_html_error(client.get(_path(template, segment)))
        assert_html_error(client.post(_path("/c/{}/send", segment)))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "FORGED-LINE" not in "\n".join(line for r in caplog.records for line in [r.getMessage()] if "\n" in line)


@pytest.mark.parametrize("segment", BAD_SEGMENTS)
def test_control_characters_in_an_api_path_give_a_json_404(client, db, segment):
    make_campaign()
    for template in API_ROUTES:
        assert_json_error(client.get(_path(template, segment)))
    assert_json_error(client.post(_path("/api/v1/campaigns/{}/actions", segment), json=GOOD))


@pytest.mark.parametrize("segment", BAD_SEGMENTS[:3])
def test_control_characters_in_a_staff_or_organizer_path_give_a_404(staff_client, organizer_client, db, segment):
    make_campaign()
    for template in STAFF_PAGES:
        assert_html_error(staff_client.get(_path(template, segment)))
    assert_html_error(organizer_client.get(_path("/organizer/campaigns/{}/statements/", segment)))


def test_a_nul_in_a_query_string_or_form_field_gives_a_400(staff_client, organizer_client, db):
    make_campaign()
    assert_html_error(staff_client.get("/staff/campaigns/guan-heng/contacts?state=N%00Y"), (400,))
    response = organizer_client.post("/organizer/campaigns/new", data={"slug": "ok", "title": "Free\x00Ana"})
    assert_html_error(response, (400,))
    assert "not allowed" in response.get_data(as_text=True)
    assert_json_error(staff_client.get("/api/v1/representatives?zip=12207&address=1%00Main"), (400,))


DEEP_JSON = "[" * 100_000 + "]" * 100_000


@pytest.mark.usefixtures("guan_heng")
@pytest.mark.parametrize(
    "body",
    [
        DEEP_JSON,
        '{"first_name": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"first_name": "\\ud800", "last_name": "x"}',
        '{"first_name": "Ana", "message": "a \\udfff b"}',
        '{"first_name": "Ana", "\\ud800": "x"}',
        '{"first_name": "Ana\\u0000", "last_name": "Lee"}',
    ],
    ids=["deep-array", "deep-field", "lone-high-surrogate", "lone-low-surrogate", "surrogate-key", "nul"],
)
def test_malformed_json_gives_a_json_400_and_stores_nothing(client, db, body):
    payload = body
    if body.startswith('{"first_name": "'):
        # The other fields are valid, so only the malformed one can be the reason for the refusal.
        extra = ", ".join(f'"{k}": "{v}"' for k, v in GOOD.items() if k not in ("first_name", "consent"))
        payload = body[:-1] + ", " + extra.replace('"last_name": "Pérez", ', "") + "}"
    response = client.post(
        "/api/v1/campaigns/guan-heng/actions", data=payload.encode(), content_type="application/json"
    )
    assert_json_error(response, (400,))
    assert db.session.scalar(select(func.count()).select_from(Action)) == 0


QUICK_CHECK_CANNOT_CLEAR = {
    "nul-in-utf-16": ("utf-16-le", "strict", "Ana\u0000"),
    "nul-in-utf-32": ("utf-32-le", "strict", "Ana\u0000"),
    "surrogate-in-utf-16": ("utf-16-le", "strict", "Ana\\ud800"),
    "raw-utf-8-surrogate": ("utf-8", "surrogatepass", "Ana\ud800"),
}


def encoded_payload(encoding: str, errors: str, first_name: str) -> bytes:
    """A submission valid but for its first name, as JSON in `encoding`."""
    text = json.dumps({**GOOD, "first_name": first_name}, ensure_ascii=encoding != "utf-8")
    if first_name.endswith("\\ud800"):  # the escape itself, not an escaped backslash
        text = text.replace("\\\\ud800", "\\ud800")
    return text.encode(encoding, errors)


@pytest.mark.usefixtures("guan_heng")
@pytest.mark.parametrize("case", QUICK_CHECK_CANNOT_CLEAR)
def test_json_the_quick_check_cannot_clear_is_still_walked_and_refused(client, db, case):
    """Plain ASCII JSON skips the walk through the decoded document (inputs._plainly_fine); JSON in UTF-16 or
    UTF-32 (ASCII bytes with NULs between, so no `\\u` is seen) or a surrogate encoded raw must not."""
    data = encoded_payload(*QUICK_CHECK_CANNOT_CLEAR[case])
    response = client.post("/api/v1/campaigns/guan-heng/actions", data=data, content_type="application/json")
    assert_json_error(response, (400,))
    assert db.session.scalar(select(func.count()).select_from(Action)) == 0


def test_the_quick_check_counts_brackets_for_depth(app):
    assert app.json.loads(("[" * 32 + "]" * 32).encode()) is not None
    with pytest.raises(MalformedInput):
        app.json.loads(("[" * 33 + "]" * 33).encode())
    with pytest.raises(MalformedInput):
        app.json.loads(('{"a": ' * 33 + "1" + "}" * 33).encode())  # objects count as much as arrays
    with pytest.raises(MalformedInput):
        app.json.loads(('{"a": "' + "[" * 40 + '", "b": ' + "[" * 33 + "]" * 33 + "}").encode())


@pytest.mark.usefixtures("guan_heng")
def test_a_surrogate_sent_through_the_letter_form_is_never_a_500(client, db):
    # Browsers send UTF-8; the bytes of an encoded surrogate are not valid UTF-8 and decode as U+FFFD.
    response = client.post(
        "/c/guan-heng/write", data=b"first_name=%ED%A0%80&zip=12207", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code < 500


# Concurrent saves of the same letter variant (issue 14, item 7): a clear 409, never a 500 with an empty body.


@contextlib.contextmanager
def another_writer_first(engine, table, row: dict):
    """Just before this app's INSERT into `table`, another connection inserts and commits `row`: the race of two
    organizers saving at once, made deterministic."""
    state = {"done": False}

    def before(conn, cursor, statement, parameters, context, executemany):
        if not state["done"] and statement.lstrip().upper().startswith(f"INSERT INTO {table.name.upper()}"):
            state["done"] = True
            with engine.connect() as other:
                other.execute(insert(table).values(**row))
                other.commit()

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield state
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_two_organizers_saving_the_same_variant_at_once_get_a_409_form_message(organizer_client, db):
    campaign = make_campaign(status="draft")
    row = {"campaign_id": campaign.id, "name": "Theirs", "chamber": "any", "stance": "any", "subject": "S", "body": "B"}
    form = {"name": "Mine", "chamber": "any", "stance": "any", "priority": "0", "subject": "Free Ana", "body": "Hi"}
    with another_writer_first(db.engine, LetterTemplate.__table__, row) as race:
        response = organizer_client.post(f"/organizer/campaigns/{campaign.id}/letters/new", data=form)
    assert race["done"]
    assert response.status_code == 409, response.get_data(as_text=True)[:500]
    assert "was saved by someone else at the same time" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [t.name for t in db.session.scalars(select(LetterTemplate))] == ["Theirs"]


def test_two_organizers_creating_the_same_slug_at_once_get_a_409_form_message(organizer_client, db):
    from advocacy.campaigns.models import Campaign

    row = {"slug": "free-ana", "title": "Theirs", "detainee_name": "Ana", "ask": "a", "status": "draft"}
    form = {
        "slug": "free-ana",
        "title": "Mine",
        "detainee_name": "Ana Example",
        "ask": "Help.",
        "cwc_topic": "Immigration",
    }
    with another_writer_first(db.engine, Campaign.__table__, row) as race:
        response = organizer_client.post("/organizer/campaigns/new", data=form)
    assert race["done"]
    assert response.status_code == 409, response.get_data(as_text=True)[:500]
    assert "a campaign with this slug was saved by someone else at the same time" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [c.title for c in db.session.scalars(select(Campaign))] == ["Theirs"]


def test_an_unexpected_database_error_still_gets_the_error_page_not_an_empty_500(database_url, db, make_user):
    from tests.conftest import PASSWORD, make_app

    app = make_app(database_url)

    @app.get("/organizer/boom")
    def boom():  # a view that leaves the session in a failed flush, as a lost race used to
        from advocacy.extensions import db as _db

        _db.session.add(
            LetterTemplate(campaign_id=campaign_id, name="a", chamber="any", stance="any", subject="s", body="b")
        )
        _db.session.add(
            LetterTemplate(campaign_id=campaign_id, name="b", chamber="any", stance="any", subject="s", body="b")
        )
        _db.session.flush()

    campaign_id = make_campaign(status="draft").id
    user = make_user(email="org@example.org", role="organizer")
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    response = client.get("/organizer/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_malformed_input_is_refused_before_the_csrf_check_reads_or_logs_it(database_url, db, caplog):
    from tests.conftest import make_app

    client = make_app(database_url, WTF_CSRF_ENABLED=True).test_client()
    with caplog.at_level(logging.INFO):
        assert_html_error(client.post("/c/x%00%0aFORGED-LINE/send", data={"a": "b"}), (404,))
        assert_html_error(client.post("/login", data={"email": "a\x00@example.org"}), (400,))
    assert not [r for r in caplog.records if "csrf refused" in r.getMessage()]
