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


SAMPLE = "Sample campaign: Free Sample Q. Person"


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def click_to(page, link, url_pattern: str, why) -> None:
    """Click `link` and land, with a 200, on a page whose path matches `url_pattern`."""
    with page.expect_navigation() as went:
        link.click()
    assert went.value.status == 200, (why, page.url)
    assert re.search(url_pattern, page.url), (why, page.url)


def go_home(page) -> None:
    click_to(page, main_nav(page).get_by_role("link", name="Home", exact=True), r"/dashboard$", "home")


def sample_in_reports(page):
    """The sample campaign's line in the home page's Reports section."""
    section = page.locator("section", has=page.get_by_role("heading", name="Reports", exact=True))
    return section.get_by_role("listitem").filter(has_text=SAMPLE)


def visit_reports_of_the_sample(page, role) -> None:
    """Home → the sample's exports; home → its report dashboard → its contact list → back to its exports."""
    click_to(page, sample_in_reports(page).get_by_role("link", name="Exports"), r"/sample-campaign/exports$", role)
    go_home(page)
    click_to(page, sample_in_reports(page).get_by_role("link", name="Dashboard"), r"/sample-campaign$", role)
    click_to(page, page.get_by_role("link", name="Contact list"), r"/sample-campaign/contacts$", role)
    click_to(page, page.get_by_role("link", name=re.compile("^Exports for ")), r"/sample-campaign/exports", role)


# Every tool of one campaign, as the campaign's own menu names it, and where it leads.
CAMPAIGN_TOOLS = (
    ("Details", r"/organizer/campaigns/\d+/edit$"),
    ("Photo", r"/organizer/campaigns/\d+/photo$"),
    ("Translations", r"/organizer/campaigns/\d+/translations$"),
    ("Targets", r"/organizer/campaigns/\d+/targets$"),
    ("Preview letters", r"/organizer/campaigns/\d+/preview$"),
    ("Updates", r"/organizer/campaigns/\d+/updates$"),
    ("Statements", r"/statements/$"),
    ("Review queue", r"/statements/review$"),
    ("Feeds", r"/statements/feeds$"),
    ("Report", r"/staff/campaigns/sample-campaign$"),
    ("Deliveries", r"/organizer/deliveries\?campaign=\d+$"),
)
# The statement tracker's own menu, reached from its first page.
TRACKER_TOOLS = (
    ("Record a statement", r"/statements/new$"),
    ("Monitored feeds", r"/statements/feeds$"),
    ("Casework", r"/casework/$"),
    ("Public scoreboard", r"/c/sample-campaign/scoreboard$"),
)


def visit_campaign_tools(page, role) -> None:
    """Home's live-campaign row, then every tool in the campaign's menu and the statement tracker's, by clicking:
    each one from the campaign list, as a person finds it after login."""
    row = page.get_by_role("row").filter(has_text=SAMPLE)
    for name, where in (("Statements", r"/statements/$"), ("Review queue", r"/statements/review$"),
                        ("Feeds", r"/statements/feeds$"), ("Deliveries", r"/organizer/deliveries\?campaign=")):  # fmt: skip
        click_to(page, row.get_by_role("link", name=re.compile("^" + name)), where, (role, "home", name))
        go_home(page)
        row = page.get_by_role("row").filter(has_text=SAMPLE)
    for name, where in CAMPAIGN_TOOLS:
        click_to(page, main_nav(page).get_by_role("link", name="Campaigns", exact=True), r"/organizer/campaigns$", name)
        click_to(page, page.get_by_role("link", name=SAMPLE, exact=True), r"/organizer/campaigns/\d+$", name)
        campaign_menu = page.get_by_role("navigation", name="Campaign")
        expect(campaign_menu.locator('[aria-current="page"]')).to_have_text("Overview")
        click_to(page, campaign_menu.get_by_role("link", name=re.compile("^" + name)), where, (role, name))
        if page.get_by_role("navigation", name="Campaign").count():  # the campaign's own pages mark where you are
            expect(page.get_by_role("navigation", name="Campaign").locator('[aria-current="page"]')).to_have_text(name)
        if name == "Statements":
            for tool, at in TRACKER_TOOLS:  # each from the tracker's first page, with the browser's Back between
                tracker = page.get_by_role("navigation", name="Statement tracker")
                click_to(page, tracker.get_by_role("link", name=tool, exact=True), at, (role, tool))
                page.go_back()
                assert re.search(r"/statements/$", page.url), page.url
        if name == "Report":
            click_to(page, page.get_by_role("link", name="Exports and packets"), r"/exports$", (role, name))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_every_tool_in_its_navigation_by_clicking(live_site, page, accounts, role):
    """From login: every tool in the menu, then from the role's home every tool of a campaign (its pages, the
    statement tracker, the review queue, feeds, deliveries, casework, reports, exports), each by clicking."""
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

    go_home(page)
    visit_reports_of_the_sample(page, role)
    go_home(page)
    if role == "staff":
        expect(page.get_by_role("heading", name="Campaigns today")).to_have_count(0)
        return
    visit_campaign_tools(page, role)
    if role == "admin":
        for name, where in (("Manage users", r"/admin/users$"), ("Data requests", r"/admin/privacy$"),
                            ("Audit log", r"/admin/audit$")):  # fmt: skip
            go_home(page)
            people = page.locator("section", has=page.get_by_role("heading", name="People and records", exact=True))
            click_to(page, people.get_by_role("link", name=name, exact=True), where, (role, name))


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
    # picker.js listens from DOMContentLoaded: typing before then makes no live search (the form still works).
    page.wait_for_load_state()
    # Live results (picker.js); the first search builds the roster, which takes a while on a busy machine.
    with page.expect_response(lambda r: "/pickers/offices.json" in r.url, timeout=60_000):
        page.get_by_label("Find an office by name, state or district").fill("Padilla")
    page.get_by_role("checkbox", name="Senator Alex Padilla").check()
    with page.expect_response(lambda r: "/pickers/offices.json" in r.url, timeout=60_000):
        page.get_by_label("Find an office by name, state or district").fill("NY-13")
    page.get_by_role("checkbox", name="Representative Adriano Espaillat").check()
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
        assert campaign.target_members == ["P000145", "E000297"]
        assert campaign.target_committees == ["SSJU"]
        assert campaign.letters[0].body == (
            "{{ office.salutation }},\n\nPlease speak up for Ana Morales.\n\n{{ constituent.full_name }}"
        )


def test_the_palette_inserts_a_placeholder_where_the_cursor_is(live_site, browser, signed_in):
    context = browser.new_context(storage_state=signed_in("organizer"), viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_site.base_url + "/organizer/campaigns")
    page.get_by_role("link", name=SAMPLE, exact=True).click()
    page.get_by_role("link", name="Add a letter variant").click()
    body = page.get_by_label("Letter")
    body.fill("Dear friend,\n\nPlease help.")
    body.focus()
    page.keyboard.press("Control+Home")
    for _ in range(len("Dear ")):
        page.keyboard.press("ArrowRight")
    for _ in range(len("friend")):
        page.keyboard.press("Shift+ArrowRight")  # "friend" selected: the placeholder replaces it
    page.locator('button[data-insert="{{ office.salutation }}"]').click()
    page.keyboard.type("!")  # the cursor stays just after what was inserted
    expect(body).to_have_value("Dear {{ office.salutation }}!,\n\nPlease help.")

    subject = page.get_by_label("Subject")
    subject.fill("Free  now")
    subject.focus()
    page.keyboard.press("End")
    for _ in range(len(" now")):
        page.keyboard.press("ArrowLeft")
    page.locator('button[data-insert="{{ campaign.detainee_name }}"]').click()  # the last field focused: subject
    expect(subject).to_have_value("Free {{ campaign.detainee_name }} now")
    expect(body).to_have_value("Dear {{ office.salutation }}!,\n\nPlease help.")
    # The live preview follows the typing: rendered for real offices, nothing saved.
    preview = page.locator("#draft-preview")
    expect(preview).to_contain_text("Subject: Free Sample Q. Person now")
    expect(preview).to_contain_text("Dear Dear Senator ")
    expect(preview).to_contain_text("Dear Dear Delegate ")
    # Beside it, every letter of the campaign against the publish checklist, this new one as typed.
    checklist = page.locator("#variant-checklist")
    expect(checklist).to_contain_text("This letter (as typed, not saved)")
    expect(checklist.get_by_role("row")).to_have_count(len(saved_variants(live_site)) + 2)  # header, saved, typed
    context.close()


def saved_variants(live_site) -> list[str]:
    from advocacy.campaigns.services import get_campaign_by_slug

    with live_site.app_context():
        names = [v.name for v in get_campaign_by_slug("sample-campaign").letters]
        db.session.remove()
    return names


def test_without_javascript_the_pickers_are_a_search_form(live_site, browser, signed_in):
    """No script at all: an office is found by name and by district, a committee by name, each checked and saved
    through plain forms; the campaign stores the ids; the palette's Insert buttons stay hidden (nothing to run
    them) and the placeholders are listed to copy."""
    context = browser.new_context(
        storage_state=signed_in("organizer"), java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(live_site.base_url + "/dashboard")
    main_nav(page).get_by_role("link", name="Campaigns", exact=True).click()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Address (slug)").fill("free-omar-farouk")
    page.get_by_label("Title").fill("Free Omar Farouk")
    page.get_by_label("Detained person's name").fill("Omar Farouk")
    page.get_by_label("Story").fill("Omar Farouk has been held since March.")
    page.get_by_label("The ask").fill("Ask ICE to release Omar Farouk.")
    page.get_by_role("button", name="Create draft").click()
    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Targets").click()

    for query, box in (("Padilla", "Senator Alex Padilla"), ("NY-13", "Representative Adriano Espaillat")):
        page.get_by_label("Find an office by name, state or district").fill(query)
        click_to(page, page.get_by_role("button", name="Find offices"), r"office_q=", query)
        page.locator("#found-offices").get_by_role("checkbox", name=box).check()
        page.get_by_role("button", name="Save targets").click()
        expect(page.get_by_text("Targets saved.")).to_be_visible()
        expect(page.locator("#chosen-offices").get_by_role("checkbox", name=box)).to_be_checked()
    page.get_by_label("Find a committee by name").fill("Judiciary")
    click_to(page, page.get_by_role("button", name="Find committees"), r"committee_q=Judiciary", "committee")
    judiciary = re.compile(r"^\s*Senate Committee on the Judiciary \(")
    page.locator("#found-committees").get_by_role("checkbox", name=judiciary).check()
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text("Targets saved.")).to_be_visible()

    with live_site.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "free-omar-farouk"))
        assert campaign.target_members == ["P000145", "E000297"]
        assert campaign.target_committees == ["SSJU"]
        db.session.remove()

    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Add a letter variant").click()
    expect(page.locator("button[data-insert]").first).to_be_hidden()
    expect(page.get_by_role("cell", name="{{ office.salutation }}", exact=True)).to_be_visible()
    context.close()
