"""No public page makes a request to another origin (issue 14, item 9): every request the browser makes on the
home page, a campaign page, the review and thanks pages, the scoreboard, the lookup page, the privacy notice, the
login and reset-request pages and an error page goes to this site, and the browser refuses none under the CSP.

Member photos were loaded from unitedstates.github.io, telling a third party the IP address of everyone who
looked up their members; an organizer's campaign photo could come from any https:// address. Now office cards
show initials, a campaign photo is shown only when this site serves it, and CSP says img-src 'self'.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import NY12_STREET, SPLIT_ZIP

pytestmark = pytest.mark.browser

ELSEWHERE = "https://photos.example.org/detainee.jpg"


@pytest.fixture
def campaign_with_a_photo_elsewhere(live_site):
    """A live campaign whose organizer set a photo on another site (still accepted, for the API)."""
    from advocacy.campaigns.models import Campaign
    from advocacy.extensions import db
    from tests.factories import make_campaign

    with live_site.app_context():
        make_campaign(slug="photo-elsewhere", title="Free Photo Elsewhere", photo_url=ELSEWHERE)
        db.session.remove()
    yield "/c/photo-elsewhere"
    with live_site.app_context():
        db.session.delete(db.session.query(Campaign).filter_by(slug="photo-elsewhere").one())
        db.session.commit()
        db.session.remove()


def test_public_pages_make_no_request_to_another_origin(live_site, page, campaign_with_a_photo_elsewhere):
    base = live_site.base_url
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    # A second witness beside the request list: the browser reports on the console every load the CSP refused.
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    images_elsewhere: list[str] = []

    def visit_done() -> None:
        page.wait_for_load_state("networkidle")
        sources = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.currentSrc || i.src)")
        images_elsewhere.extend(s for s in sources if not s.startswith(base + "/"))

    page.goto(base + "/")
    expect(page.get_by_role("link", name="Free Photo Elsewhere")).to_be_visible()
    visit_done()
    page.goto(base + campaign_with_a_photo_elsewhere)
    visit_done()

    page.goto(base + "/c/sample-campaign")
    visit_done()
    page.get_by_label("First name", exact=True).fill("Originana")
    page.get_by_label("Last name", exact=True).fill("Okonkwo-Lin")
    page.get_by_label("Email", exact=True).fill("originana@example.org")
    page.get_by_label("Street address", exact=True).fill(NY12_STREET)
    page.get_by_label("City", exact=True).fill("New York")
    page.get_by_label("State or territory", exact=True).select_option("NY")
    page.get_by_label("ZIP code", exact=True).fill(SPLIT_ZIP)
    page.get_by_role("button", name="Review my letters").click()
    expect(page.get_by_role("heading", name="Review your letters")).to_be_visible()
    visit_done()
    page.get_by_role("button", name="Send 3 letters").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you, Originana")
    visit_done()

    page.goto(base + "/c/sample-campaign/scoreboard")
    visit_done()
    page.goto(base + "/lookup")
    page.get_by_label("ZIP code").fill("12207")
    page.get_by_role("button", name="Find my members").click()
    expect(page.locator(".office-card").first).to_be_visible()
    expect(page.locator(".office-card .office-monogram").first).to_have_text("CS")  # Schumer: initials, no photo
    visit_done()

    # The rest of the public pages: the privacy notice, login and its reset request, and an error page.
    for path in ("/privacy", "/login", "/login/forgot", "/c/no-such-campaign"):
        page.goto(base + path)
        visit_done()

    assert len(requested) > 10
    assert refused == []
    assert [url for url in requested if not url.startswith(base + "/")] == []
    assert images_elsewhere == []
