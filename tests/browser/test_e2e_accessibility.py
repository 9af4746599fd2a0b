"""axe-core finds no serious or critical accessibility problem on any public page, in every state a constituent
meets (errors, the district choice, review, confirmation), nor on the main organizer, staff and admin pages.

Pages are checked as the browser shows them, with the site's CSP bypassed only so axe-core can be injected.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import requests
from sqlalchemy import select

from tests.browser.conftest import ARTIFACTS, NY12_STREET, SPLIT_ZIP, axe_violations

pytestmark = pytest.mark.browser

_writers = itertools.count(1)


@pytest.fixture(scope="module")
def role_pages(browser, live_site, signed_in):
    """One page per role (None: anonymous) for the whole module, where axe-core may be injected: reusing it
    keeps each check to a fraction of a second."""
    from tests.browser.conftest import AXE, _missing

    if not AXE.exists():
        _missing("axe-core not installed (npm ci installs it from package.json)")
    pages = {}

    def get(role: str | None = None):
        if role not in pages:
            state = signed_in(role) if role else None
            context = browser.new_context(bypass_csp=True, storage_state=state, viewport={"width": 1024, "height": 900})
            pages[role] = context.new_page()
            pages[role].set_default_timeout(10_000)
        return pages[role]

    yield get
    for page in pages.values():
        page.context.close()


@pytest.fixture
def checked_page(role_pages, request):
    """The page of a role (anonymous by default), screenshotted into test-artifacts/ when the test fails."""
    used = []

    def get(role: str | None = None):
        used.append(role_pages(role))
        return used[-1]

    yield get
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.nodeid)[-140:]
        for n, page in enumerate(dict.fromkeys(used)):
            page.screenshot(path=str(ARTIFACTS / f"{safe}-{n}.png"), full_page=True)


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def fill_letter_form(page, street: str) -> None:
    n = next(_writers)
    page.get_by_label("First name", exact=True).fill(f"Axe{n}")
    page.get_by_label("Last name", exact=True).fill("Checker")
    page.get_by_label("Email", exact=True).fill(f"axe{n}@example.org")
    page.get_by_label("Street address", exact=True).fill(street)
    page.get_by_label("City", exact=True).fill("New York")
    page.get_by_label("State or territory", exact=True).select_option("NY")
    page.get_by_label("ZIP code", exact=True).fill(SPLIT_ZIP)
    page.get_by_role("button", name="Review my letters").click()


# --- public pages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/c/sample-campaign",
        "/c/sample-campaign/scoreboard",
        "/c/guan-heng",  # closed and won: the outcome, the timeline, the thank-you form
        "/lookup",
        "/login",
        "/no-such-page",
    ],
)
def test_public_pages(live_site, checked_page, path):
    page = checked_page()
    page.goto(live_site.base_url + path)
    assert_accessible(page)


def test_letter_form_with_errors_and_the_district_choice(live_site, checked_page):
    page = checked_page()
    page.goto(live_site.base_url + "/c/sample-campaign")
    page.get_by_role("button", name="Review my letters").click()  # everything missing
    assert page.locator("#form-errors").is_visible()
    assert_accessible(page)
    fill_letter_form(page, "9 Nowhere Road")  # a split ZIP the geocoder cannot settle
    assert page.get_by_role("radio").count() == 2
    assert_accessible(page)


def test_review_and_thanks_pages(live_site, checked_page):
    page = checked_page()
    page.goto(live_site.base_url + "/c/sample-campaign")
    fill_letter_form(page, NY12_STREET)
    page.get_by_role("heading", name="Review your letters").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Send 3 letters").click()
    page.get_by_role("heading", name="Thank you", exact=False).wait_for()
    page.get_by_role("button", name="Copy letter").first.wait_for()  # the script has run
    assert_accessible(page)
    page.get_by_role("button", name="I sent it").first.click()
    page.get_by_text("You sent this letter").wait_for()
    assert_accessible(page)


def test_lookup_result_after_a_street_address(live_site, checked_page):
    page = checked_page()
    page.goto(live_site.base_url + "/lookup")
    page.get_by_label("ZIP code", exact=False).first.fill(SPLIT_ZIP)
    page.get_by_label("Street address", exact=False).first.fill(NY12_STREET)
    page.get_by_role("button", name="Find my members").click()
    page.get_by_text("Nadler").first.wait_for()
    assert_accessible(page)


# --- organizer, staff and admin pages ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def ids(live_site):
    """Ids of the sample campaign and its first letter; one statement and one letter so lists are not empty."""
    from advocacy.campaigns.models import Campaign
    from advocacy.extensions import db
    from advocacy.statements.services import StatementInput, record_statement

    response = requests.post(
        live_site.base_url + "/api/v1/campaigns/sample-campaign/actions",
        json={
            "first_name": "Listfiller",
            "last_name": "Axe",
            "email": "listfiller@example.org",
            "address": "1 Congress Ave",
            "city": "Austin",
            "state": "TX",
            "zip": "78701",
        },
        timeout=30,
    )
    assert response.status_code in (200, 201), response.text
    with live_site.app_context():
        campaign = db.session.scalars(select(Campaign).where(Campaign.slug == "sample-campaign")).one()
        statement = record_statement(
            campaign.id,
            StatementInput("P000197", dt.date(2025, 8, 12), "press_release", "supports", "https://example.gov/s"),
            None,
        )
        found = {"campaign": campaign.id, "letter": campaign.letters[0].id, "statement": statement.id}
        db.session.remove()
    return found


ORGANIZER_PAGES = [
    "/dashboard",
    "/organizer/campaigns",
    "/organizer/campaigns/{campaign}",
    "/organizer/campaigns/{campaign}/edit",
    "/organizer/campaigns/{campaign}/photo",
    "/organizer/campaigns/{campaign}/translations",
    "/organizer/campaigns/{campaign}/targets",
    "/organizer/campaigns/{campaign}/targets?office_q=NY&committee_q=judiciary",  # the pickers' results
    "/organizer/campaigns/{campaign}/letters/{letter}",
    "/organizer/campaigns/{campaign}/preview",
    "/organizer/campaigns/{campaign}/preview?office=P000145&office_q=Vermont",
    "/organizer/campaigns/sample-campaign/casework/?office_q=NY&committee_q=judiciary",  # priority pickers' results
    "/organizer/campaigns/sample-campaign/statements/",
    "/organizer/campaigns/sample-campaign/statements/new?q=nadler",
    "/organizer/campaigns/sample-campaign/statements/{statement}/edit",
    "/organizer/deliveries",
]
STAFF_PAGES = [
    "/staff/campaigns",
    "/staff/campaigns/sample-campaign",
    "/staff/campaigns/sample-campaign/exports",
    "/staff/campaigns/sample-campaign/exports?from=2020-13-01",  # a filter error
    "/staff/campaigns/sample-campaign/contacts",
]
ADMIN_PAGES = ["/admin/users", "/admin/audit", "/admin/privacy", "/admin/organization"]


@pytest.mark.parametrize(
    "role, path",
    [("organizer", p) for p in ORGANIZER_PAGES]
    + [("staff", p) for p in STAFF_PAGES]
    + [("admin", p) for p in ADMIN_PAGES],
)
def test_signed_in_pages(live_site, checked_page, ids, role, path):
    page = checked_page(role)
    response = page.goto(live_site.base_url + path.format(**ids))
    assert response.status in (200, 400), (path, response.status)
    assert "/login" not in page.url
    assert_accessible(page)


def test_letter_form_showing_a_template_error(live_site, checked_page, ids):
    page = checked_page("organizer")
    page.goto(live_site.base_url + "/organizer/campaigns/{campaign}/letters/{letter}".format(**ids))
    page.get_by_label("Letter").fill("Dear {{ office.salutaton }},\n")
    page.get_by_role("button", name="Save letter").click()
    page.get_by_role("alert").wait_for()
    assert_accessible(page)


def test_admin_privacy_lookup_result(live_site, checked_page, ids):
    page = checked_page("admin")
    page.goto(live_site.base_url + "/admin/privacy")
    page.get_by_label("Email", exact=False).first.fill("listfiller@example.org")
    page.get_by_role("button", name="Find").first.click()
    page.get_by_text("Listfiller").first.wait_for()
    assert_accessible(page)
