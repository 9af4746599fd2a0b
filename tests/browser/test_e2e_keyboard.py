"""The organizer's and staff's main jobs by keyboard alone (Tab, Enter, Space): record a statement, download an
export. (The constituent's flow is in test_e2e_constituent.py, the login in test_a11y.py.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import tab_to, type_into

pytestmark = pytest.mark.browser


def signed_in_as(page, signed_in, role: str):
    """`page` (screenshot on failure), signed in with the role's session."""
    page.context.add_cookies(signed_in(role)["cookies"])
    return page


def test_an_organizer_records_a_statement_by_keyboard(live_site, page, signed_in):
    signed_in_as(page, signed_in, "organizer")
    page.goto(live_site.base_url + "/organizer/campaigns/guan-heng/statements/new")
    type_into(page, page.get_by_label("Find the office by name"), "Velázquez")
    page.keyboard.press("Enter")  # the search form narrows the list and picks the only match
    expect(page.get_by_label("Office", exact=True)).to_have_value("V000081")
    supports = page.get_by_role("radio", name="Supports")
    tab_to(page, supports)
    page.keyboard.press("Space")
    expect(supports).to_be_checked()
    type_into(page, page.get_by_label("Source URL"), "https://velazquez.house.gov/media/guan-heng")
    type_into(page, page.get_by_label("Quote or summary"), "Free Guan Heng.")
    tab_to(page, page.get_by_role("button", name="Record statement"))
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"Statement recorded for Rep\. Nydia M\. Velázquez"))).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Velázquez")).to_contain_text("Supports")


def test_staff_download_an_export_by_keyboard(live_site, page, signed_in):
    signed_in_as(page, signed_in, "staff")
    page.goto(live_site.base_url + "/staff/campaigns/guan-heng/exports")
    type_into(page, page.get_by_label("State"), "NY")
    tab_to(page, page.get_by_role("button", name="Apply filters"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"state=NY"))
    link = page.get_by_role("row").filter(has_text="One row per office").get_by_role("link", name="CSV")
    tab_to(page, link, limit=120)
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert re.fullmatch(r"guan-heng-offices-\d{4}-\d{2}-\d{2}\.csv", info.value.suggested_filename)
    with open(info.value.path(), encoding="utf-8-sig") as saved:
        header = saved.readline()
    assert header.startswith("Office ID,")  # the office summary, not an error page
