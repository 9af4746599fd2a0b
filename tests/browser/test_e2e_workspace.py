"""The workspace in a real browser: each role starts at login and reaches every tool in its navigation by
clicking; an organizer makes a campaign for another detainee, targets offices and a committee with the pickers,
writes its letter with the placeholder palette and publishes it, without typing an id or a template tag."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from advocacy.campaigns.models import Campaign
from advocacy.extensions import db
from tests.browser.conftest import ROLES, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_every_tool_in_its_navigation_by_clicking(live_site, page, accounts, role):
    base = live_site.base_url
    log_in(page, base, *accounts[role])
    nav = page.get_by_role("navigation", name="Main")
    names = [link.inner_text().strip() for link in nav.get_by_role("link").all()]
    assert "Home" in names and "Reports" in names
    assert ("Users" in names) == (role == "admin") and ("Campaigns" in names) == (role != "staff")
    for name in names:
        with page.expect_navigation() as went:
            page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()
        assert went.value.status == 200, (role, name, page.url)
        expect(
            page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)
        ).to_have_attribute("aria-current", "page")


def test_an_organizer_makes_and_publishes_a_campaign_without_ids_or_template_tags(live_site, page, accounts):
    base = live_site.base_url
    log_in(page, base, *accounts["organizer"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Address (slug)").fill("free-ana-morales")
    page.get_by_label("Title").fill("Free Ana Morales")
    page.get_by_label("Detained person's name").fill("Ana Morales")
    page.get_by_label("Story").fill("Ana Morales has been held for eight months.")
    page.get_by_label("The ask").fill("Ask ICE to release Ana Morales.")
    page.get_by_role("button", name="Create draft").click()

    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Targets").click()
    # Live results (picker.js); the first search builds the roster, which takes a while on a busy machine.
    with page.expect_response(lambda r: "/pickers/offices.json" in r.url, timeout=60_000):
        page.get_by_label("Find an office by name, state or district").fill("Padilla")
    page.get_by_role("checkbox", name="Senator Alex Padilla").check()
    with page.expect_response(lambda r: "/pickers/committees.json" in r.url, timeout=60_000):
        page.get_by_label("Find a committee by name").fill("Judiciary")
    found = page.locator("#found-committees input[type=checkbox]")
    expect(found.first).to_be_visible()
    page.get_by_role("checkbox", name=re.compile(r"^\s*Senate Committee on the Judiciary \(")).check()
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text("Targets saved.")).to_be_visible()

    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Add a letter variant").click()
    page.get_by_label("Name").fill("Everyone")
    page.get_by_label("Subject").fill("Please speak up for Ana Morales")
    body = page.get_by_label("Letter")
    body.click()
    page.locator('button[data-insert="{{ office.salutation }}"]').click()
    page.keyboard.type(",\n\nPlease speak up for Ana Morales.\n\n")
    page.locator('button[data-insert="{{ constituent.full_name }}"]').click()
    page.get_by_role("button", name="Save letter").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("This campaign is live and accepts letters.")).to_be_visible()

    with live_site.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "free-ana-morales"))
        assert campaign.status == "live" and campaign.managed_by == "web"
        assert campaign.target_members == ["P000145"]
        assert campaign.target_committees == ["SSJU"]
        assert campaign.letters[0].body == (
            "{{ office.salutation }},\n\nPlease speak up for Ana Morales.\n\n{{ constituent.full_name }}"
        )
