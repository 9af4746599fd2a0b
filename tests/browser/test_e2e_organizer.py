"""An organizer runs a campaign in a real browser: log in, create it, save a letter with a mistake and see where,
fix it, preview, publish, record a statement and find it on the public scoreboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

BROKEN_BODY = """{{ office.salutation }},

I am {{ constituent.full_name }} from {{ constituent.city }}.
Please speak up for {{ campaign.detainee_name }}, {{ constituent.frist_name }} asks.
{% if constituent.message %}{{ constituent.message }}{% endif %}

Sincerely,
{{ constituent.full_name }}"""


def test_organizer_creates_publishes_and_tracks_a_campaign(live_site, page, accounts):
    base = live_site.base_url
    log_in(page, base, *accounts["organizer"])

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Address (slug)").fill("free-mei-e2e")
    page.get_by_label("Title").fill("Free Mei Lin")
    page.get_by_label("Detained person's name").fill("Mei Lin")
    page.get_by_label("Story").fill("Mei Lin is held by ICE.\n\nShe needs **your** help.")
    page.get_by_label("The ask").fill("Publicly support her release.")
    page.get_by_label("Keywords").fill("Mei Lin")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Free Mei Lin")
    expect(page.get_by_text("Campaign created as a draft")).to_be_visible()
    expect(page.get_by_text("Before this campaign can go live")).to_be_visible()
    overview = page.url

    # A letter with a misspelt placeholder is refused, with the line and the text of that line.
    page.get_by_role("link", name="Add a letter variant").click()
    page.get_by_label("Name", exact=True).fill("Everyone")
    page.get_by_label("Subject").fill("Please speak up for {{ campaign.detainee_name }}")
    page.get_by_label("Letter").fill(BROKEN_BODY)
    page.get_by_role("button", name="Save letter").click()
    expect(page.get_by_role("alert")).to_contain_text("The letter was not saved")
    body = page.get_by_label("Letter")
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#body-error")).to_have_text(
        "Line 4: constituent.frist_name is not a placeholder; did you mean constituent.first_name?"
    )
    expect(page.locator("pre.problem-line")).to_have_text(re.compile(r"\{\{ constituent\.frist_name \}\} asks\.$"))
    expect(body).to_have_value(BROKEN_BODY)  # what was typed is kept

    body.fill(BROKEN_BODY.replace("frist_name", "first_name"))
    page.get_by_role("button", name="Save letter").click()
    expect(page.get_by_text("Letter “Everyone” saved.")).to_be_visible()

    # Preview against real offices and sample writers.
    page.get_by_role("link", name="Preview every letter").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview every letter")
    expect(page.get_by_text("Rendered for real, sitting members of Congress")).to_be_visible()
    expect(page.locator("article.card").first).to_contain_text("Please speak up for Mei Lin")
    expect(page.get_by_text("No letter: add a variant")).to_have_count(0)

    page.goto(overview)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The campaign is live.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Live")
    page.goto(base + "/c/free-mei-e2e")
    expect(page.get_by_role("heading", level=1)).to_have_text("Free Mei Lin")
    expect(page.locator(".story strong")).to_have_text("your")

    # Record a statement: find the office, choose the stance, give the source.
    page.goto(base + "/organizer/campaigns/free-mei-e2e/statements/new")
    page.get_by_label("Find the office by name").fill("Nadler")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_label("Office", exact=True)).to_have_value("N000002")
    page.get_by_label("Date of the statement").fill("2026-11-02")
    page.get_by_label("Kind").select_option(label="Press release")
    page.get_by_label("Supports").check()
    page.get_by_label("Source URL").fill("https://nadler.house.gov/news/mei-lin")
    page.get_by_label("Quote or summary").fill("Mei Lin must be released on bond.")
    page.get_by_role("button", name="Record statement").click()
    expect(page.get_by_text(re.compile(r"Statement recorded for Rep\. Jerrold Nadler"))).to_be_visible()

    page.get_by_role("link", name="Public scoreboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Which offices have spoken for Mei Lin")
    expect(page.locator(".st-big")).to_have_text("1 of 535 offices have spoken up.")
    page.get_by_label("Stance").select_option("supports")  # the table comes in pages: filter to the office
    page.get_by_role("button", name="Filter").click()
    row = page.locator("table.st-offices tbody tr").filter(has_text="Nadler")
    expect(row).to_contain_text("Supports")
    expect(row).to_contain_text("2026-11-02")
    timeline = page.locator("section[aria-labelledby=timeline-heading]")
    expect(timeline).to_contain_text("Mei Lin must be released on bond.")
