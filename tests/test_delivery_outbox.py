"""The outbox: which channel each letter gets, and that it lives and dies with the submission."""

from __future__ import annotations

import pytest

from advocacy.delivery.cwc_client import CwcClient, known_offices
from advocacy.delivery.models import Delivery, Status
from advocacy.delivery.services import mark_handoff_sent
from tests.delivery_support import run_batch
from tests.fakes.submissions import CUSTOM, HOUSE, SENATE, delivery_config, make_campaign, submit


@pytest.fixture
def app_config(fake_cwc):
    return delivery_config(cwc=fake_cwc)


def test_house_and_senate_letters_go_by_cwc_with_data_driven_office_codes(app, db, congress_data):
    # Real members: Gillibrand holds a class 1 seat, Schumer a class 3 one.
    campaign = make_campaign()
    schumer = dict(SENATE, office_key="S000148", bioguide_id="S000148", office_name="Charles E. Schumer")
    at_large = dict(HOUSE, office_key="B001325", bioguide_id="B001325", state="AK", district=0)
    deliveries = submit(campaign, [HOUSE, SENATE, schumer, at_large])
    assert [d.channel for d in deliveries] == ["cwc"] * 4
    assert [d.status for d in deliveries] == ["pending"] * 4
    assert [d.cwc_office for d in deliveries] == ["HNY13", "SNY00", "SNY02", "HAK00"]
    assert all(d.next_attempt_at is not None and d.attempts == 0 for d in deliveries)


def test_an_organizer_override_wins(app, db):
    app.config["CWC_OFFICE_CODES"] = {"E000297": "HNY99"}
    (delivery,) = submit(make_campaign())
    assert delivery.cwc_office == "HNY99"


def test_a_senator_without_a_known_class_is_not_sent_by_cwc(app, db):
    unknown = dict(SENATE, office_key="Z999999", bioguide_id="Z999999")  # no members row: the class is unknown
    (delivery,) = submit(make_campaign(), [unknown])
    assert delivery.channel == "contact_form"
    assert delivery.status == "handoff"
    assert delivery.cwc_office is None


def test_custom_targets_with_an_email_go_by_email(app, db):
    (delivery,) = submit(make_campaign(), [CUSTOM], target_email="director@ice.example.gov")
    assert delivery.channel == "email"
    assert delivery.status == "pending"
    assert delivery.recipient_email == "director@ice.example.gov"


def test_an_office_missing_from_a_known_offices_list_is_not_sent_by_cwc(app, db, fake_cwc):
    fake_cwc.offices = {"HNY12"}
    settings = app.config["ADVOCACY_SETTINGS"]
    known_offices(CwcClient(settings.cwc_url, settings.cwc_api_key), 3600)  # as a worker would have
    (delivery,) = submit(make_campaign(), [HOUSE], target_email="ny13@mail.house.example.gov")
    assert delivery.channel == "email"
    assert delivery.cwc_office is None


def test_each_letter_knows_its_delivery(app, db):
    deliveries = submit(make_campaign(), [HOUSE, CUSTOM], target_email="director@ice.example.gov")
    assert [d.letter.delivery.id for d in deliveries] == [d.id for d in deliveries]


class TestWithoutCwc:
    @pytest.fixture
    def app_config(self):
        return delivery_config()

    def test_member_offices_are_handed_off_to_their_contact_form(self, app, db):
        (delivery,) = submit(make_campaign(), [HOUSE])
        assert (delivery.channel, delivery.status, delivery.recipient_email) == ("contact_form", "handoff", None)

    def test_i_sent_it_records_the_handoff_once(self, app, db):
        (delivery,) = submit(make_campaign(), [HOUSE])
        marked = mark_handoff_sent(delivery.id)
        assert marked.status == Status.HANDOFF_SENT.value
        first_sent_at = marked.sent_at
        assert first_sent_at is not None
        again = mark_handoff_sent(delivery.id)
        assert again.status == "handoff_sent" and again.sent_at == first_sent_at
        assert mark_handoff_sent("no-such-delivery") is None

    def test_i_sent_it_does_not_touch_other_channels(self, app, db):
        (delivery,) = submit(make_campaign(), [CUSTOM], target_email="director@ice.example.gov")
        assert mark_handoff_sent(delivery.id).status == "pending"


class TestOneOutboxForEverything:
    """Any email that leaves is an outbox row of some kind: one claim, one retry policy, one dead state."""

    @pytest.fixture
    def app_config(self, fake_cwc, smtp_server):
        return delivery_config(cwc=fake_cwc, smtp=smtp_server)

    def test_a_new_kind_of_email_is_a_renderer_and_a_row(self, app, db, smtp_server):
        from advocacy.delivery import kinds
        from tests.fakes.submissions import make_action

        @kinds.renderer("test-update")
        def render(delivery):
            return kinds.Email(
                to=delivery.action.email, subject="An update", text=f"Hello {delivery.action.first_name}"
            )

        action = make_action(make_campaign())
        db.session.commit()
        kinds.enqueue("test-update", action_id=action.id, dedupe_key=f"test-update:{action.id}")
        db.session.commit()
        assert "test-update" in kinds.kinds()
        assert [r.outcome for r in run_batch("w")] == ["sent"]
        (message,) = smtp_server.messages
        assert (message["To"], message["Subject"]) == (action.email, "An update")

    def test_the_dedupe_key_allows_one_row_per_key(self, app, db):
        from sqlalchemy.exc import IntegrityError

        from advocacy.delivery import kinds
        from tests.fakes.submissions import make_action

        action = make_action(make_campaign())
        db.session.commit()
        kinds.enqueue("receipt", action_id=action.id, dedupe_key=f"receipt:{action.id}")
        db.session.commit()
        kinds.enqueue("receipt", action_id=action.id, dedupe_key=f"receipt:{action.id}")
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()

    def test_a_kind_without_a_renderer_is_dead_with_the_reason(self, app, db):
        from advocacy.delivery import kinds
        from tests.fakes.submissions import make_action

        action = make_action(make_campaign())
        db.session.commit()
        row = kinds.enqueue("nobody-renders-this", action_id=action.id)
        db.session.commit()
        assert [r.outcome for r in run_batch("w")] == ["dead"]
        db.session.expire_all()
        assert "no renderer" in db.session.get(Delivery, row.id).last_error
