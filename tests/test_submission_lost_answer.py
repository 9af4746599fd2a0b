"""A submission whose write lost its answer (issue 15): one that is stored is never answered with an error, and
one answered with an error is not stored.

The app talks to PostgreSQL through a proxy on loopback (tests/fakes/pg_proxy.py) that ends the connection
carrying the submission's statement before the server's answer reaches the app, or before the statement
reaches the server. SQLite has no such window (an error from its commit means nothing was committed), so these
tests run on PostgreSQL only.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, func, select, text

from advocacy.delivery.models import Delivery
from advocacy.extensions import db as _db
from advocacy.letters.models import Action, Letter
from tests.conftest import make_app
from tests.fakes.pg_proxy import PgProxy
from tests.fakes.redis_server import BOUND
from tests.letters_support import GOOD

URL = "/api/v1/campaigns/sample-campaign/actions"
STATEMENT = b"INSERT INTO actions"  # the submission's one statement (advocacy/letters/store.py)
CHECK = b"pg_stat_activity"  # the first question asked after a lost answer (advocacy/letters/lost_answer.py)


def counts(db):
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Action, Letter, Delivery))


def stored_letter_ids(db) -> list[str]:
    return sorted(db.session.scalars(select(Letter.id)))


@pytest.fixture
def proxy(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite's commit is a library call, with no answer to lose")
    proxy = PgProxy(database_url).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def proxied(proxy, live_campaign):
    """A second app, as the fixture's app is configured but reaching PostgreSQL through the proxy; the test
    itself reads what was stored directly."""
    app = make_app(proxy.url, SUBMISSION_OUTCOME_WAIT_SECONDS=BOUND)
    yield app
    with app.app_context():
        _db.engine.dispose()


def test_a_submission_committed_whose_answer_was_lost_is_answered_201_with_its_letters(proxied, proxy, db):
    client = proxied.test_client()
    proxy.cut(STATEMENT, "after_answer")  # the server commits and answers; the answer never reaches the app
    response = client.post(URL, json=GOOD)
    assert proxy.cut_done.is_set()
    assert response.status_code == 201, response.get_data(as_text=True)
    letters = response.json["letters"]
    assert counts(db) == (1, 3, 3)
    assert sorted(letter["id"] for letter in letters) == stored_letter_ids(db)
    assert {letter["delivery"]["status"] for letter in letters} == {"handoff"}

    again = client.post(URL, json=GOOD)  # and the client's own retry is the repeat it is
    assert again.status_code == 200
    assert sorted(letter["id"] for letter in again.json["letters"]) == stored_letter_ids(db)
    assert counts(db) == (1, 3, 3)


def test_a_statement_cut_off_before_the_server_saw_it_is_answered_503_and_stores_nothing(proxied, proxy, db):
    client = proxied.test_client()
    proxy.cut(STATEMENT, "before")
    response = client.post(URL, json=GOOD)
    assert proxy.cut_done.is_set()
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["error"]["code"] == "unavailable"
    assert counts(db) == (0, 0, 0)
    assert proxy.queries(CHECK) >= 1  # it was asked, not assumed


def test_the_outcome_is_asked_again_while_the_database_comes_back(proxied, proxy, db):
    client = proxied.test_client()
    # Once the answer is lost, the next three connections are refused: the database is not back yet.
    proxy.cut(STATEMENT, "after_answer", then_refuse=3)
    refused_before = proxy.connections
    response = client.post(URL, json=GOOD)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert counts(db) == (1, 3, 3)
    assert proxy.connections - refused_before >= 4  # three refused, then the one that found it


def test_a_statement_still_running_when_its_client_went_away_is_waited_for(proxied, proxy, db, database_url):
    """The server has the whole request but is still on it (here: waiting for a lock) when the connection goes:
    it runs to its end and commits after the app first asks. The answer waits for the statement to end."""
    holder = create_engine(database_url)
    client = proxied.test_client()
    try:
        with holder.connect() as conn:
            conn.execute(text("LOCK TABLE actions IN SHARE MODE"))  # the submission's INSERT waits for this

            answered = threading.Event()

            def release_after_first_check() -> None:
                # Once the app has asked and been told the statement is still running, the lock goes.
                while not answered.wait(0.05):
                    if proxy.answered(CHECK) >= 1:
                        break
                conn.commit()

            proxy.cut(STATEMENT, "after_request")
            releaser = threading.Thread(target=release_after_first_check, daemon=True)
            releaser.start()
            response = client.post(URL, json=GOOD)
            answered.set()  # (code that never asks would otherwise keep the lock until the bound)
            releaser.join(BOUND)
        assert response.status_code == 201, response.get_data(as_text=True)
        assert proxy.answered(CHECK) >= 2  # asked while it ran, and again once it was over
        assert counts(db) == (1, 3, 3)
        assert sorted(letter["id"] for letter in response.json["letters"]) == stored_letter_ids(db)
    finally:
        holder.dispose()


@pytest.mark.parametrize("idempotency_key", [None, "retry-7"])
def test_past_the_bound_it_is_a_503_and_the_retry_gets_the_stored_letters_not_a_second_copy(
    proxy, live_campaign, db, idempotency_key
):
    app = make_app(proxy.url, SUBMISSION_OUTCOME_WAIT_SECONDS=0.3)
    client = app.test_client()
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    try:
        # Committed, and the database does not come back within the bound.
        proxy.cut(STATEMENT, "after_answer", then_refuse=None)
        response = client.post(URL, json=GOOD, headers=headers)
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) > 0
        assert counts(db) == (1, 3, 3)  # the case the docs describe: unknown to the app, stored

        proxy.refuse(0)  # back
        again = client.post(URL, json=GOOD, headers=headers)
        assert again.status_code == 200, again.get_data(as_text=True)
        assert sorted(letter["id"] for letter in again.json["letters"]) == stored_letter_ids(db)
        assert counts(db) == (1, 3, 3)
    finally:
        with app.app_context():
            _db.engine.dispose()


def test_nothing_after_the_commit_reads_the_database_even_for_offices_outside_the_delegation(proxy, live_campaign, db):
    """A campaign naming a member outside the writer's delegation: the answer shows that office too, and the
    database going away just after the commit (here: the next read of the roster's version) changes nothing."""
    live_campaign.target_members = ["P000145"]  # a senator from California; the writer is in New York
    db.session.commit()
    app = make_app(proxy.url, CONGRESS_CACHE_SECONDS=0)  # every roster read asks the database
    try:
        proxy.cut(b"congress_datasets", "before", after=STATEMENT)
        response = app.test_client().post(URL, json=GOOD)
        assert response.status_code == 201, response.get_data(as_text=True)
        assert counts(db) == (1, 4, 4)
        offices = {letter["office"]["bioguide_id"]: letter["office"] for letter in response.json["letters"]}
        assert offices["P000145"]["name"] and offices["P000145"]["salutation"].startswith("Dear Senator")
        assert offices["P000145"]["phone"]
    finally:
        with app.app_context():
            _db.engine.dispose()


# --- the HTML form -------------------------------------------------------------------------------------------


def _send(client):
    from tests.test_letters_flow import FORM, started

    return client.post("/c/sample-campaign/send", data={**FORM, "started": started(client)})


def test_the_form_whose_answer_was_lost_leads_to_the_thanks_page_with_the_stored_letters(proxied, proxy, db):
    client = proxied.test_client()
    proxy.cut(STATEMENT, "after_answer")
    response = _send(client)
    assert proxy.cut_done.is_set()
    assert response.status_code == 303, response.status_code
    assert "/c/sample-campaign/thanks/" in response.headers["Location"]
    assert counts(db) == (1, 3, 3)
    action_id = db.session.scalar(select(Action.id))
    assert response.headers["Location"].endswith(f"/thanks/{action_id}")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for letter in db.session.scalars(select(Letter)):
        assert f"letter-{letter.id}" in body


def test_the_form_cut_off_before_the_server_saw_it_is_a_503_page_and_stores_nothing(proxied, proxy, db):
    client = proxied.test_client()
    proxy.cut(STATEMENT, "before")
    response = _send(client)
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert "briefly unavailable" in response.get_data(as_text=True)
    assert counts(db) == (0, 0, 0)
