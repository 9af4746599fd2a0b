"""The whole letter flow in Simplified Chinese and in Uyghur (right to left), in a real browser (issue 21).

Checked by what was stored and sent: the action's language, the receipt in the SMTP sink in that language, and
each letter as the (fake) CWC received it, in English. In Uyghur the layout fits a 360 px screen without
horizontal scrolling, and axe finds no serious or critical problem on the translated pages.

This module runs its own live app: a local SMTP server, a local fake CWC and the fake Census geocoder.
"""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from advocacy.extensions import db
from tests.browser.conftest import AXE, NY12_POINT, NY12_STREET, axe_violations, load_reference_data
from tests.conftest import make_app
from tests.fakes.cwc import FakeCwc
from tests.fakes.geocoder import FakeGeocoder
from tests.fakes.smtp import FakeSmtp
from tests.fakes.submissions import delivery_config

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    geocoder = FakeGeocoder().start()
    geocoder.place(NY12_STREET, "NY", 12, NY12_POINT)
    smtp = FakeSmtp().start()
    cwc = FakeCwc().start()
    path = tmp_path_factory.mktemp("languages") / "languages.db"
    config = delivery_config(cwc=cwc, smtp=smtp, environ=geocoder.environ())
    app = make_app(f"sqlite:///{path}", WTF_CSRF_ENABLED=True, FORM_MIN_FILL_SECONDS=0, DELIVERY_INLINE=True, **config)
    with app.app_context():
        db.create_all()
        load_reference_data()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    app.smtp, app.cwc = smtp, cwc
    yield app
    server.shutdown()
    cwc.stop()
    smtp.stop()
    geocoder.stop()


def _page(browser, width: int, height: int):
    """A page of that size; CSP is bypassed only so the axe script can be injected (axe_violations)."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed (npm install)", pytrace=False)
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    """A phone-sized page."""
    yield from _page(browser, 360, 740)


def no_horizontal_scroll(page) -> None:
    page.wait_for_load_state("load")  # measured with the stylesheet applied
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at 360 px"


def write_letters(site, page, code: str, first: str, *, review_button: str, heading: str) -> None:
    page.goto(site.base_url + "/c/sample-campaign")
    page.get_by_role("link", name={"zh-Hans": "简体中文", "ug": "ئۇيغۇرچە"}[code]).click()
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if code == "ug" else "ltr")
    assert page.url.endswith(f"/c/sample-campaign?lang={code}")  # the same page, in the chosen language
    page.locator("#f-first_name").fill(first)
    page.locator("#f-last_name").fill("Languages")
    page.locator("#f-email").fill(f"{first.lower()}@example.org")
    page.locator("#f-address").fill(NY12_STREET)
    page.locator("#f-city").fill("New York")
    page.locator("#f-state").select_option("NY")
    page.locator("#f-zip").fill("10025")
    page.locator("#f-message").fill("我很关心这件事。" if code == "zh-Hans" else "بۇ ئىش مەن ئۈچۈن مۇھىم.")
    page.get_by_role("button", name=review_button).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def sent_for(site, first: str) -> tuple[str, list[dict], list]:
    from advocacy.letters.models import Action, Letter

    with site.app_context():
        action = db.session.scalars(select(Action).where(Action.first_name == first)).one()
        letters = db.session.scalars(select(Letter).where(Letter.action_id == action.id)).all()
        language = action.language
        email = action.email
        db.session.remove()
    accepted = [fields for fields in site.cwc.accepted.values() if fields["email"] == email]
    receipts = [m for m in site.smtp.messages if m["To"] == email]
    return language, accepted, receipts, letters


def test_the_letter_flow_in_simplified_chinese(site, phone):
    page = phone
    write_letters(site, page, "zh-Hans", "Zhongwen", review_button="预览我的信", heading="预览您的信")
    expect(page.get_by_role("note").filter(has_text="国会办公室阅读英文")).to_be_visible()
    expect(page.locator(".letter-gloss").first).to_contain_text("这封信请您的参议员公开为 Sample Q. Person 发声")
    expect(page.locator(".letter").first).to_contain_text("Dear Senator Schumer")
    assert axe_violations(page) == []
    page.get_by_role("button", name="寄出 3 封信").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("谢谢您，Zhongwen")
    assert axe_violations(page) == []

    language, accepted, receipts, letters = sent_for(site, "Zhongwen")
    assert language == "zh-Hans"
    assert len(letters) == 3 and len(accepted) == 3  # each letter reached the (fake) CWC
    for fields in accepted:
        assert fields["organization_statement"].startswith("Dear ")  # offices read English
        assert fields["subject"] == "(Sample) Please speak up for Sample Q. Person"
        assert fields["constituent_message"] == "我很关心这件事。"  # their own words, as typed
    [receipt] = receipts
    assert receipt["Subject"] == "您为「示例行动：释放 Sample Q. Person」写的信"
    text = receipt.get_body(("plain",)).get_content()
    assert text.startswith("Zhongwen，您好：") and "国会办公室阅读英文" in text


def test_the_letter_flow_in_uyghur_right_to_left_on_a_phone(site, phone):
    page = phone
    write_letters(
        site, page, "ug", "Uyghurche", review_button="خەتلىرىمنى كۆرۈپ چىقىش", heading="خەتلىرىڭىزنى كۆرۈپ چىقىڭ"
    )
    no_horizontal_scroll(page)
    expect(page.locator(".letter").first).to_contain_text("Dear Senator Schumer")
    # The English letter reads left to right inside the right-to-left page
    assert page.locator(".letter").first.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert page.locator("main").evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert axe_violations(page) == []
    page.get_by_role("button", name="3 خەت ئەۋەتىش").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("رەھمەت، Uyghurche")
    no_horizontal_scroll(page)
    assert axe_violations(page) == []

    language, accepted, receipts, letters = sent_for(site, "Uyghurche")
    assert language == "ug"
    assert len(letters) == 3 and len(accepted) == 3
    assert all(fields["organization_statement"].startswith("Dear ") for fields in accepted)
    assert all(fields["constituent_message"] == "بۇ ئىش مەن ئۈچۈن مۇھىم." for fields in accepted)
    [receipt] = receipts
    text = receipt.get_body(("plain",)).get_content()
    html = receipt.get_body(("html",)).get_content()
    assert text.startswith("ھۆرمەتلىك Uyghurche،") and '<html lang="ug" dir="rtl">' in html

    # The campaign page and the scoreboard in Uyghur fit the phone too, and the choice is remembered
    for path in ("/c/sample-campaign", "/c/sample-campaign/scoreboard", "/c/guan-heng", "/lookup?zip=10025", "/"):
        page.goto(site.base_url + path)
        expect(page.locator("html")).to_have_attribute("lang", "ug")
        no_horizontal_scroll(page)
        assert axe_violations(page) == [], path


@pytest.fixture
def narrow_phone(browser):
    """The narrowest phone we design for: 320 px."""
    yield from _page(browser, 320, 640)


def test_translated_legal_text_places_and_timeline_fit_320_px_right_to_left(site, narrow_phone):
    """The privacy page, state and party names and the translated timeline in Uyghur: readable at 320 px without
    scrolling sideways, clean under axe, and the legal text links to the English that counts."""
    page = narrow_phone
    page.goto(site.base_url + "/privacy?lang=ug")
    expect(page.get_by_role("heading", level=1)).to_have_text("شەخسىيەت")
    note = page.locator("#privacy-authoritative")
    expect(note).to_contain_text("ئىنگلىزچە نۇسخىسى ئاساس قىلىنىدۇ")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the privacy page scrolls sideways by {overflow} px at 320 px"
    assert axe_violations(page) == []

    for path, text in (
        ("/c/guan-heng", "پاناھلىق بېرىلىپ ئالتە كۈندىن كېيىن ICE تۇتقۇنىدىن قويۇپ بېرىلىدۇ."),  # the timeline
        ("/c/sample-campaign/scoreboard", "نيۇ-يورك"),  # a state's name
        ("/lookup?zip=10025", "دېموكرات"),  # a party's name
    ):
        page.goto(site.base_url + path)
        expect(page.locator("main")).to_contain_text(text)
        expect(page.locator("#partly-english")).to_have_count(0)  # nothing falls back to English
        page.wait_for_load_state("load")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at 320 px"
        assert axe_violations(page) == [], path

    page.goto(site.base_url + "/c/sample-campaign?lang=ug")
    assert page.locator("#f-state option[value='NY']").inner_text() == "نيۇ-يورك"
    page.goto(site.base_url + "/privacy?lang=ug")
    page.locator("#privacy-authoritative a").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=2, name="What we keep")).to_be_visible()
