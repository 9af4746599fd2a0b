"""Organizer pages: record, edit (with history), list and filter statements; monitored feeds; review queue."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from advocacy.statements.models import MonitoredFeed, Statement, StatementCandidate, StatementRevision
from advocacy.statements.services import StatementInput, record_statement
from tests.conftest import csrf_token_from
from tests.congress_support import mini_terms
from tests.factories import make_campaign

pytestmark = pytest.mark.usefixtures("congress_data")

BASE = "/organizer/campaigns/guan-heng/statements"
GILLIBRAND, NADLER, PELOSI, HAGEMAN, NORTON = "G000555", "N000002", "P000197", "H001096", "N000147"


def option_values(html: str, select_name: str = "bioguide_id") -> list[str]:
    block = re.search(rf'<select[^>]*name="{select_name}".*?</select>', html, re.S).group(0)
    return [v for v in re.findall(r'<option[^>]*value="([^"]*)"', block) if v]


def selected_value(html: str, select_name: str = "bioguide_id") -> str | None:
    block = re.search(rf'<select[^>]*name="{select_name}".*?</select>', html, re.S).group(0)
    found = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', block)
    return (found.group(1) or found.group(2)) if found else None


def form(bioguide_id=GILLIBRAND, day="2025-08-12", kind="press_release", stance="supports", url=None, quote=""):
    return {
        "bioguide_id": bioguide_id,
        "date": day,
        "kind": kind,
        "stance": stance,
        "source_url": url or f"https://www.example.gov/{bioguide_id}/{day}",
        "quote_or_summary": quote,
    }


def record(campaign, bioguide_id, stance="supports", kind="press_release", day=dt.date(2025, 8, 1)):
    return record_statement(
        campaign.id,
        StatementInput(bioguide_id, day, kind, stance, f"https://www.example.gov/{bioguide_id}/{day}/{kind}"),
        None,
    )


def test_the_office_picker_lists_every_sitting_member_and_narrows_by_search(organizer_client):
    make_campaign()
    html = organizer_client.get(f"{BASE}/new").get_data(as_text=True)
    assert len(option_values(html)) == len(mini_terms())
    assert "Sen. Kirsten E. Gillibrand (D-NY)" in html
    assert "<optgroup" in html
    by_name = organizer_client.get(f"{BASE}/new?q=gillibrand").get_data(as_text=True)
    assert option_values(by_name) == [GILLIBRAND]
    assert selected_value(by_name) == GILLIBRAND
    assert option_values(organizer_client.get(f"{BASE}/new?q=NY-12").get_data(as_text=True)) == [NADLER]
    assert option_values(organizer_client.get(f"{BASE}/new?q=wy al").get_data(as_text=True))[-1] == HAGEMAN
    new_york = sum(t["state"] == "NY" for t in mini_terms())
    assert len(option_values(organizer_client.get(f"{BASE}/new?q=New York").get_data(as_text=True))) == new_york
    accents = organizer_client.get(f"{BASE}/new?q=Velázquez").get_data(as_text=True)
    assert len(option_values(accents)) == 1


def test_recording_a_statement(organizer_client, db):
    campaign = make_campaign()
    response = organizer_client.post(f"{BASE}/new", data=form(quote="We urge DHS to release Guan Heng."))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{BASE}/")
    statement = db.session.scalars(select(Statement)).one()
    assert (statement.campaign_id, statement.bioguide_id, statement.stance) == (campaign.id, GILLIBRAND, "supports")
    assert statement.date == dt.date(2025, 8, 12)
    assert statement.recorded_by_id == organizer_client.user.id
    listing = organizer_client.get(f"{BASE}/").get_data(as_text=True)
    assert "Statement recorded for Sen. Kirsten E. Gillibrand (D-NY)." in listing
    assert "We urge DHS to release Guan Heng." in listing


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"source_url": ""}, "Give the address where the statement can be read."),
        ({"source_url": "javascript:alert(1)"}, "Give a full web address"),
        ({"stance": ""}, "Choose a stance."),
        ({"bioguide_id": ""}, "Choose the office that spoke."),
        ({"bioguide_id": "Z999999"}, "Not a valid choice"),
        ({"date": "yesterday"}, "Not a valid date value"),
        ({"date": "2999-01-01"}, "not in the future"),
        ({"kind": "tweet"}, "Not a valid choice"),
    ],
)
def test_invalid_statements_are_refused_with_a_message(organizer_client, db, changes, message):
    make_campaign()
    response = organizer_client.post(f"{BASE}/new", data={**form(), **changes})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html or message.startswith("Not a valid choice")
    # The one error pattern (issue 26): "Error:" in the title, a focused summary whose links lead to each field.
    assert "<title>Error: Record a statement" in html
    summary = re.search(r'<section class="[^"]*error-summary"[^>]*autofocus.*?</section>', html, re.S).group(0)
    assert message in summary and re.search(r'<a href="#(bioguide_id|date|kind|stance-0|source_url)">', summary)
    assert db.session.scalars(select(Statement)).all() == []


def test_a_bad_feed_address_is_refused_with_the_error_summary(organizer_client, db):
    make_campaign()
    response = organizer_client.post(f"{BASE}/feeds", data={"url": "", "label": "x"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<title>Error: Monitored feeds" in html
    summary = re.search(r'<section class="[^"]*error-summary".*?</section>', html, re.S).group(0)
    assert 'href="#url"' in summary
    assert db.session.scalars(select(MonitoredFeed)).all() == []


def test_editing_keeps_history_shown_on_the_page(organizer_client, db):
    campaign = make_campaign()
    statement = record(campaign, GILLIBRAND, stance="neutral")
    page = organizer_client.get(f"{BASE}/{statement.id}/edit").get_data(as_text=True)
    assert selected_value(page) == GILLIBRAND
    assert re.search(r'<input[^>]*checked[^>]*value="neutral"|<input[^>]*value="neutral"[^>]*checked', page)
    assert "Not edited since it was recorded." in page
    response = organizer_client.post(
        f"{BASE}/{statement.id}/edit", data=form(stance="supports", url="https://www.gillibrand.senate.gov/news/x")
    )
    assert response.status_code == 302
    revision = db.session.scalars(select(StatementRevision)).one()
    assert (revision.stance, revision.changed_by_id) == ("neutral", organizer_client.user.id)
    page = organizer_client.get(f"{BASE}/{statement.id}/edit").get_data(as_text=True)
    assert "Earlier versions of this statement" in page
    assert organizer_client.user.email in page


def test_statement_of_another_campaign_is_not_found(organizer_client):
    make_campaign()
    other = make_campaign(slug="other", title="Other")
    statement = record(other, GILLIBRAND)
    assert organizer_client.get(f"{BASE}/{statement.id}/edit").status_code == 404
    assert organizer_client.get("/organizer/campaigns/nope/statements/").status_code == 404


def test_the_list_filters_by_stance_kind_chamber_and_state(organizer_client):
    campaign = make_campaign()
    record(campaign, GILLIBRAND, "supports", "press_release")
    record(campaign, NADLER, "neutral", "floor_remarks")
    record(campaign, PELOSI, "supports", "cosigned_letter")
    record(campaign, NORTON, "opposes", "social_post")

    def shown(query: str) -> set[str]:
        html = organizer_client.get(f"{BASE}/?{query}").get_data(as_text=True)
        found = set()
        for name, bid in (("Gillibrand", GILLIBRAND), ("Nadler", NADLER), ("Pelosi", PELOSI), ("Norton", NORTON)):
            if name in html.split("<tbody>")[1]:
                found.add(bid)
        return found

    assert shown("") == {GILLIBRAND, NADLER, PELOSI, NORTON}
    assert shown("stance=supports") == {GILLIBRAND, PELOSI}
    assert shown("kind=floor_remarks") == {NADLER}
    assert shown("chamber=senate") == {GILLIBRAND}
    assert shown("chamber=house") == {NADLER, PELOSI}
    assert shown("chamber=delegates") == {NORTON}
    assert shown("state=ny") == {GILLIBRAND, NADLER}
    assert shown("state=CA&stance=neutral") == set()


def test_only_organizers_may_use_the_pages(app, client, login_as):
    make_campaign()
    staff = login_as("staff")
    for path in (f"{BASE}/", f"{BASE}/new", f"{BASE}/feeds", f"{BASE}/review"):
        assert staff.get(path).status_code == 403
        assert client.get(path).status_code == 302
    assert staff.post(f"{BASE}/new", data=form()).status_code == 403


def test_forms_need_a_csrf_token(app, organizer_client, db):
    make_campaign()
    app.config["WTF_CSRF_ENABLED"] = True
    assert organizer_client.post(f"{BASE}/new", data=form()).status_code == 400
    token = csrf_token_from(organizer_client.get(f"{BASE}/new").get_data(as_text=True))
    assert organizer_client.post(f"{BASE}/new", data={**form(), "csrf_token": token}).status_code == 302
    assert len(db.session.scalars(select(Statement)).all()) == 1


# --- Monitored feeds -------------------------------------------------------------------------


@pytest.mark.usefixtures("full_congress")  # counts the whole roster
def test_organizers_add_and_remove_feeds(organizer_client, db):
    campaign = make_campaign()
    page = organizer_client.get(f"{BASE}/feeds").get_data(as_text=True)
    assert "No feeds added yet." in page
    assert re.search(r"official press-release feeds of\s+160 members", page)
    response = organizer_client.post(
        f"{BASE}/feeds",
        data={
            "url": " https://news.example.org/search.rss?q=guan+heng#top ",
            "label": "News search",
            "bioguide_id": "",
        },
    )
    assert response.status_code == 302
    feed = db.session.scalars(select(MonitoredFeed)).one()
    assert (feed.campaign_id, feed.url, feed.label, feed.bioguide_id) == (
        campaign.id,
        "https://news.example.org/search.rss?q=guan+heng",
        "News search",
        None,
    )
    again = organizer_client.post(f"{BASE}/feeds", data={"url": "https://news.example.org/search.rss?q=guan+heng"})
    assert again.status_code == 302
    assert len(db.session.scalars(select(MonitoredFeed)).all()) == 1
    refused = organizer_client.post(f"{BASE}/feeds", data={"url": "file:///etc/passwd"})
    assert refused.status_code == 400
    with_office = organizer_client.post(
        f"{BASE}/feeds", data={"url": "https://nadler.example.org/feed", "bioguide_id": NADLER}
    )
    assert with_office.status_code == 302
    page = organizer_client.get(f"{BASE}/feeds").get_data(as_text=True)
    assert "News search" in page and "Rep. Jerrold Nadler (D-NY-12)" in page
    assert organizer_client.post(f"{BASE}/feeds/{feed.id}/remove").status_code == 302
    assert [f.url for f in db.session.scalars(select(MonitoredFeed))] == ["https://nadler.example.org/feed"]
    other = make_campaign(slug="other", title="Other")
    foreign = MonitoredFeed(campaign_id=other.id, url="https://x.example.org/feed")
    db.session.add(foreign)
    db.session.commit()
    assert organizer_client.post(f"{BASE}/feeds/{foreign.id}/remove").status_code == 404


# --- Review queue ----------------------------------------------------------------------------


def candidate(db, campaign, url="https://pelosi.house.gov/news/press-releases/guan-heng", bioguide_id=PELOSI, **kw):
    row = StatementCandidate(
        campaign_id=campaign.id,
        bioguide_id=bioguide_id,
        feed_url="http://pelosi.house.gov/atom.xml",
        title=kw.pop("title", "Pelosi Statement on Guan Heng"),
        url=url,
        published=dt.datetime(2025, 8, 14, 15, 0, tzinfo=dt.UTC),
        snippet="…calls on DHS to release Guan Heng, who documented…",
        matched_keyword="Guan Heng",
        **kw,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_accepting_a_candidate_records_a_statement(organizer_client, db):
    campaign = make_campaign()
    item = candidate(db, campaign)
    queue = organizer_client.get(f"{BASE}/review").get_data(as_text=True)
    assert "Pelosi Statement on Guan Heng" in queue and "Rep. Nancy Pelosi (D-CA-11)" in queue
    page = organizer_client.get(f"{BASE}/review/{item.id}").get_data(as_text=True)
    assert selected_value(page) == PELOSI
    assert 'value="2025-08-14"' in page
    assert "https://pelosi.house.gov/news/press-releases/guan-heng" in page
    response = organizer_client.post(
        f"{BASE}/review/{item.id}",
        data=form(PELOSI, "2025-08-14", "press_release", "supports", url=item.url, quote="Release him."),
    )
    assert response.status_code == 302
    statement = db.session.scalars(select(Statement)).one()
    assert (statement.bioguide_id, statement.source_url, statement.stance) == (PELOSI, item.url, "supports")
    db.session.refresh(item)
    assert (item.status, item.statement_id, item.reviewed_by_id) == ("accepted", statement.id, organizer_client.user.id)
    assert "Nothing pending." in organizer_client.get(f"{BASE}/review").get_data(as_text=True)
    assert item.title in organizer_client.get(f"{BASE}/review?status=accepted").get_data(as_text=True)
    # A second accept does not record it twice.
    organizer_client.post(f"{BASE}/review/{item.id}", data=form(PELOSI, url=item.url))
    assert len(db.session.scalars(select(Statement)).all()) == 1


def test_a_candidate_from_an_organizer_feed_needs_an_office(organizer_client, db):
    campaign = make_campaign()
    item = candidate(db, campaign, bioguide_id=None)
    page = organizer_client.get(f"{BASE}/review/{item.id}").get_data(as_text=True)
    assert selected_value(page) in (None, "")
    response = organizer_client.post(f"{BASE}/review/{item.id}", data=form("", url=item.url))
    assert response.status_code == 400
    db.session.refresh(item)
    assert item.status == "pending"


def test_dismissing_a_candidate(organizer_client, db):
    campaign = make_campaign()
    item = candidate(db, campaign)
    assert organizer_client.post(f"{BASE}/review/{item.id}/dismiss").status_code == 302
    db.session.refresh(item)
    assert item.status == "dismissed"
    response = organizer_client.post(f"{BASE}/review/{item.id}", data=form(PELOSI, url=item.url))
    assert response.status_code == 302
    assert db.session.scalars(select(Statement)).all() == []
    other = make_campaign(slug="other", title="Other")
    foreign = candidate(db, other, url="https://example.org/other")
    assert organizer_client.post(f"{BASE}/review/{foreign.id}/dismiss").status_code == 404
    assert organizer_client.get(f"{BASE}/review/{foreign.id}").status_code == 404


def test_the_feeds_page_says_the_congressional_record_is_not_read_without_a_govinfo_key(organizer_client, db):
    make_campaign()
    page = organizer_client.get(f"{BASE}/feeds").get_data(as_text=True)
    row = re.search(r'<tr id="source-record">(.*?)</tr>', page, re.S).group(1)
    assert "Congressional Record (GovInfo)" in row
    assert "Not read: set <code>ADVOCACY_GOVINFO_API_KEY</code>" in row and "0 items sent to review" in row
