"""In a real browser: the scoreboard and the organizer's statement pages have no serious accessibility
problem (axe-core), and the scoreboard works without JavaScript under the site's CSP."""

import datetime as dt
import threading

import pytest
from werkzeug.serving import make_server

from advocacy.extensions import db
from tests.browser.conftest import AXE, _missing, axe_violations
from tests.conftest import PASSWORD, make_app

pytestmark = pytest.mark.browser

ORGANIZER_PAGES = ["/", "/new?q=new+york", "/1/edit", "/feeds", "/review", "/review/1"]


@pytest.fixture(scope="module")
def chromium(browser):
    """The shared headless Chromium (conftest), once axe-core is there to inject."""
    if not AXE.exists():
        _missing("axe-core not installed (npm ci installs it from package.json)")
    return browser


@pytest.fixture(scope="module")
def site(tmp_path_factory, congress_files):
    """The app on a real port, with the real roster, a campaign, statements and one review candidate."""
    from advocacy.auth.services import create_user
    from advocacy.congress.sync import apply_districts, apply_legislators
    from advocacy.statements.models import StatementCandidate
    from advocacy.statements.services import StatementInput, record_statement
    from tests.factories import make_campaign

    path = tmp_path_factory.mktemp("scoreboard-a11y") / "site.db"
    app = make_app(f"sqlite:///{path}", WTF_CSRF_ENABLED=True)
    (legislators, legislators_from), (districts, districts_from) = congress_files
    with app.app_context():
        db.create_all()
        apply_legislators(legislators, legislators_from)
        apply_districts(districts, districts_from)
        create_user("organizer@example.org", PASSWORD, "organizer")
        campaign = make_campaign(keywords=["Guan Heng"])
        for bioguide_id, stance in (("G000555", "supports"), ("N000002", "neutral"), ("C001098", "opposes")):
            record_statement(
                campaign.id,
                StatementInput(bioguide_id, dt.date(2025, 8, 12), "press_release", stance, "https://example.gov/s"),
                None,
            )
        db.session.add(
            StatementCandidate(
                campaign_id=campaign.id,
                bioguide_id="P000197",
                feed_url="http://pelosi.house.gov/atom.xml",
                title="Pelosi Statement on Guan Heng",
                url="https://pelosi.house.gov/news/guan-heng",
                snippet="…calls on DHS to release Guan Heng…",
                matched_keyword="Guan Heng",
            )
        )
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.parametrize("query", ["", "?zip=10027", "?state=NY&sort=date&dir=desc"])
def test_scoreboard_has_no_serious_violations(chromium, site, query):
    context = chromium.new_context(bypass_csp=True)  # only so axe-core can be injected
    page = context.new_page()
    page.goto(site + "/c/guan-heng/scoreboard" + query)
    assert axe_violations(page) == []
    context.close()


def test_scoreboard_works_without_javascript_under_the_csp(chromium, site):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(site + "/c/guan-heng/scoreboard")
    page.fill("#zip", "10027")
    page.click("text=Show my members")
    assert page.locator("tr.st-mine").count() == 4
    page.select_option("#t-stance", "supports")
    page.click("form.st-filters button[type=submit]")
    assert "stance=supports" in page.url and "zip=10027" in page.url
    assert page.locator("table.st-offices tbody tr").count() == 1
    page.click("a[aria-label^='NY ']")
    assert "state=NY" in page.url
    assert errors == []
    context.close()


def test_organizer_pages_have_no_serious_violations(chromium, site):
    context = chromium.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(site + "/login")
    page.fill("#email", "organizer@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard")
    for path in ORGANIZER_PAGES:
        page.goto(site + "/organizer/campaigns/guan-heng/statements" + path)
        assert axe_violations(page) == [], path
    page.goto(site + "/organizer/campaigns/guan-heng/statements/new")
    page.click("text=Record statement")  # an empty form: every error shown
    assert page.locator("p.error").count() >= 3
    assert axe_violations(page) == []
    context.close()
