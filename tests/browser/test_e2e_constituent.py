"""A constituent writes to Congress in a real browser: split ZIP, street address or district choice, the letters,
send, the confirmation, the copy button and "I sent it"; once with the mouse, once by keyboard alone.

The live app geocodes through the loopback fake of the Census geocoder (tests/fakes/geocoder.py): 200 W 95th St is
in NY-12, any other street is unknown, so 10025 (NY-12 and NY-13) then needs the writer to choose a district.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import NY12_STREET, SPLIT_ZIP, tab_to, type_into

pytestmark = pytest.mark.browser

SENATORS = ("Schumer", "Gillibrand")


def fill_campaign_form(page, *, first: str, email: str, street: str) -> None:
    page.get_by_label("First name", exact=True).fill(first)
    page.get_by_label("Last name", exact=True).fill("Okonkwo-Lin")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Street address", exact=True).fill(street)
    page.get_by_label("City", exact=True).fill("New York")
    page.get_by_label("State or territory", exact=True).select_option("NY")
    page.get_by_label("ZIP code", exact=True).fill(SPLIT_ZIP)
    page.get_by_label("Your own words").fill("I live on the Upper West Side and I care about this.")


def recipients(page) -> list[str]:
    return page.locator("section.card h2").all_inner_texts()


def delivery_of(app, first_name: str, source: str):
    """(office, channel, status) of each letter of the one action by this writer, after checking where its
    district came from."""
    from advocacy.delivery.models import Delivery
    from advocacy.extensions import db
    from advocacy.letters.models import Action, Letter

    with app.app_context():
        action = db.session.scalars(select(Action).where(Action.first_name == first_name)).one()
        assert (action.lookup_source, action.district_state, action.district) == (source, "NY", 12)
        rows = db.session.execute(
            select(Letter.office_name, Delivery.channel, Delivery.status)
            .join(Delivery, Delivery.letter_id == Letter.id)
            .where(Letter.campaign_id == action.campaign_id, Letter.email_key == action.email_key)
        ).all()
        db.session.remove()
    return sorted(rows)


def test_split_zip_and_street_address_to_letters_sent_with_the_mouse(live_site, page):
    base = live_site.base_url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.goto(base + "/c/sample-campaign")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sample campaign: Free Sample Q. Person")

    fill_campaign_form(page, first="Mouseana", email="mouseana@example.org", street=NY12_STREET)
    page.get_by_role("button", name="Review my letters").click()

    # The geocoder placed the street in NY-12: two senators and Nadler, each letter rendered with the writer.
    expect(page.get_by_role("heading", name="Review your letters")).to_be_visible()
    to = recipients(page)
    assert len(to) == 3 and [n for n in SENATORS if any(n in t for t in to)] == list(SENATORS), to
    assert "Nadler" in to[2] and "Espaillat" not in " ".join(to)
    first_letter = page.locator(".letter").first
    expect(first_letter).to_contain_text("Dear Senator Schumer")
    expect(first_letter).to_contain_text("Mouseana Okonkwo-Lin\nNew York, NY 10025")
    expect(first_letter).to_contain_text("I live on the Upper West Side")  # their own words, in every letter
    expect(page.locator("section.card").nth(2)).to_contain_text("NY-12")
    page.get_by_label(re.compile("Your own words for Representative")).fill("Please speak up, Mr. Nadler.")
    page.get_by_role("button", name="Send 3 letters").click()

    # The confirmation: office by office, each to finish on the office's own form.
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Mouseana: one more step")
    assert re.search(r"/c/sample-campaign/thanks/[0-9a-f-]{36}$", page.url)
    cards = page.locator("section.card")
    expect(cards).to_have_count(3)
    nadler = cards.filter(has_text="Nadler")
    expect(nadler).to_contain_text("Needs your step")
    # No contact form is known for Nadler: the link says it is the website, not a form.
    expect(nadler.get_by_role("link", name=re.compile("Open the office's website"))).to_have_attribute(
        "href", re.compile(r"^https://")
    )
    expect(nadler.get_by_text("Washington office")).to_be_visible()

    # The copy button (shown by JavaScript) copies the letter with the writer's own words.
    copy = nadler.get_by_role("button", name="Copy letter")
    copy.click()
    expect(nadler.get_by_role("button", name="Copied")).to_be_visible()
    expect(nadler.get_by_role("status")).to_have_text("Copied. Paste it into the office's form.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == nadler.get_by_role("textbox").input_value()
    assert "Please speak up, Mr. Nadler." in copied and "Sample Q. Person" in copied

    nadler.get_by_role("button", name="I sent it").click()
    expect(cards.filter(has_text="Nadler")).to_contain_text(
        "You sent this letter through the office's own contact form"
    )
    expect(cards.filter(has_text="Nadler").get_by_role("button", name="I sent it")).to_have_count(0)
    statuses = {
        name.split()[-1]: (channel, status)
        for name, channel, status in delivery_of(live_site, "Mouseana", "census-geocoder")
    }
    assert statuses["Nadler"] == ("contact_form", "handoff_sent")
    assert {statuses[n] for n in SENATORS} == {("contact_form", "handoff")}


# --- keyboard alone: Tab, Shift+Tab, Enter and Space; never a click ---


def test_the_whole_letter_flow_works_by_keyboard_alone(live_site, page):
    base = live_site.base_url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.goto(base + "/c/sample-campaign")

    # The skip link is the first stop and moves the focus to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")

    type_into(page, page.get_by_label("First name", exact=True), "Keyana")
    type_into(page, page.get_by_label("Last name", exact=True), "Board")
    type_into(page, page.get_by_label("Email", exact=True), "keyana@example.org")
    # A street the geocoder cannot place.
    type_into(page, page.get_by_label("Street address", exact=True), "12 Unknown Street")
    type_into(page, page.get_by_label("City", exact=True), "New York")
    type_into(page, page.get_by_label("State or territory", exact=True), "New York")  # type-ahead in the closed select
    expect(page.get_by_label("State or territory", exact=True)).to_have_value("NY")
    type_into(page, page.get_by_label("ZIP code", exact=True), SPLIT_ZIP)
    tab_to(page, page.get_by_label("Keep me informed"))
    page.keyboard.press("Space")
    expect(page.get_by_label("Keep me informed")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Review my letters"))
    page.keyboard.press("Enter")

    # A split ZIP whose street the geocoder cannot place: the writer chooses the district.
    chooser = page.get_by_role("group", name=re.compile("split between 2 congressional districts"))
    expect(chooser).to_be_visible()
    expect(page.locator("#form-errors")).to_be_focused()  # the summary takes the focus
    expect(page.get_by_label("First name", exact=True)).to_have_value("Keyana")  # nothing typed is lost
    first_choice = chooser.get_by_role("radio").first
    expect(first_choice).to_have_accessible_name(re.compile(r"NY-12.*Nadler"))
    tab_to(page, first_choice)
    page.keyboard.press("Space")
    expect(first_choice).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Review my letters"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Review your letters")).to_be_visible()
    assert "Nadler" in recipients(page)[-1]
    type_into(page, page.get_by_label(re.compile("Your own words for Senator Schumer")), " Typed by keyboard.")
    tab_to(page, page.get_by_role("button", name="Send 3 letters"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Keyana: one more step")
    schumer = page.locator("section.card").filter(has_text="Schumer")
    copy = schumer.get_by_role("button", name="Copy letter")
    tab_to(page, copy)
    page.keyboard.press("Space")
    expect(schumer.get_by_role("button", name="Copied")).to_be_visible()
    assert "Typed by keyboard." in page.evaluate("navigator.clipboard.readText()")

    # The call script opens with Enter on its summary.
    summary = schumer.get_by_text("Call script")
    tab_to(page, summary)
    page.keyboard.press("Enter")
    expect(schumer.get_by_text(re.compile("I ask Senator Schumer to do this"))).to_be_visible()

    tab_to(page, schumer.get_by_role("button", name="I sent it"))
    page.keyboard.press("Enter")
    expect(page.locator("section.card").filter(has_text="Schumer")).to_contain_text("You sent this letter")
    statuses = {
        name.split()[-1]: status for name, _channel, status in delivery_of(live_site, "Keyana", "constituent-choice")
    }
    assert statuses["Schumer"] == "handoff_sent" and statuses["Nadler"] == "handoff"
