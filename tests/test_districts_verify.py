"""`flask districts verify`: a district that came from the ZIP (geocoder down) is checked again before the
House letter goes, and the letter re-addressed if the street address is in another district.

The geocoder is the loopback fake (tests/fakes/geocoder.py): refusing connections first (down), then placing
the address where the test says.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from advocacy.congress.offices import roster
from advocacy.delivery.models import Delivery
from advocacy.letters.models import Action, Letter
from advocacy.letters.verify import verify_pending
from tests.letters_support import GOOD

pytestmark = pytest.mark.usefixtures("congress_data")

ACTIONS = "/api/v1/campaigns/sample-campaign/actions"
ALBANY = (42.6526, -73.7562)
# 12207 is single-district (NY-20) in the crosswalk; these tests place the address in NY-21 instead.
PAYLOAD = {**GOOD, "address": "1 Example St"}


@pytest.fixture
def app_config():
    return {"DISTRICT_CHECK_HOLD_SECONDS": 1800}  # as deployed (tests default to no hold)


def accepted_while_down(client, geocoder) -> Action:
    geocoder.refuse_connections()
    response = client.post(ACTIONS, json=PAYLOAD)
    assert response.status_code == 201, response.json
    geocoder.accept_connections()
    from advocacy.extensions import db

    return db.session.scalar(select(Action))


def house_letter(db) -> tuple[Letter, Delivery]:
    return db.session.execute(select(Letter, Delivery).join(Delivery).where(Letter.chamber == "house")).one()


def test_a_house_letter_addressed_by_the_zip_is_readdressed_when_the_address_is_elsewhere(
    app, client, db, live_campaign, fake_geocoder, runner
):
    action = accepted_while_down(client, fake_geocoder)
    before, _ = house_letter(db)
    senators_before = {x.bioguide_id for x in db.session.scalars(select(Letter).where(Letter.chamber == "senate"))}
    assert (before.state, before.district) == ("NY", 20)
    fake_geocoder.place("1 Example St", "NY", 21, ALBANY)

    result = runner.invoke(args=["districts", "verify"])
    assert result.exit_code == 0, result.output
    assert "1 re-addressed to the representative of the street address" in result.output

    db.session.expire_all()
    letter, delivery = house_letter(db)
    new_rep = roster().house[("NY", 21)]
    assert (letter.bioguide_id, letter.state, letter.district) == (new_rep.bioguide_id, "NY", 21)
    assert letter.office_key == new_rep.bioguide_id and letter.office_name == new_rep.name
    assert letter.body.startswith(new_rep.salutation) and "Ana Pérez" in letter.body
    assert "NY-21, not NY-20" in delivery.last_error
    senators_after = {x.bioguide_id for x in db.session.scalars(select(Letter).where(Letter.chamber == "senate"))}
    assert senators_after == senators_before
    action = db.session.get(Action, action.id)
    assert (action.district, action.lookup_source) == (21, "census-geocoder")

    again = runner.invoke(args=["districts", "verify"])
    assert "Checked 0 submissions" in again.output


def test_a_confirmed_district_releases_the_held_letter(app, client, db, live_campaign, fake_geocoder):
    action = accepted_while_down(client, fake_geocoder)
    _, delivery = house_letter(db)
    assert delivery.next_attempt_at.replace(tzinfo=None) > action.created_at.replace(tzinfo=None)
    fake_geocoder.place("1 Example St", "NY", 20, ALBANY)
    now = datetime.now(UTC) + timedelta(minutes=1)
    assert verify_pending(now) == {"confirmed": 1}
    db.session.expire_all()
    letter, delivery = house_letter(db)
    assert letter.district == 20 and delivery.next_attempt_at.replace(tzinfo=None) <= now.replace(tzinfo=None)
    assert db.session.get(Action, action.id).lookup_source == "census-geocoder"


def test_while_the_geocoder_stays_down_nothing_changes(app, client, db, live_campaign, fake_geocoder):
    accepted_while_down(client, fake_geocoder)
    _, held = house_letter(db)
    held_until = held.next_attempt_at
    fake_geocoder.refuse_connections()
    assert verify_pending() == {"unavailable": 1}
    db.session.expire_all()
    letter, delivery = house_letter(db)
    assert letter.district == 20 and delivery.next_attempt_at == held_until


def test_a_letter_the_writer_already_sent_is_never_readdressed(app, client, db, live_campaign, fake_geocoder):
    accepted_while_down(client, fake_geocoder)
    _, delivery = house_letter(db)
    delivery.status = "handoff_sent"
    db.session.commit()
    fake_geocoder.place("1 Example St", "NY", 21, ALBANY)
    assert verify_pending() == {}
    db.session.expire_all()
    assert house_letter(db)[0].district == 20
