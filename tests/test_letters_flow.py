"""The constituent's flow in HTML, without JavaScript: campaign page → review → send → confirmation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from advocacy.delivery.models import Delivery
from advocacy.letters.models import Action, Letter
from tests.letters_support import GOOD

FORM = {**GOOD, "consent": "y"}


def started(client, slug="sample-campaign") -> str:
    page = client.get(f"/c/{slug}").get_data(as_text=True)
    return re.search(r'name="started" value="([^"]+)"', page).group(1)


def write(client, **fields):
    return client.post("/c/sample-campaign/write", data={**FORM, "started": started(client), **fields})


def send(client, **fields):
    return client.post("/c/sample-campaign/send", data={**FORM, "started": started(client), **fields})


def test_home_lists_live_campaigns(client, live_campaign):
    body = client.get("/").get_data(as_text=True)
    assert "Sample campaign: Free Sample Q. Person" in body and "/c/sample-campaign" in body


def test_campaign_page(client, live_campaign):
    response = client.get("/c/sample-campaign")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Sample Q. Person" in body and "Sample campaign: not a real person" in body
    assert 'name="consent"' in body and "checked" not in body.split('name="consent"')[1].split(">")[0]
    for name in ("first_name", "last_name", "email", "address", "city", "state", "zip", "phone", "message"):
        assert f'name="{name}"' in body
        assert f'for="f-{name}"' in body
    assert "0 letters written by constituents" in body.replace("</span>", "")


def test_draft_campaign_is_hidden(client, db, live_campaign):
    live_campaign.status = "draft"
    db.session.commit()
    assert client.get("/c/sample-campaign").status_code == 404


def test_review_shows_every_letter_and_stores_nothing(client, db, live_campaign):
    response = write(client, message="My own words")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.count('class="letter"') == 3
    assert "Dear Senator" in body and "Dear Representative" in body
    assert body.count("My own words") >= 3
    assert db.session.scalar(select(func.count()).select_from(Action)) == 0
    assert response.headers["Cache-Control"] == "no-store"


def test_send_then_confirmation(client, db, live_campaign):
    review = write(client).get_data(as_text=True)
    keys = re.findall(r'name="message-([^"]+)"', review)
    assert len(keys) == 3
    messages = {f"message-{keys[0]}": "Only for the first office"}
    response = send(client, **messages)
    assert response.status_code == 303
    assert "/c/sample-campaign/thanks/" in response.headers["Location"]
    assert "ana" not in response.headers["Location"].lower()
    letters = {letter.office_key: letter for letter in db.session.scalars(select(Letter))}
    assert len(letters) == 3
    assert "Only for the first office" in letters[keys[0]].body
    assert all("Only for the first office" not in letters[k].body for k in keys[1:])
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("I sent it") == 3
    assert "Call script" in html and "tel:" in html
    assert "twitter.com/intent/tweet" in html
    assert "js/copy.js" in html


def test_confirmation_is_private_to_the_sender(client, app, live_campaign):
    location = send(client).headers["Location"]
    stranger = app.test_client()
    assert stranger.get(location).status_code == 404


def test_i_sent_it(client, db, live_campaign):
    location = send(client).headers["Location"]
    html = client.get(location).get_data(as_text=True)
    action = re.search(r'action="(/c/sample-campaign/thanks/[^"]+/sent/[^"]+)"', html).group(1)
    assert client.post(action).status_code == 303
    statuses = sorted(d.status for d in db.session.scalars(select(Delivery)))
    assert statuses == ["handoff", "handoff", "handoff_sent"]
    assert client.get(location).get_data(as_text=True).count("I sent it") == 2


def test_sending_twice_writes_once(client, db, live_campaign):
    send(client)
    send(client)
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 3


def test_errors_keep_what_was_typed(client, db, live_campaign):
    response = write(client, email="broken", city="Albañy")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in body and "valid email" in body
    assert 'value="Albañy"' in body and 'value="Pérez"' in body


def test_split_zip_asks_for_the_address_and_offers_the_districts(client, db, live_campaign):
    response = write(client, zip="10025", address="Somewhere")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "split between 2 congressional districts" in body
    assert 'value="NY-12"' in body and 'value="NY-13"' in body
    assert 'value="Somewhere"' in body
    chosen = write(client, zip="10025", address="Somewhere", district="NY-13")
    assert chosen.status_code == 200
    assert chosen.get_data(as_text=True).count('class="letter"') == 3
    # a district that is not one of the ZIP's is not accepted
    assert write(client, zip="10025", address="Somewhere", district="NY-20").status_code == 422


def test_honeypot_and_minimum_fill_time(client, app, db, live_campaign):
    assert write(client, website="http://spam").status_code == 400
    app.config["FORM_MIN_FILL_SECONDS"] = 60
    response = write(client)
    assert response.status_code == 400
    assert "quick" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Action)) == 0


def test_closed_campaign_refuses_letters(client, db, live_campaign):
    stamp = started(client)
    live_campaign.status = "closed"
    db.session.commit()
    page = client.get("/c/sample-campaign").get_data(as_text=True)
    assert "no longer taking letters" in page
    assert 'action="/c/sample-campaign/write"' not in page
    assert client.post("/c/sample-campaign/send", data={**FORM, "started": stamp}).status_code == 409


@pytest.mark.parametrize("field", ["first_name", "last_name", "city", "address", "message"])
def test_markup_typed_anywhere_is_escaped_on_every_page(client, db, live_campaign, field):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    values = {field: evil}
    review = write(client, **values).get_data(as_text=True)
    assert "<script>alert" not in review and "<img src=x" not in review
    assert "&lt;script&gt;" in review
    response = send(client, **values)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in thanks and "<img src=x" not in thanks
    # letters are plain text: kept as typed, escaped wherever shown
    action = db.session.scalar(select(Action))
    assert getattr(action, field) == evil
    if field != "address":  # the template does not quote the street address
        assert evil in db.session.scalars(select(Letter)).first().body


@pytest.mark.parametrize("first, last", [("周", "锋锁"), ("Nguyễn", "Văn An"), ("Seán", "O'Brien"), ("Asat", "Asat")])
def test_unicode_names_on_every_page(client, db, live_campaign, first, last):
    review = write(client, first_name=first, last_name=last).get_data(as_text=True)
    escaped_last = last.replace("'", "&#39;")
    assert f"{first} {escaped_last}" in review
    location = send(client, first_name=first, last_name=last).headers["Location"]
    thanks = client.get(location).get_data(as_text=True)
    assert f"Thank you, {first}" in thanks
    assert f"{first} {last}" in db.session.scalars(select(Letter)).first().body
