"""One submission pipeline: the letters reviewed are the letters sent, and the typed rows a submission answers
with are exactly what its one-statement write stored (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest
from sqlalchemy import select

from advocacy.delivery.models import Delivery
from advocacy.letters.models import Action, Letter
from advocacy.letters.services import submit_action
from advocacy.letters.store import TABLES, ActionRow, DeliveryRow, LetterRow, as_dict
from advocacy.letters.validation import validate_constituent
from tests.letters_support import GOOD

ROW_TYPES = dict(zip((ActionRow, LetterRow, DeliveryRow), TABLES, strict=True))


def stored(db, table, row_id) -> dict:
    return dict(db.session.execute(select(table).where(table.c.id == row_id)).mappings().one())


def test_the_rows_a_submission_answers_with_are_the_rows_it_stored(app, db, live_campaign):
    constituent = validate_constituent({**GOOD, "message": "Please act.\nNow."})
    with app.test_request_context():
        submission = submit_action(live_campaign, constituent, messages={})
    assert submission.created and len(submission.letters) == 3
    assert isinstance(submission.action, ActionRow)
    assert all(isinstance(letter, LetterRow) for letter in submission.letters)
    db.session.expire_all()
    actions, letters, deliveries = TABLES
    assert stored(db, actions, submission.action.id) == as_dict(submission.action)
    for letter in submission.letters:
        assert stored(db, letters, letter.id) == as_dict(letter)
        delivery = submission.deliveries[letter.id]
        assert isinstance(delivery, DeliveryRow)
        assert stored(db, deliveries, delivery.id) == as_dict(delivery)


def test_a_repeat_answers_with_the_stored_letters(app, db, live_campaign):
    constituent = validate_constituent(GOOD)
    with app.test_request_context():
        first = submit_action(live_campaign, constituent)
        again = submit_action(live_campaign, constituent)
    assert not again.created
    assert [letter.id for letter in again.letters] == [letter.id for letter in first.letters]
    assert all(isinstance(letter, Letter) for letter in again.letters)
    assert {d.id for d in again.deliveries.values()} == {d.id for d in first.deliveries.values()}


@pytest.mark.parametrize("record", list(ROW_TYPES), ids=lambda record: record.__name__)
def test_each_row_type_has_its_tables_columns_and_their_defaults(app, record):
    table = ROW_TYPES[record]
    fields = {field.name: field for field in dataclasses.fields(record)}
    assert list(fields) == [column.key for column in table.columns]
    for column in table.columns:
        field = fields[column.key]
        if column.default is not None and column.default.is_scalar:
            assert field.default == column.default.arg, column.key
        elif column.default is not None:
            assert field.default_factory is not dataclasses.MISSING, column.key
        elif column.nullable:
            assert field.default is None, column.key
        else:
            assert field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING, column.key


def test_a_row_refuses_a_name_that_is_no_column_and_needs_every_required_one(app):
    with pytest.raises(TypeError):
        DeliveryRow(channel="email", status="pending", colour="green")
    with pytest.raises(TypeError):
        DeliveryRow(channel="email")  # status is NOT NULL without a default
    row = DeliveryRow(channel="email", status="pending")
    assert (row.kind, row.attempts, row.letter_id) == ("letter", 0, None)
    assert row.id and row.created_at is not None


def _letters_on(page: str) -> list[tuple[str, str]]:
    subjects = re.findall(r"<strong>Subject:</strong> (.*?)</p>", page)
    bodies = re.findall(r'<div class="letter" id="letter-\d+">(.*?)</div>', page, re.S)
    return [(html.unescape(s), html.unescape(b)) for s, b in zip(subjects, bodies, strict=True)]


def test_the_letters_reviewed_are_the_letters_sent(client, db, live_campaign):
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    stamp = re.search(r'name="started" value="([^"]+)"', page).group(1)
    form = {**GOOD, "consent": "y", "message": "My own <words> & more", "started": stamp}
    review = client.post("/c/sample-campaign/write", data=form)
    assert review.status_code == 200
    reviewed = _letters_on(review.get_data(as_text=True))
    assert len(reviewed) == 3
    keys = re.findall(r'name="message-([^"]+)"', review.get_data(as_text=True))
    sent = client.post("/c/sample-campaign/send", data={**form, **{f"message-{key}": form["message"] for key in keys}})
    assert sent.status_code == 303
    letters = db.session.scalars(select(Letter).order_by(Letter.position)).all()
    assert [(letter.subject, letter.body) for letter in letters] == reviewed
    assert all("My own <words> & more" in letter.body for letter in letters)
    assert db.session.scalar(select(Action.id)) is not None
    assert len(db.session.scalars(select(Delivery)).all()) >= 3
