"""The public scoreboard: totals, breakdowns, map, office table (filter and sort by query), your members,
timeline; the JSON API and the Atom feed."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from advocacy.extensions import db as _db
from advocacy.statements.services import StatementInput, record_statement
from tests.dbs import recorded_statements
from tests.factories import make_campaign

pytestmark = pytest.mark.usefixtures("congress_data")

PAGE = "/c/guan-heng/scoreboard"
API = "/api/v1/campaigns/guan-heng/scoreboard"
GILLIBRAND, SCHUMER, NADLER, ESPAILLAT, GOLDMAN = "G000555", "S000148", "N000002", "E000297", "G000599"
PELOSI, NORTON, CRUZ = "P000197", "N000147", "C001098"
ATOM = "{http://www.w3.org/2005/Atom}"


def record(campaign, bioguide_id, stance="supports", day=dt.date(2025, 8, 1), kind="press_release", quote=""):
    return record_statement(
        campaign.id,
        StatementInput(bioguide_id, day, kind, stance, f"https://www.example.gov/{bioguide_id}/{day}/{stance}", quote),
        None,
    )


@pytest.fixture
def campaign(app):
    campaign = make_campaign(keywords=["Guan Heng"], aliases=["关恒"])
    record(campaign, GILLIBRAND, day=dt.date(2025, 8, 12), quote="DHS must not deport Guan Heng.")
    record(campaign, NADLER, day=dt.date(2025, 8, 14), kind="letter_to_dhs_ice")
    record(campaign, PELOSI, "neutral", day=dt.date(2025, 7, 30))
    record(campaign, CRUZ, "opposes", day=dt.date(2025, 9, 2), kind="social_post")
    record(campaign, NORTON, day=dt.date(2025, 9, 1), kind="floor_remarks")
    return campaign


def rows(html: str) -> list[str]:
    body = html.split('class="st-offices"')[1].split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)


def all_rows(client, url: str) -> list[str]:
    """The office table's rows over every page (60 a page)."""
    found, page = [], 1
    while True:
        html = client.get(url + ("&" if "?" in url else "?") + f"page={page}").get_data(as_text=True)
        found += rows(html)
        if 'rel="next"' not in html:
            return found
        page += 1


def row_names(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.split("</td>")[0])).strip() for r in rows(html)]


@pytest.mark.usefixtures("full_congress")  # counts the whole roster
def test_totals_count_voting_offices_and_delegates_apart(client, campaign):
    html = client.get(PAGE).get_data(as_text=True)
    assert "<strong>2 of 535</strong> offices have spoken up." in html
    assert re.search(r'<span class="count">1</span> of 100 senators', html)
    assert re.search(r'<span class="count">1</span> of 431 representatives', html)
    assert re.search(r'<span class="count">1</span> of 6 delegates', html)
    assert "2 support, 1 neutral, 1 oppose" in html
    assert "527 have not spoken; 4 seats vacant" in html
    assert "Latest statement: 2025-09-02." in html


def test_page_is_public_cacheable_and_has_no_inline_style_or_script(client, campaign, login_as):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    html = response.get_data(as_text=True)
    assert not re.search(r"\sstyle\s*=", html), "CSP forbids inline style attributes"
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)
    assert 'href="/c/guan-heng/statements.atom"' in html
    # Signed in, the page carries a CSRF token (logout), so it must not be shared.
    assert login_as("staff").get(PAGE).headers["Cache-Control"] == "no-store"
    assert client.get(PAGE + "?zip=10002").headers["Cache-Control"] == "no-store"


def test_draft_and_unknown_campaigns_are_not_found(client, campaign, db):
    make_campaign(slug="draft-one", title="Draft", status="draft")
    assert client.get("/c/draft-one/scoreboard").status_code == 404
    assert client.get("/c/nope/scoreboard").status_code == 404
    assert client.get("/c/draft-one/statements.atom").status_code == 404
    assert client.get("/api/v1/campaigns/draft-one/scoreboard").json["error"]["code"] == "not_found"
    campaign.status = "closed"
    db.session.commit()
    assert client.get(PAGE).status_code == 200


@pytest.mark.usefixtures("full_congress")  # counts the whole roster
def test_the_state_map_is_inline_svg_linking_to_the_table(client, campaign):
    html = client.get(PAGE).get_data(as_text=True)
    svg = re.search(r'<svg class="state-grid".*?</svg>', html, re.S).group(0)
    root = ET.fromstring(svg)
    tiles = root.findall("{http://www.w3.org/2000/svg}a")
    assert len(tiles) == 56
    ny = next(a for a in tiles if a.get("aria-label").startswith("NY "))
    assert ny.get("aria-label") == "NY 2/28, New York: 2 of 28 offices have spoken"
    assert ny.get("href") == "/c/guan-heng/scoreboard?state=NY#offices"


@pytest.mark.usefixtures("full_congress")  # counts the whole roster
def test_breakdowns_by_chamber_party_and_state(client, campaign):
    data = client.get(API).json["totals"]
    assert data["by_chamber"]["senate"] == {
        "offices": 100,
        "spoken": 1,
        "supports": 1,
        "neutral": 0,
        "opposes": 1,
        "not_spoken": 98,
    }
    assert data["by_chamber"]["delegates"]["spoken"] == 1
    assert data["by_party"]["Democrat"]["spoken"] == 3
    assert data["by_party"]["Republican"]["opposes"] == 1
    assert data["by_state"]["NY"]["spoken"] == 2
    assert data["by_state"]["DC"] == {
        "offices": 1,
        "spoken": 1,
        "supports": 1,
        "neutral": 0,
        "opposes": 0,
        "not_spoken": 0,
    }
    html = client.get(PAGE).get_data(as_text=True)
    assert "Delegates and Resident Commissioner" in html
    assert re.search(r"New York</a></th><td>2</td><td>28</td>", html)


@pytest.mark.usefixtures("full_congress")  # counts the whole roster
def test_the_table_lists_every_office_and_filters_by_query(client, campaign):
    everyone = client.get(PAGE).get_data(as_text=True)
    assert len(rows(everyone)) == 60  # a page at a time, not a 24,000-pixel page
    assert "Showing offices 1 to 60 of 537." in everyone
    assert len(all_rows(client, PAGE)) == 537 and len(set(all_rows(client, PAGE))) == 537
    assert len(rows(client.get(PAGE + "?stance=supports").get_data(as_text=True))) == 3
    assert len(all_rows(client, PAGE + "?stance=none")) == 532
    assert len(rows(client.get(PAGE + "?chamber=delegates").get_data(as_text=True))) == 6
    assert len(rows(client.get(PAGE + "?state=ny").get_data(as_text=True))) == 28
    assert len(rows(client.get(PAGE + "?chamber=senate&party=R").get_data(as_text=True))) == 53
    assert row_names(client.get(PAGE + "?q=gillibrand").get_data(as_text=True)) == ["Senator Kirsten E. Gillibrand"]
    nothing = client.get(PAGE + "?state=NY&stance=opposes").get_data(as_text=True)
    assert "No office matches these filters." in nothing
    # A page link keeps the filters; a new filter starts at page 1.
    second = client.get(PAGE + "?stance=none&page=2").get_data(as_text=True)
    assert 'href="/c/guan-heng/scoreboard?stance=none&amp;page=3#offices" rel="next"' in second
    assert 'href="/c/guan-heng/scoreboard?stance=none&amp;sort=name#offices"' in second
    # Nonsense parameters are ignored, not errors.
    assert len(all_rows(client, PAGE + "?stance=maybe&state=ZZ&sort=evil&dir=up")) == 537
    assert len(rows(client.get(PAGE + "?page=x").get_data(as_text=True))) == 60
    assert "Showing offices 481 to 537" in client.get(PAGE + "?page=99").get_data(as_text=True)


def test_the_table_sorts_by_query(client, campaign):
    by_date = row_names(client.get(PAGE + "?sort=date&dir=desc").get_data(as_text=True))
    assert by_date[:5] == [
        "Senator Ted Cruz",
        "Delegate Eleanor Holmes Norton",
        "Representative Jerrold Nadler",
        "Senator Kirsten E. Gillibrand",
        "Representative Nancy Pelosi",
    ]
    oldest = row_names(client.get(PAGE + "?sort=date&dir=asc").get_data(as_text=True))
    assert oldest[0] == "Representative Nancy Pelosi"
    assert oldest[4] == "Senator Ted Cruz"  # offices without a statement stay last either way
    by_stance = row_names(client.get(PAGE + "?sort=stance").get_data(as_text=True))
    assert set(by_stance[:3]) == {
        "Senator Kirsten E. Gillibrand",
        "Representative Jerrold Nadler",
        "Delegate Eleanor Holmes Norton",
    }
    assert by_stance[3:5] == ["Representative Nancy Pelosi", "Senator Ted Cruz"]
    names = row_names(client.get(PAGE + "?sort=name").get_data(as_text=True))
    assert names[0].endswith("Adams") or names[0].split()[-1] <= names[1].split()[-1]
    page = client.get(PAGE + "?sort=name&stance=supports").get_data(as_text=True)
    # Headings link to the other order, keeping the filters; the current sort is announced.
    assert 'aria-sort="ascending"' in page
    assert "/c/guan-heng/scoreboard?stance=supports&amp;sort=name&amp;dir=desc#offices" in page


def test_your_members_are_highlighted_after_a_zip_lookup(client, campaign):
    html = client.get(PAGE + "?zip=10002").get_data(as_text=True)
    mine = [r for r in all_rows(client, PAGE + "?zip=10002") if "Your member" in r]
    assert len(mine) == 3
    assert {m for m in ("Gillibrand", "Schumer", "Goldman") if any(m in r for r in mine)} == {
        "Gillibrand",
        "Schumer",
        "Goldman",
    }
    section = html.split('id="yours-heading"')[1].split("</section>")[0]
    assert "Senator Kirsten E. Gillibrand" in section and "has not spoken yet" in section
    # The lookup sticks while filtering and sorting.
    assert "/c/guan-heng/scoreboard?sort=date&amp;dir=desc&amp;zip=10002#offices" in html
    # After a lookup the table opens on the page where those members are.
    assert len([r for r in rows(html) if "Your member" in r]) == 3
    # A split ZIP marks every possible representative.
    split = client.get(PAGE + "?zip=10027").get_data(as_text=True)
    assert "spans several districts" in split
    marked = [r for r in all_rows(client, PAGE + "?zip=10027") if "Your member" in r]
    assert len(marked) == 4 and any("Nadler" in r for r in marked) and any("Espaillat" in r for r in marked)


def test_a_bad_zip_is_explained_not_an_error(client, campaign):
    response = client.get(PAGE + "?zip=1234x")
    assert response.status_code == 200
    assert "Enter a 5-digit ZIP code" in response.get_data(as_text=True)
    unknown = client.get(PAGE + "?zip=00000")
    assert unknown.status_code == 200 and "We have no congressional district" in unknown.get_data(as_text=True)


def test_the_timeline_groups_statements_by_month(client, campaign):
    html = client.get(PAGE).get_data(as_text=True)
    timeline = html.split('id="timeline-heading"')[1]
    assert timeline.index("September 2025") < timeline.index("August 2025") < timeline.index("July 2025")
    assert "Sen. Kirsten E. Gillibrand (D-NY)" in timeline
    assert "DHS must not deport Guan Heng." in timeline
    assert "Letter to DHS / ICE" in timeline


def test_no_statements_yet(client, app):
    make_campaign()
    html = client.get(PAGE).get_data(as_text=True)
    assert "<strong>0 of 535</strong>" in html
    assert "No office has made a statement yet." in html


@pytest.mark.usefixtures("full_congress")  # counts the whole roster
def test_json_lists_every_sitting_member_with_stance_or_null(client, campaign):
    response = client.get(API)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    data = response.json
    offices = {o["bioguide_id"]: o for o in data["offices"]}
    assert len(offices) == 537
    assert set(offices[SCHUMER]) >= {
        "bioguide_id",
        "name",
        "chamber",
        "state",
        "district",
        "party",
        "stance",
        "statements",
    }
    assert offices[SCHUMER]["stance"] is None and offices[SCHUMER]["statements"] == []
    assert offices[GILLIBRAND]["stance"] == "supports"
    assert offices[GILLIBRAND]["statements"][0] == {
        "id": offices[GILLIBRAND]["statements"][0]["id"],
        "date": "2025-08-12",
        "kind": "press_release",
        "stance": "supports",
        "source_url": "https://www.example.gov/G000555/2025-08-12/supports",
        "quote_or_summary": "DHS must not deport Guan Heng.",
    }
    assert offices[NORTON]["delegate"] is True and offices[NORTON]["district"] == 0
    assert offices[NADLER]["district"] == 12 and offices[GILLIBRAND]["district"] is None
    totals = data["totals"]
    assert (totals["seats"], totals["offices"], totals["vacant"], totals["spoken"]) == (535, 531, 4, 2)
    assert totals["delegates"]["spoken"] == 1
    assert totals["statements"] == 5


def test_latest_statement_decides_and_all_are_listed_newest_first(client, campaign):
    record(campaign, GILLIBRAND, "neutral", day=dt.date(2025, 9, 5))
    office = next(o for o in client.get(API).json["offices"] if o["bioguide_id"] == GILLIBRAND)
    assert office["stance"] == "neutral"
    assert [s["date"] for s in office["statements"]] == ["2025-09-05", "2025-08-12"]


def test_openapi_describes_the_scoreboard(client):
    spec = client.get("/api/v1/openapi.json").json
    path = spec["paths"]["/campaigns/{slug}/scoreboard"]["get"]
    assert path["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Scoreboard"
    }
    assert "ScoreboardOffice" in spec["components"]["schemas"]


def test_atom_feed_of_statements(client, campaign):
    response = client.get("/c/guan-heng/statements.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 5
    # Newest recorded first.
    assert (
        entries[0].find(f"{ATOM}title").text
        == "Del. Eleanor Holmes Norton (D-DC): supports (floor remarks, 2025-09-01)"
    )
    first_link = entries[0].find(f"{ATOM}link[@rel='alternate']").get("href")
    assert first_link == "https://www.example.gov/N000147/2025-09-01/supports"
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == 5 and all(i.startswith("tag:localhost,") for i in ids)
    gillibrand = next(e for e in entries if "Gillibrand" in e.find(f"{ATOM}title").text)
    assert gillibrand.find(f"{ATOM}summary").text == "DHS must not deport Guan Heng."
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/c/guan-heng/statements.atom"


def test_the_scoreboard_reads_statements_in_one_query(app, client, campaign):
    # The roster's version check runs at most every CONGRESS_CACHE_SECONDS; on a slow machine it could fall
    # inside the counted window, so push it out of the way (what is counted is the statements' queries).
    app.config["CONGRESS_CACHE_SECONDS"] = 3600
    client.get(PAGE)  # warm the in-memory roster of offices
    with recorded_statements(_db.engine) as statements:
        assert client.get(PAGE).status_code == 200
        assert client.get(API).status_code == 200
    on_statements = [s for s in statements if "FROM statements" in s]
    assert len(on_statements) == 2, on_statements  # one per request
    assert len(statements) <= 8, statements  # campaign, statements, and the roster's version check at most


def test_the_page_follows_new_and_edited_statements(client, campaign):
    from advocacy.statements.services import update_statement

    assert "<strong>2 of 535</strong>" in client.get(PAGE).get_data(as_text=True)
    assert client.get(API).json["totals"]["spoken"] == 2
    statement = record(campaign, SCHUMER, day=dt.date(2025, 9, 3))
    assert "<strong>3 of 535</strong>" in client.get(PAGE).get_data(as_text=True)
    assert client.get(API).json["totals"]["spoken"] == 3
    update_statement(
        statement, StatementInput(SCHUMER, dt.date(2025, 9, 3), "press_release", "neutral", statement.source_url), None
    )
    assert "<strong>2 of 535</strong>" in client.get(PAGE).get_data(as_text=True)
    assert client.get(API).json["totals"]["neutral"] == 2


def test_statement_text_is_escaped(client, app):
    campaign = make_campaign()
    record(campaign, GILLIBRAND, quote='<script>alert("x")</script> & <b>bold</b>')
    html = client.get(PAGE).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html


def test_a_long_timeline_shows_the_latest_hundred_with_a_link_to_all(client, app, db):
    from advocacy.statements.models import Statement

    campaign = make_campaign()
    for i in range(105):
        db.session.add(
            Statement(
                campaign_id=campaign.id,
                bioguide_id=NADLER,
                date=dt.date(2025, 1, 1) + dt.timedelta(days=i),
                kind="social_post",
                stance="supports",
                source_url=f"https://x.example.org/nadler/{i}",
            )
        )
    db.session.commit()
    html = client.get(PAGE).get_data(as_text=True)
    timeline = html.split('id="timeline-heading"')[1]
    assert "The latest 100 of 105 statements." in timeline
    assert timeline.count("<li>") == 100
    assert "https://x.example.org/nadler/104" in timeline and 'https://x.example.org/nadler/4"' not in timeline
    everything = client.get(PAGE + "?timeline=all").get_data(as_text=True).split('id="timeline-heading"')[1]
    assert everything.count("<li>") == 105


def test_with_a_cache_window_the_board_is_read_once_and_follows_this_process_writes(app, client, campaign):
    from tests.factories import make_statement

    assert "<strong>2 of 535</strong>" in client.get(PAGE).get_data(as_text=True)  # roster and board fresh
    app.config.update(CAMPAIGN_CACHE_SECONDS=3600, CONGRESS_CACHE_SECONDS=3600)
    assert "<strong>2 of 535</strong>" in client.get(PAGE).get_data(as_text=True)
    with recorded_statements(_db.engine) as statements:
        assert client.get(PAGE).status_code == 200
    assert [s for s in statements if "FROM statements" in s] == []  # within the window: no query
    # A statement written by another process shows within the window; this process's own writes at once.
    make_statement(campaign, SCHUMER, day=dt.date(2025, 9, 3))
    assert "<strong>2 of 535</strong>" in client.get(PAGE).get_data(as_text=True)
    record(campaign, ESPAILLAT, day=dt.date(2025, 9, 4))
    assert "<strong>4 of 535</strong>" in client.get(PAGE).get_data(as_text=True)
