"""Issue 26, beyond axe: the accessibility tree of the campaign, review, thanks and scoreboard pages (headings,
landmarks, names, live regions), the same letter walk at 320 px with 200% text and in forced colors, and long
names that must not push any public or staff page sideways at 320 px. Each walk ends by checking what was stored.

It runs its own live app (the journeys' one: a local geocoder, an SMTP sink, an injected clock).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from advocacy.congress.offices import current_offices
from advocacy.extensions import db
from advocacy.statements.public import OFFICES_PER_PAGE
from tests.browser.test_e2e_journeys import fill, receipts_to, site, stored, submit  # noqa: F401 - site: fixture

pytestmark = pytest.mark.browser

LONG_WORD = "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft"
HEADING = re.compile(r'heading "(.*)" \[level=(\d)\]')


def tree(page) -> str:
    return page.locator("body").aria_snapshot()


def assert_outline(snapshot: str) -> list[tuple[int, str]]:
    """One h1, first; no level skipped on the way down; the page's landmarks at the top level."""
    headings = [(int(level), name) for name, level in HEADING.findall(snapshot)]
    assert headings and headings[0][0] == 1, headings
    assert [level for level, _ in headings].count(1) == 1, headings
    for (before, _), (after, name) in zip(headings, headings[1:], strict=False):
        assert after <= before + 1, f"{name!r} skips from h{before} to h{after}"
    top = [line for line in snapshot.splitlines() if line.startswith("- ")]
    for landmark in ("- banner:", "- main:", "- contentinfo:"):
        assert landmark in top, (landmark, top)
    assert 'navigation "Main"' in snapshot
    return headings


def unique(names: list[str]) -> None:
    assert names and len(names) == len(set(names)), names


def test_the_accessibility_tree_of_campaign_review_thanks_and_scoreboard(site, page):  # noqa: F811
    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(site.base_url + "/c/sample-campaign")
    campaign = tree(page)
    assert assert_outline(campaign)[0] == (1, "Sample campaign: Free Sample Q. Person")
    assert 'group "Campaign progress"' in campaign
    assert 'region "Write to your members of Congress"' in campaign
    for control in ('textbox "First name"', 'textbox "Street address"', 'textbox "ZIP code"',
                    'combobox "State or territory"', 'button "Review my letters"'):  # fmt: skip
        assert control in campaign, control
    assert re.search(r'checkbox "Keep me informed[^"]*"', campaign)

    fill(page, first="Treeview", street="1 Main St", zip_code="12207", city="Albany")
    submit(site, page, "Review my letters")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review your letters")
    review = tree(page)
    assert_outline(review)
    offices = re.findall(r'region "To (.*)"', review)
    assert len(offices) == 3
    for office in offices:  # each letter is a region named by its office, its own-words box named for it too
        assert f'heading "To {office}" [level=2]' in review
        assert re.search(rf'textbox "Your own words for [^"]*{office.split()[-1]} \(optional\)"', review)
    assert 'button "Edit my details"' in review and 'button "Send 3 letters"' in review

    submit(site, page, "Send 3 letters")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you, Treeview")
    thanks = tree(page)
    assert_outline(thanks)
    assert re.search(r'- status: "?We could not check your street address', thanks)  # the notice is live
    assert 'region "Your next step"' in thanks
    letters = re.findall(r'region "((?:Senator|Representative) [^"]*)"', thanks)
    assert len(letters) == 3
    for who in letters:
        region = page.get_by_role("region", name=who, exact=True)
        expect(region.get_by_role("status")).to_have_count(1)  # where "Copied" is announced
        expect(region.get_by_role("button", name=f"Copy letter ({who})")).to_be_visible()
        expect(region.get_by_role("button", name=f"I sent it ({who})")).to_be_visible()
    unique([b.evaluate("el => el.textContent.replace(/\\s+/g, ' ').trim()")
            for b in page.get_by_role("main").get_by_role("button").all()])  # fmt: skip
    unique([a.evaluate("el => el.textContent.replace(/\\s+/g, ' ').trim()")
            for a in page.get_by_role("main").get_by_role("link", name=re.compile("^Open the office")).all()])  # fmt: skip

    page.goto(site.base_url + "/c/sample-campaign/scoreboard?zip=12207")
    board = tree(page)
    headings = assert_outline(board)
    assert [name for level, name in headings if level == 2][:5] == [
        "Totals", "Your members of Congress", "By state", "Breakdown", "Every office"
    ]  # fmt: skip
    assert 'link "Skip the map to the office table"' in board and 'searchbox "Name"' in board
    with site.app_context():  # the mini fixture's roster: one page of the table (test_scoreboard pages the whole one)
        sitting = len(current_offices())
    assert sitting <= OFFICES_PER_PAGE
    assert f"- status: Showing {sitting} of {sitting} offices." in board
    assert re.search(r'table "Every sitting member of Congress[^"]*"', board)

    found = stored(site, "Treeview")
    assert found["actions"] == 1 and len(found["letters"]) == 3 and found["consent"] == [True]
    assert len(receipts_to(site, "treeview@example.org")) == 1


WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(el => el.getBoundingClientRect().right > width + 1
    && !el.closest('.table-wrap, .st-map-scroll, .visually-hidden'));
  return wide.filter(el => !wide.some(other => other !== el && el.contains(other))).slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
      + ' ' + Math.round(el.getBoundingClientRect().right) + 'px');
}"""


def fits_sideways(page) -> None:
    """Nothing wider than the window: the page does not scroll sideways (a table may, inside its own box)."""
    # Measured once the stylesheet has loaded: a heading can be found after a POST before the CSS is applied.
    page.wait_for_load_state("load")
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1] + 1, (
        f"{page.url}: content {widths[0]} px wide in a {widths[1]} px window: {page.evaluate(WIDEST)}"
    )


def in_view_horizontally(locator) -> None:
    box = locator.bounding_box()
    width = locator.page.viewport_size["width"]
    assert box is not None and box["x"] >= -1 and box["x"] + box["width"] <= width + 1, (locator, box)


def tab_until(page, locator, limit=120) -> None:
    handle = locator.element_handle()
    for _ in range(limit):
        if page.evaluate("el => el === document.activeElement", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"never reached {locator}")


def assert_focus_shows(page) -> None:
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }"
    )
    assert ring[0] not in ("none", "") and ring[1] >= 2 and ring[2] not in ("transparent", "rgba(0, 0, 0, 0)"), ring


MODES = {
    "320px-200pct-text": {"viewport": {"width": 320, "height": 640}},
    "forced-colors": {"viewport": {"width": 1024, "height": 900}, "forced_colors": "active"},
}


@pytest.mark.parametrize("mode", list(MODES))
def test_the_letter_walk_at_200pct_text_on_320px_and_in_forced_colors(site, browser, mode):  # noqa: F811
    options = MODES[mode]
    context = browser.new_context(viewport=options["viewport"], forced_colors=options.get("forced_colors", "none"))
    page = context.new_page()
    page.set_default_timeout(10_000)
    if mode.startswith("320"):
        # The browser's text size at 200%: every rem doubles (CSSOM, so the CSP allows it).
        page.add_init_script(
            "document.addEventListener('DOMContentLoaded', () => document.documentElement.style.fontSize = '200%')"
        )
    first = "Forced" if "forced" in mode else "Bigtext"
    try:
        page.goto(site.base_url + "/c/sample-campaign")
        if mode.startswith("320"):
            assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 32
            fits_sideways(page)
        else:
            assert page.evaluate("matchMedia('(forced-colors: active)').matches")
        # An error first: the summary must stay visible, focused, with a visible ring and its links on screen.
        submit(site, page, "Review my letters")
        summary = page.locator("#form-errors")
        expect(summary).to_be_focused()
        expect(summary).to_be_visible()
        assert summary.evaluate("el => getComputedStyle(el).borderLeftStyle") != "none"  # a frame, not a tint
        in_view_horizontally(summary.get_by_role("link").first)
        page.keyboard.press("Tab")
        assert_focus_shows(page)
        if mode.startswith("320"):
            fits_sideways(page)

        fill(page, first=first, street="1 Main St", zip_code="12207", city="Albany")
        submit(site, page, "Review my letters")
        expect(page.get_by_role("heading", level=1)).to_have_text("Review your letters")
        send = page.get_by_role("button", name="Send 3 letters")
        expect(send).to_be_visible()
        in_view_horizontally(send)
        tab_until(page, send)
        assert_focus_shows(page)
        if mode.startswith("320"):
            fits_sideways(page)
        page.keyboard.press("Enter")
        site.clock.now += 30

        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Thank you, {first}")
        for who in ("Charles E. Schumer", "Kirsten E. Gillibrand", "Paul Tonko"):
            for control in (
                page.get_by_role("button", name=re.compile(f"^Copy letter \\(.*{re.escape(who)}")),
                page.get_by_role("button", name=re.compile(f"^I sent it.*{who}")),
            ):
                expect(control).to_be_visible()
                in_view_horizontally(control)
            badge = page.get_by_role("region", name=re.compile(who)).locator(".badge")
            expect(badge).to_have_text("Needs your step")  # the state is in words, not only a color
        if mode.startswith("320"):
            fits_sideways(page)
        else:  # in forced colors a badge keeps a border, so it still reads as a label
            badge = page.locator(".badge").first
            assert badge.evaluate("el => getComputedStyle(el).borderStyle") != "none"

        page.goto(site.base_url + "/c/sample-campaign/scoreboard?zip=12207")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        skip = page.get_by_role("link", name="Skip the map to the office table")
        tab_until(page, skip)
        assert_focus_shows(page)
        # "Your state" stays marked by a dashed outline (a shape, not a color), and says so in its name.
        mine = page.get_by_role("link", name=re.compile(r"New York: .*\(your state\)$")).locator("rect")
        expect(mine).to_have_count(1)
        stroke = mine.evaluate("el => [getComputedStyle(el).strokeDasharray, getComputedStyle(el).stroke]")
        assert stroke[0] not in ("none", "") and stroke[1] != "none", stroke
        if mode.startswith("320"):
            fits_sideways(page)
    finally:
        context.close()
    found = stored(site, first)
    assert found["actions"] == 1 and len(found["letters"]) == 3 and found["consent"] == [True]
    assert {(c, s) for *_rest, c, s in found["letters"]} == {("contact_form", "handoff")}


@pytest.fixture(scope="module")
def long_names(site):  # noqa: F811
    """A campaign title, a detainee and a member whose names are one very long word each."""
    from advocacy.campaigns.models import Campaign
    from advocacy.congress import cache
    from advocacy.congress.models import Member

    with site.app_context():
        campaign = db.session.scalars(select(Campaign).where(Campaign.slug == "sample-campaign")).one()
        campaign.title = f"Sample campaign: Free {LONG_WORD} {LONG_WORD}"
        campaign.detainee_name = f"{LONG_WORD} {LONG_WORD}"
        member = db.session.get(Member, "T000469")  # Paul Tonko, NY-20 (ZIP 12207)
        member.official_full = f"Paul {LONG_WORD}{LONG_WORD} Tonko"
        member.last_name = f"Tonko{LONG_WORD}"
        db.session.commit()
        cache.invalidate()
        db.session.remove()
    return site


STAFF_PATHS = (
    "/dashboard",
    "/staff/campaigns/sample-campaign",
    "/staff/campaigns/sample-campaign/exports",
    "/staff/campaigns/sample-campaign/exports?state=Q1",  # with the error summary
    "/organizer/campaigns/{campaign}",
    "/organizer/campaigns/{campaign}/photo",
    "/organizer/campaigns/{campaign}/translations",
    "/organizer/campaigns/sample-campaign/statements/",
    "/organizer/campaigns/sample-campaign/statements/new?q=Tonko",
    "/organizer/deliveries",
)


def test_long_names_do_not_push_any_page_sideways_at_320px(site, long_names, browser):  # noqa: F811
    from advocacy.auth.services import create_user
    from advocacy.campaigns.models import Campaign
    from tests.browser.conftest import log_in

    with long_names.app_context():
        create_user("longnames-admin@example.org", "a long enough admin password", "admin")
        campaign_id = db.session.scalars(select(Campaign.id).where(Campaign.slug == "sample-campaign")).one()
        db.session.remove()
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.add_init_script(
        "document.addEventListener('DOMContentLoaded', () => document.documentElement.style.fontSize = '150%')"
    )
    try:
        for path in ("/", "/c/sample-campaign", "/c/sample-campaign/scoreboard?zip=12207", "/lookup?zip=12207",
                     "/privacy"):  # fmt: skip
            page.goto(site.base_url + path)
            if path != "/privacy":  # the long campaign or member name is really on the page
                expect(page.locator("main")).to_contain_text(LONG_WORD)
            fits_sideways(page)
        page.goto(site.base_url + "/c/sample-campaign")
        fill(page, first="Longname", street="1 Main St", zip_code="12207", city="Albany")
        submit(site, page, "Review my letters")
        expect(page.get_by_role("heading", level=1)).to_have_text("Review your letters")
        fits_sideways(page)
        submit(site, page, "Send 3 letters")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you, Longname")
        expect(page.get_by_role("region", name=re.compile(LONG_WORD)).first).to_be_visible()
        fits_sideways(page)  # the long office name, its buttons and the share URL
        log_in(page, site.base_url, "longnames-admin@example.org", "a long enough admin password")
        for path in STAFF_PATHS:
            page.goto(site.base_url + path.format(campaign=campaign_id))
            assert "/login" not in page.url
            fits_sideways(page)
    finally:
        context.close()
    found = stored(site, "Longname")
    assert found["actions"] == 1 and any(LONG_WORD in name for name, *_ in found["letters"])
