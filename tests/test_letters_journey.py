"""The constituent's journey through the HTML pages, checked by what was stored: every choice kept (consent,
the district picked in a split ZIP, the anti-bot timer's start) and every status told honestly."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from sqlalchemy import select

from advocacy.letters.models import Action, Letter
from tests.letters_support import GOOD

FORM = {**GOOD, "consent": "y"}


class Clock:
    """An injected clock (the CLOCK setting): tests move time instead of sleeping."""

    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app):
    clock = Clock()
    app.config["CLOCK"] = clock
    app.config["FORM_MIN_FILL_SECONDS"] = 3
    return clock


def form_fields(page: str, action_part: str) -> dict:
    """The fields a browser would send from the form whose action contains `action_part`."""
    form = re.search(r'<form method="post" action="[^"]*' + re.escape(action_part) + r".*?</form>", page, re.S)
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.group(0)):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name is None or ('type="radio"' in tag and "checked" not in tag):
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        fields[name.group(1)] = htmllib.unescape(value.group(1)) if value else ""
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form.group(0), re.S):
        chosen = re.search(r'<option value="([^"]*)"\s*selected', options)
        fields[name] = chosen.group(1) if chosen else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form.group(0), re.S):
        fields[name] = htmllib.unescape(text)
    return fields


def stamp_of(page: str) -> str:
    return re.search(r'name="started" value="([^"]+)"', page).group(1)


def test_a_ticked_keep_me_informed_box_is_stored_through_the_review_page(client, db, live_campaign, clock):
    stamp = stamp_of(client.get("/c/sample-campaign").get_data(as_text=True))
    clock.now += 30
    review = client.post("/c/sample-campaign/write", data={**FORM, "started": stamp}).get_data(as_text=True)
    clock.now += 30
    response = client.post("/c/sample-campaign/send", data=form_fields(review, "/send"))
    assert response.status_code == 303
    assert db.session.scalar(select(Action)).consent is True


def test_an_unticked_box_is_stored_as_no_consent(client, db, live_campaign, clock):
    stamp = stamp_of(client.get("/c/sample-campaign").get_data(as_text=True))
    clock.now += 30
    unticked = {k: v for k, v in FORM.items() if k != "consent"}
    review = client.post("/c/sample-campaign/write", data={**unticked, "started": stamp}).get_data(as_text=True)
    assert client.post("/c/sample-campaign/send", data=form_fields(review, "/send")).status_code == 303
    assert db.session.scalar(select(Action)).consent is False


def test_fixing_a_field_quickly_does_not_restart_the_anti_bot_timer(client, db, live_campaign, clock):
    stamp = stamp_of(client.get("/c/sample-campaign").get_data(as_text=True))
    clock.now += 40  # a person filling the form
    bad = client.post("/c/sample-campaign/write", data={**FORM, "email": "broken", "started": stamp})
    assert bad.status_code == 400
    fields = form_fields(bad.get_data(as_text=True), "/write")
    clock.now += 1  # fixes the email at once
    fields["email"] = "ana@example.org"
    fixed = client.post("/c/sample-campaign/write", data=fields)
    assert fixed.status_code == 200, "That was quick!" in fixed.get_data(as_text=True)
    assert fixed.get_data(as_text=True).count('class="letter"') == 3


def test_the_district_picked_in_a_split_zip_survives_a_validation_error(client, db, live_campaign, clock):
    stamp = stamp_of(client.get("/c/sample-campaign").get_data(as_text=True))
    clock.now += 30
    split = client.post("/c/sample-campaign/write", data={**FORM, "zip": "10025", "started": stamp})
    assert split.status_code == 422
    fields = form_fields(split.get_data(as_text=True), "/write")
    fields.update(district="NY-13", email="broken")
    clock.now += 20
    bad = client.post("/c/sample-campaign/write", data=fields)
    assert bad.status_code == 400
    fields = form_fields(bad.get_data(as_text=True), "/write")
    assert fields["district"] == "NY-13"
    fields["email"] = "ana@example.org"
    review = client.post("/c/sample-campaign/write", data=fields).get_data(as_text=True)
    assert client.post("/c/sample-campaign/send", data=form_fields(review, "/send")).status_code == 303
    houses = [letter for letter in db.session.scalars(select(Letter)) if letter.chamber == "house"]
    assert [(letter.state, letter.district) for letter in houses] == [("NY", 13)]


def test_a_geocoder_outage_is_told_as_ours_not_as_a_bad_address(client, db, live_campaign, clock, fake_geocoder):
    fake_geocoder.refuse_connections()  # the Census geocoder cannot be reached, as in an outage
    stamp = stamp_of(client.get("/c/sample-campaign").get_data(as_text=True))
    clock.now += 30
    page = client.post("/c/sample-campaign/write", data={**FORM, "zip": "10025", "started": stamp})
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "not answering right now" in text
    assert "could not place that street address" not in text and "Check the house number" not in text
    assert 'value="NY-12"' in text and 'value="NY-13"' in text
    assert db.session.scalar(select(Action)) is None


def test_the_lookup_page_is_linked_from_home_and_its_results_lead_to_writing(client, live_campaign):
    assert 'href="/lookup"' in client.get("/").get_data(as_text=True)
    result = client.get("/lookup?zip=12207").get_data(as_text=True)
    assert "Choose a campaign and write to them" in result and 'href="/"' in result


def test_the_lookup_page_tells_a_geocoder_outage_apart_from_a_bad_address(client, live_campaign, fake_geocoder):
    fake_geocoder.fail("1 Main St", status=503).no_match("2 Main St")
    html = client.post("/lookup", data={"zip": "10025", "address": "1 Main St"}).get_data(as_text=True)
    assert "not answering right now" in html
    assert "Check the number and street name" not in html
    unknown = client.post("/lookup", data={"zip": "10025", "address": "2 Main St"}).get_data(as_text=True)
    assert "not answering right now" not in unknown and "could not place that street address" in unknown
    assert fake_geocoder.addresses() == ["1 Main St, 10025", "1 Main St, 10025", "2 Main St, 10025"]  # 503 retried


def send_through_the_pages(client, clock, **fields) -> str:
    """Campaign page → review → send, as a browser would; returns the confirmation page's path."""
    stamp = stamp_of(client.get("/c/sample-campaign").get_data(as_text=True))
    clock.now += 30
    review = client.post("/c/sample-campaign/write", data={**FORM, "started": stamp, **fields})
    assert review.status_code == 200, review.get_data(as_text=True)
    sent = client.post("/c/sample-campaign/send", data=form_fields(review.get_data(as_text=True), "/send"))
    assert sent.status_code == 303
    return sent.headers["Location"]


def test_the_thanks_page_says_the_letters_need_a_step_when_every_office_is_a_form(client, db, live_campaign, clock):
    html = client.get(send_through_the_pages(client, clock)).get_data(as_text=True)
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert "one more step" in h1 and "on their way" not in html
    assert "3 letters need your step on the office&#39;s form" in html
    assert html.count("Needs your step</span>") == 3
    assert html.count('id="next-heading"') == 1  # one suggested next step


FORM_LINK, SITE_LINK = "Open the office's form", "Open the office's website"


def test_open_the_form_only_links_a_known_form_and_otherwise_says_website(client, db, live_campaign, clock):
    from advocacy.congress.offices import office_for

    html = client.get(send_through_the_pages(client, clock)).get_data(as_text=True)
    for letter in db.session.scalars(select(Letter)):
        office = office_for(letter.bioguide_id)
        if office.contact_form:
            assert f'href="{office.contact_form}" rel="noopener noreferrer" target="_blank">{FORM_LINK}' in html
        else:
            assert f'href="{office.contact_url}" rel="noopener noreferrer" target="_blank">{SITE_LINK}' in html
    # Albany, NY: Schumer and Gillibrand have forms; Representative Tonko's is not known
    assert html.count(FORM_LINK) == 2 and html.count(SITE_LINK) == 1


def test_the_call_script_states_the_ask_once_and_reads_as_sentences(client, db, live_campaign, clock):
    html = client.get(send_through_the_pages(client, clock)).get_data(as_text=True)
    script = " ".join(re.search(r'<p class="script">(.*?)</p>', html, re.S).group(1).split())
    assert script.count("Publicly support") == 1 and "publicly support" not in script
    assert "I live in Albany, New York." in script
    assert script.endswith("Thank you for your time.")


def test_i_called_and_i_sent_it_are_recorded_on_the_letter_and_delivery(client, db, live_campaign, clock):
    from advocacy.delivery.models import Delivery

    location = send_through_the_pages(client, clock)
    html = client.get(location).get_data(as_text=True)
    called = re.findall(r'action="(/c/sample-campaign/thanks/[^"]+/called/[^"]+)"', html)
    sent = re.findall(r'action="(/c/sample-campaign/thanks/[^"]+/sent/[^"]+)"', html)
    assert len(called) == 3 and len(sent) == 3
    assert client.post(called[0]).status_code == 303
    assert client.post(called[0]).status_code == 303  # pressed twice: still one call
    assert client.post(sent[1]).status_code == 303
    assert sum(1 for letter in db.session.scalars(select(Letter)) if letter.called_at) == 1
    assert sorted(d.status for d in db.session.scalars(select(Delivery))) == ["handoff", "handoff", "handoff_sent"]
    after = client.get(location).get_data(as_text=True)
    assert "You called this office." in after and "Marked as sent: your letter to" in after
    assert after.count("Delivered</span>") == 1 and after.count("Needs your step</span>") == 2
    # a stranger cannot record a call on someone else's letter
    assert client.application.test_client().post(called[1]).status_code == 404


def test_favicon_is_served_from_our_own_origin(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/x-icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_the_state_error_asks_for_a_choice_not_two_letters(client, db, live_campaign, clock):
    stamp = stamp_of(client.get("/c/sample-campaign").get_data(as_text=True))
    clock.now += 30
    html = client.post("/c/sample-campaign/write", data={**FORM, "state": "", "started": stamp}).get_data(as_text=True)
    assert "Choose the state or territory where you live." in html and "two letters" not in html


@pytest.mark.parametrize("path", ["/", "/c/sample-campaign", "/lookup?zip=10025"])
def test_public_pages_name_no_plain_div_and_autocomplete_a_single_address_line(client, live_campaign, path):
    html = client.get(path).get_data(as_text=True)
    assert not re.search(r"<div(?![^>]*\brole=)[^>]*\baria-label=", html)
    assert 'autocomplete="street-address"' not in html


def test_the_openapi_document_describes_the_422_candidates_and_the_429_retry_after(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    error = spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"]
    assert error["candidates"]["items"] == {"$ref": "#/components/schemas/District"}
    assert error["house_candidates"]["items"] == {"$ref": "#/components/schemas/Office"}
    actions = spec["paths"]["/campaigns/{slug}/actions"]["post"]["responses"]
    assert actions["429"]["headers"]["Retry-After"]["schema"]["type"] == "integer"
    assert spec["paths"]["/representatives"]["get"]["responses"]["429"]["headers"]["Retry-After"]["required"] is True


def test_edit_my_details_goes_back_to_the_form_with_everything_typed(client, db, live_campaign, clock):
    stamp = stamp_of(client.get("/c/sample-campaign").get_data(as_text=True))
    clock.now += 30
    typed = {**FORM, "city": "Albañy", "message": "Because he is my neighbour.", "started": stamp}
    review = client.post("/c/sample-campaign/write", data=typed).get_data(as_text=True)
    back = client.post("/c/sample-campaign/edit", data=form_fields(review, "/edit"))
    assert back.status_code == 200
    fields = form_fields(back.get_data(as_text=True), "/write")
    for name in ("first_name", "last_name", "email", "address", "city", "state", "zip", "message"):
        assert fields[name] == typed[name], name
    assert fields["consent"] == "y" and fields["started"] == stamp
    assert db.session.scalar(select(Action)) is None


def test_a_form_error_gives_an_error_title_and_a_summary_linking_each_field(client, db, live_campaign, clock):
    stamp = stamp_of(client.get("/c/sample-campaign").get_data(as_text=True))
    clock.now += 30
    html = client.post("/c/sample-campaign/write", data={**FORM, "email": "x", "zip": "", "started": stamp}).get_data(
        as_text=True
    )
    assert re.search(r"<title>Error: ", html)
    summary = re.search(
        r'<section class="flash flash-error error-summary" id="form-errors"[^>]*>(.*?)</section>', html, re.S
    )
    assert "autofocus" in summary.group(0) and 'role="alert"' not in summary.group(0)
    assert 'href="#f-email"' in summary.group(1) and 'href="#f-zip"' in summary.group(1)
    assert "There are 2 problems" in summary.group(1)


def test_the_split_zip_state_says_what_to_do_in_its_title_and_summary(client, db, live_campaign, clock):
    stamp = stamp_of(client.get("/c/sample-campaign").get_data(as_text=True))
    clock.now += 30
    html = client.post("/c/sample-campaign/write", data={**FORM, "zip": "10025", "started": stamp}).get_data(
        as_text=True
    )
    assert "<title>Error: choose your district · " in html
    assert 'href="#f-district"' in html and "Choose your district below" in html
    assert "we need your street address" not in html


def test_lookup_errors_follow_the_same_pattern(client, live_campaign):
    html = client.post("/lookup", data={"zip": "1"}).get_data(as_text=True)
    assert "<title>Error: Find your members of Congress" in html
    assert 'id="form-errors"' in html and 'href="#zip"' in html
