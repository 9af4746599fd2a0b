"""advocacy.letters.store: a submission's rows go in whole, exactly as given, or not at all (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from advocacy.delivery.models import Delivery
from advocacy.letters.models import Action, Letter, new_id
from advocacy.letters.store import TABLES, insert_submission
from tests.conftest import make_app
from tests.factories import make_campaign
from tests.fakes.smtp import free_port

WHEN = datetime(2026, 11, 26, 21, 4, 5, 123456, tzinfo=UTC)


def rows(campaign_id: int, email_key: str = "k" * 64, offices=("S000148", "G000555")):
    action = {
        "id": new_id(),
        "campaign_id": campaign_id,
        "email_key": email_key,
        "writer_key": email_key,
        "idempotency_key": None,
        "prefix": "Mx.",
        "first_name": "周锋锁",
        "last_name": 'O\'Brien "Quote" \\ back',
        "email": "ana@example.org",
        "phone": "",
        "address": "1 Main St",
        "city": "Albany",
        "state": "NY",
        "zip": "12207-1234",
        "message": "Line one\nline two {{ 7*7 }} 😀",
        "consent": True,
        "district_state": "NY",
        "district": None,
        "congress": 119,
        "lookup_source": "zip-crosswalk",
        "language": "zh-Hans",
        "purged_at": None,
        "created_at": WHEN,
    }
    letters, deliveries = [], []
    for position, office in enumerate(offices):
        letter = {
            "id": new_id(),
            "position": position,
            "action_id": action["id"],
            "campaign_id": campaign_id,
            "email_key": email_key,
            "writer_key": email_key,
            "office_key": office,
            "bioguide_id": office,
            "custom_target_id": None,
            "office_name": "Charles E. Schumer",
            "office_title": "Senator",
            "chamber": "senate",
            "state": "NY",
            "district": None,
            "party": "Democrat",
            "congress": 119,
            "stance_at_send": None,
            "template_variant": "default",
            "subject": "Free Guan Heng",
            "body": "Dear Senator,\n\n周锋锁 writes.",
            "statement_text": "",
            "personal_message": "",
            "purpose": "campaign",
            "called_at": None,
            "created_at": WHEN,
        }
        letters.append(letter)
        deliveries.append(
            {
                "id": new_id(),
                "kind": "letter",
                "letter_id": letter["id"],
                "channel": "contact_form",
                "status": "handoff",
                "cwc_office": None,
                "recipient_email": None,
                "attempts": 0,
                "next_attempt_at": WHEN,
                "created_at": WHEN,
                "updated_at": WHEN,
            }
        )
    return action, letters, deliveries


def counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Action, Letter, Delivery))


def stored(db, model, row_id):
    table = model.__table__
    return dict(db.session.execute(select(table).where(table.c.id == row_id)).mappings().one())


def test_every_value_is_stored_as_given(app, db):
    campaign = make_campaign()
    action, letters, deliveries = rows(campaign.id)
    insert_submission(action, letters, deliveries)
    db.session.expire_all()
    assert stored(db, Action, action["id"]) == action
    for letter, delivery in zip(letters, deliveries, strict=True):
        assert stored(db, Letter, letter["id"]) == letter
        expected = {c.name: delivery.get(c.name) for c in TABLES[2].columns}
        assert stored(db, Delivery, delivery["id"]) == expected
    assert counts(db) == (1, 2, 2)


def test_a_second_letter_to_the_same_office_writes_nothing(app, db):
    campaign = make_campaign()
    insert_submission(*rows(campaign.id, offices=("S000148",)))
    # The same person again, to one office already written to and one new: the whole submission is refused.
    with pytest.raises(IntegrityError):
        insert_submission(*rows(campaign.id, offices=("G000555", "S000148")))
    db.session.rollback()
    assert counts(db) == (1, 1, 1)


def test_a_value_too_long_for_its_column_is_refused_not_cut(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite does not enforce VARCHAR lengths; the validation in front of it does")
    campaign = make_campaign()
    action, letters, deliveries = rows(campaign.id)
    letters[1]["office_title"] = "x" * 41
    with pytest.raises(DataError):
        insert_submission(action, letters, deliveries)
    db.session.rollback()
    assert counts(db) == (0, 0, 0)


def test_a_column_a_row_lacks_gets_the_models_default_as_with_the_orm(app, db):
    campaign = make_campaign()
    action, letters, deliveries = rows(campaign.id, offices=("S000148",))
    for name in ("prefix", "phone"):
        del action[name]
    for name in ("position", "statement_text", "personal_message", "purpose"):
        del letters[0][name]
    del deliveries[0]["attempts"]
    del deliveries[0]["kind"]
    insert_submission(action, letters, deliveries)
    db.session.expire_all()
    stored_action = stored(db, Action, action["id"])
    assert (stored_action["prefix"], stored_action["phone"]) == ("", "")
    letter = stored(db, Letter, letters[0]["id"])
    assert (letter["position"], letter["statement_text"], letter["personal_message"]) == (0, "", "")
    assert letter["purpose"] == "campaign"
    assert stored(db, Delivery, deliveries[0]["id"])["attempts"] == 0
    assert stored(db, Delivery, deliveries[0]["id"])["kind"] == "letter"  # the outbox's default kind


# --- The PostgreSQL write borrows a pooled connection and hands it back as it was lent -------------------------


def test_a_transaction_after_a_write_is_still_a_transaction(app, db):
    """The write runs in autocommit; the connection goes back to the pool out of it, so a later session on it
    can still roll back (left in autocommit, the update below would be committed at once)."""
    campaign = make_campaign()
    action, letters, deliveries = rows(campaign.id)
    db.session.close()
    db.engine.dispose()  # one connection in the pool from here on: the write's, then the session's
    insert_submission(action, letters, deliveries)
    db.session.execute(update(Action).where(Action.id == action["id"]).values(city="Elsewhere"))
    db.session.rollback()
    assert stored(db, Action, action["id"])["city"] == "Albany"


def postgres_only(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: the one-statement write and its pooled connection")


def test_a_write_whose_connection_the_server_ends_is_an_operational_error_and_stores_nothing(app, db):
    """A backend ended mid-statement (a restart, an administrator) is SQLAlchemy's OperationalError, as the API's
    503 handler expects, the dead connection is not lent again, and the next write stores normally."""
    postgres_only(db)
    campaign = make_campaign()
    first = rows(campaign.id, email_key="a" * 64)
    other = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    errors: list[BaseException] = []

    def write() -> None:
        with app.app_context():
            try:
                insert_submission(*first)
            except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
                errors.append(exc)

    with other.connect() as locker, other.connect() as admin:
        locker.exec_driver_sql("BEGIN")
        locker.exec_driver_sql("LOCK TABLE actions IN EXCLUSIVE MODE")  # the write waits here
        writer = threading.Thread(target=write)
        writer.start()
        pid = None
        while pid is None:
            pid = admin.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND starts_with(query, 'WITH new_action')"
            ).scalar()
        admin.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        writer.join()
        locker.exec_driver_sql("ROLLBACK")
    other.dispose()
    assert len(errors) == 1 and isinstance(errors[0], OperationalError), errors
    assert errors[0].connection_invalidated
    second = rows(campaign.id, email_key="b" * 64)
    insert_submission(*second)
    db.session.expire_all()
    assert counts(db) == (1, 2, 2)
    assert stored(db, Action, second[0]["id"])["email_key"] == "b" * 64


def test_a_database_that_cannot_be_reached_is_an_operational_error():
    app = make_app(
        f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/down",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}},
    )
    with app.app_context(), pytest.raises(OperationalError):
        insert_submission(*rows(1))
