"""Keyboard only (issue 26): where focus lands after each error and action, that the stop shows a ring, and that
controls repeated once per office can be told apart by their accessible names."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SPLIT_ZIP, tab_to, type_into

pytestmark = pytest.mark.browser


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_after_a_form_error_focus_is_on_the_summary_and_its_links_lead_to_the_fields(live_site, page):
    page.goto(live_site.base_url + "/c/sample-campaign")
    tab_to(page, page.get_by_role("button", name="Review my letters"))
    page.keyboard.press("Enter")  # everything missing
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text(re.compile(r"There are \d+ problems"))
    page.keyboard.press("Tab")  # the next stop is the summary's first link, not the skip link or the page top
    first_link = summary.get_by_role("link").first
    expect(first_link).to_be_focused()
    target = first_link.get_attribute("href").lstrip("#")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == f"#{target}"


def test_the_split_zip_state_takes_you_to_the_district_choice(live_site, page):
    page.goto(live_site.base_url + "/c/sample-campaign")
    for label, text in (
        ("First name", "Kay"),
        ("Last name", "Board"),
        ("Email", "kay@example.org"),
        ("Street address", "9 Nowhere Road"),
        ("City", "New York"),
        ("ZIP code", SPLIT_ZIP),
    ):
        type_into(page, page.get_by_label(label, exact=True), text)
    page.get_by_label("State or territory", exact=True).select_option("NY")
    tab_to(page, page.get_by_role("button", name="Review my letters"))
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Error: choose your district"))
    expect(page.locator("#form-errors")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # from the fragment target, on into the radios
    assert focused_id(page).startswith("d-NY-")


def test_lookup_with_a_bad_zip_moves_focus_to_the_summary(live_site, page):
    page.goto(live_site.base_url + "/lookup")
    type_into(page, page.get_by_label("ZIP code", exact=True), "1")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#form-errors")).to_be_focused()


def test_repeated_controls_on_the_thanks_page_name_their_office(live_site, page):
    page.goto(live_site.base_url + "/c/sample-campaign")
    for label, text in (
        ("First name", "Nomen"),
        ("Last name", "Board"),
        ("Email", "nomen@example.org"),
        ("Street address", "1 Main St"),
        ("City", "Albany"),
        ("ZIP code", "12207"),
    ):
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_label("State or territory", exact=True).select_option("NY")
    page.get_by_role("button", name="Review my letters").click()
    page.get_by_role("button", name="Send 3 letters").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you, Nomen")
    for name in ("Copy letter", "I sent it", "I called"):
        names = [b.evaluate("el => el.textContent.trim()") for b in page.get_by_role("button", name=name).all()]
        assert len(names) == 3 and len(set(names)) == 3, names
    # "I sent it" tells a screen reader what changed, and focus is not lost on the body
    tab_to(page, page.locator("section.card").filter(has_text="Schumer").get_by_role("button", name="I sent it"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Marked as sent")).to_be_visible()


def signed_in_as(page, signed_in, role: str):
    page.context.add_cookies(signed_in(role)["cookies"])
    return page


def count_rows(live_site, model) -> int:
    from sqlalchemy import func, select

    from advocacy.extensions import db

    with live_site.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_statement_form_error_moves_focus_to_a_summary_that_links_each_field(live_site, page, signed_in):
    from advocacy.statements.models import Statement

    before = count_rows(live_site, Statement)
    signed_in_as(page, signed_in, "organizer")
    page.goto(live_site.base_url + "/organizer/campaigns/guan-heng/statements/new")
    type_into(page, page.get_by_label("Source URL"), "not a web address")
    tab_to(page, page.get_by_role("button", name="Record statement"))
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Error: Record a statement"))
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text(re.compile(r"There are [3-9] problems"))
    links = {link.inner_text(): link.get_attribute("href") for link in summary.get_by_role("link").all()}
    assert links["Choose the office that spoke."] == "#bioguide_id"
    assert links["Choose a stance."] == "#stance-0"  # a radio group: its first choice
    assert links["Give a full web address, starting with https://"] == "#source_url"
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    summary.get_by_role("link", name="Choose a stance.").press("Enter")
    assert page.evaluate("location.hash") == "#stance-0"
    assert count_rows(live_site, Statement) == before  # nothing was recorded


def test_an_export_filter_error_moves_focus_to_the_summary_and_exports_nothing(live_site, page, signed_in):
    from advocacy.reports.models import AuditEvent

    before = count_rows(live_site, AuditEvent)
    signed_in_as(page, signed_in, "staff")
    page.goto(live_site.base_url + "/staff/campaigns/guan-heng/exports")
    type_into(page, page.get_by_label("State"), "Q1")
    tab_to(page, page.get_by_role("button", name="Apply filters"))
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Error: .* · Exports"))
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Nothing was exported")
    link = summary.get_by_role("link", name="State must be a two-letter postal code such as NY.")
    assert link.get_attribute("href") == "#f-state"
    page.keyboard.press("Tab")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#f-state"
    expect(page.get_by_label("State")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("link", name=re.compile(r"as (CSV|XLSX)$"))).to_have_count(0)
    assert count_rows(live_site, AuditEvent) == before  # no export, so nothing in the audit log


def test_every_export_link_and_button_can_be_told_apart_and_rows_have_headers(live_site, page, signed_in):
    from tests.browser.test_e2e_staff import write_letters

    write_letters(page, live_site.base_url, "Rowheader", "12207", "Albany", "NY")  # three offices with letters
    signed_in_as(page, signed_in, "staff")
    page.goto(live_site.base_url + "/staff/campaigns/sample-campaign/exports")
    downloads = page.get_by_role("table", name="Exports")
    expect(downloads.get_by_role("rowheader")).to_have_text(["Contacts", "Offices", "Statements"])
    names = [link.evaluate("el => el.textContent.trim()") for link in downloads.get_by_role("link").all()]
    names += [b.evaluate("el => el.textContent.trim()") for b in downloads.get_by_role("button").all()]
    assert names and len(names) == len(set(names)), names
    expect(downloads.get_by_role("link", name="Offices as CSV", exact=True)).to_have_count(1)
    packets = page.get_by_role("table", name="Offices with letters")
    pdfs = [link.evaluate("el => el.textContent.trim()") for link in packets.get_by_role("link").all()]
    assert pdfs and all(name.startswith("Packet for ") for name in pdfs) and len(pdfs) == len(set(pdfs)), pdfs
    assert packets.get_by_role("rowheader").count() == packets.get_by_role("row").count() - 1
