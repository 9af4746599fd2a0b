"""The constituent's journeys in a real browser, each checked by what was stored and sent: the action (consent,
district, where the district came from), its letters and their offices, the deliveries, and the receipt in a
local SMTP sink.

This module runs its own live app: mail goes to a local SMTP server, the geocoder is the loopback fake
(tests/fakes/geocoder.py) that can be switched off (it then refuses connections, like a service that is down),
and the anti-bot timer reads an injected clock that each journey moves forward (no sleeps).
"""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from advocacy.extensions import db
from tests.browser.conftest import NY12_POINT, NY12_STREET, SPLIT_ZIP, load_reference_data
from tests.conftest import make_app
from tests.fakes.geocoder import FakeGeocoder
from tests.fakes.smtp import FakeSmtp

pytestmark = pytest.mark.browser


class Clock:
    now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    geocoder = FakeGeocoder().start()
    geocoder.place(NY12_STREET, "NY", 12, NY12_POINT)
    smtp = FakeSmtp().start()
    clock = Clock()
    path = tmp_path_factory.mktemp("journeys") / "journeys.db"
    environ = {**geocoder.environ(), **smtp.environ()}
    app = make_app(
        f"sqlite:///{path}",
        WTF_CSRF_ENABLED=True,
        FORM_MIN_FILL_SECONDS=3,
        CLOCK=clock,
        DELIVERY_INLINE=True,
        ENVIRON=environ,
    )
    with app.app_context():
        db.create_all()
        load_reference_data()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    app.geocoder_fake, app.smtp, app.clock = geocoder, smtp, clock
    yield app
    server.shutdown()
    smtp.stop()
    geocoder.stop()


def fill(page, *, first: str, street: str, zip_code: str, city: str = "New York", email: str | None = None):
    page.get_by_label("First name", exact=True).fill(first)
    page.get_by_label("Last name", exact=True).fill("Journey")
    page.get_by_label("Email", exact=True).fill(email or f"{first.lower()}@example.org")
    page.get_by_label("Street address", exact=True).fill(street)
    page.get_by_label("City", exact=True).fill(city)
    page.get_by_label("State or territory", exact=True).select_option("NY")
    page.get_by_label("ZIP code", exact=True).fill(zip_code)
    page.get_by_label("Keep me informed").check()


def submit(site, page, name: str) -> None:
    site.clock.now += 30  # a person takes a while to fill the form
    page.get_by_role("button", name=name).click()


def stored(site, first: str) -> dict:
    """What the database holds for this writer: the action and each letter with its delivery."""
    from advocacy.delivery.models import Delivery
    from advocacy.letters.models import Action, Letter

    with site.app_context():
        actions = db.session.scalars(select(Action).where(Action.first_name == first)).all()
        letters = db.session.execute(
            select(Letter.office_name, Letter.chamber, Letter.state, Letter.district, Delivery.channel, Delivery.status)
            .join(Delivery, Delivery.letter_id == Letter.id)
            .where(Letter.action_id.in_([a.id for a in actions]))
            .order_by(Letter.position)
        ).all()
        found = {
            "actions": len(actions),
            "consent": [a.consent for a in actions],
            "district": [(a.lookup_source, a.district_state, a.district) for a in actions],
            "letters": [tuple(row) for row in letters],
        }
        db.session.remove()
    return found


def receipts_to(site, email: str) -> list:
    return [m for m in site.smtp.messages if m["To"] == email]


def house(found: dict) -> list[tuple]:
    return [
        (name, state, district) for name, chamber, state, district, _c, _s in found["letters"] if chamber == "house"
    ]


def assert_receipt_tells_each_letter(site, email: str, letters: int) -> None:
    [receipt] = receipts_to(site, email)
    text = receipt.get_body(("plain",)).get_content()
    assert f"{letters} letters need your step on the office's form" in text
    assert text.count(": Needs your step") == letters
    assert "on their way" not in text


def test_a_single_district_zip(site, page):
    page.goto(site.base_url + "/c/sample-campaign")
    fill(page, first="Solana", street="1 Main St", zip_code="12207", city="Albany")
    submit(site, page, "Review my letters")
    expect(page.get_by_role("heading", name="Review your letters")).to_be_visible()
    submit(site, page, "Send 3 letters")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Solana: one more step")
    # The House letter is the writer's to send on the office's form: the ZIP notice says so, not "we check it".
    expect(page.get_by_role("status").filter(has_text="comes from your ZIP code")).to_contain_text(
        "waits for you to send it on the representative's own form"
    )
    expect(page.locator("main")).not_to_contain_text("before your letter goes to the House")
    found = stored(site, "Solana")
    assert found["actions"] == 1 and found["consent"] == [True]
    assert found["district"] == [("zip-crosswalk", "NY", 20)]
    assert house(found) == [("Paul Tonko", "NY", 20)]
    assert {(c, s) for *_rest, c, s in found["letters"]} == {("contact_form", "handoff")}
    assert_receipt_tells_each_letter(site, "solana@example.org", 3)


def test_a_split_zip_settled_by_the_street_address(site, page):
    page.goto(site.base_url + "/c/sample-campaign")
    fill(page, first="Stratford", street=NY12_STREET, zip_code=SPLIT_ZIP)
    submit(site, page, "Review my letters")
    expect(page.get_by_role("heading", name="Review your letters")).to_be_visible()
    submit(site, page, "Send 3 letters")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you, Stratford")
    found = stored(site, "Stratford")
    assert found["district"] == [("census-geocoder", "NY", 12)] and found["consent"] == [True]
    assert house(found) == [("Jerrold Nadler", "NY", 12)]
    assert_receipt_tells_each_letter(site, "stratford@example.org", 3)


def test_a_split_zip_with_the_geocoder_down_and_a_district_picked_after_a_quick_fix(site, page):
    site.geocoder_fake.refuse_connections()
    try:
        page.goto(site.base_url + "/c/sample-campaign")
        fill(page, first="Outage", street="300 W 110th St", zip_code=SPLIT_ZIP)
        submit(site, page, "Review my letters")
        chooser = page.get_by_role("group", name=re.compile("split between 2 congressional districts"))
        expect(chooser).to_contain_text("not answering right now")  # told as ours, not as a bad address
        expect(page.locator("body")).not_to_contain_text("Check the house number")
        chooser.get_by_role("radio", name=re.compile("NY-13")).check()
        page.get_by_label("Email", exact=True).fill("not-an-email")
        submit(site, page, "Review my letters")
        expect(page.get_by_text("valid email", exact=False).first).to_be_visible()
        page.get_by_label("Email", exact=True).fill("outage@example.org")
        site.clock.now += 1  # fixed at once: the anti-bot timer must not have restarted
        page.get_by_role("button", name="Review my letters").click()
        expect(page.get_by_role("heading", name="Review your letters")).to_be_visible()
        expect(page.locator("body")).not_to_contain_text("That was quick")
        submit(site, page, "Send 3 letters")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you, Outage")
    finally:
        site.geocoder_fake.accept_connections()
    assert "300 W 110TH ST" not in " ".join(site.geocoder_fake.addresses()).upper()  # it never got through
    found = stored(site, "Outage")
    assert found["district"] == [("constituent-choice", "NY", 13)] and found["consent"] == [True]
    assert house(found) == [("Adriano Espaillat", "NY", 13)]
    assert_receipt_tells_each_letter(site, "outage@example.org", 3)


def test_a_returning_writer_writes_once_to_each_office(site, page):
    for _visit in range(2):
        page.goto(site.base_url + "/c/sample-campaign")
        fill(page, first="Returning", street="1 Main St", zip_code="12207", city="Albany")
        submit(site, page, "Review my letters")
        submit(site, page, "Send 3 letters")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you, Returning")
        expect(page.locator("section.card")).to_have_count(3)
    found = stored(site, "Returning")
    assert len(found["letters"]) == 3  # the second visit wrote nothing new
    assert len({name for name, *_ in found["letters"]}) == 3


def test_on_a_phone_sized_screen_nothing_scrolls_sideways_and_the_letters_go(site, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:

        def fits():
            page.wait_for_load_state("load")  # measured with the stylesheet applied
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url

        page.goto(site.base_url + "/c/sample-campaign")
        fits()
        fill(page, first="Phoebe", street="1 Main St", zip_code="12207", city="Albany")
        submit(site, page, "Review my letters")
        expect(page.get_by_role("heading", name="Review your letters")).to_be_visible()
        fits()
        submit(site, page, "Send 3 letters")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you, Phoebe")
        fits()
        page.goto(site.base_url + "/c/sample-campaign/scoreboard")
        fits()
        tile = page.locator("svg.state-grid a").first
        assert tile.bounding_box()["width"] >= 24  # a tile big enough to tap
    finally:
        context.close()
    found = stored(site, "Phoebe")
    assert found["actions"] == 1 and len(found["letters"]) == 3 and found["consent"] == [True]
    assert len(receipts_to(site, "phoebe@example.org")) == 1
