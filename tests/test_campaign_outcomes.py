"""Campaigns have outcomes: Guan Heng's campaign tells the public record (closed, won, a timeline with sources,
Rep. Krishnamoorthi's letter recorded), thanks only the offices that acted, and says so everywhere (page,
home, API, feed); the sample campaign says it is a sample on every page of it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own feed in a test

from sqlalchemy import func, select

from advocacy.campaigns.services import campaign_counts
from advocacy.delivery.models import Delivery
from advocacy.letters.models import Action, Letter
from tests.letters_support import GOOD

KRISHNAMOORTHI = "K000391"  # Rep. Raja Krishnamoorthi, IL-8 (congress-legislators)
# A writer in IL-8 (ZIP 60193 lies wholly in it): their representative acted, their senators did not.
SCHAUMBURG = {**GOOD, "address": "1 Main St", "city": "Schaumburg", "state": "IL", "zip": "60193"}
ALBANY = GOOD  # NY-20: none of the writer's members has a statement for Guan Heng
API = "/api/v1/campaigns/guan-heng/actions"
ATOM = "{http://www.w3.org/2005/Atom}"


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def started(client, slug: str) -> str:
    page = client.get(f"/c/{slug}").get_data(as_text=True)
    return re.search(r'name="started" value="([^"]+)"', page).group(1)


def test_guan_heng_page_shows_the_outcome_and_the_timeline_with_sources(client, guan_heng):
    html = client.get("/c/guan-heng").get_data(as_text=True)
    assert "Outcome: Released" in html and "February 3, 2026" in html
    assert "granted Guan Heng asylum on 28 January 2026" in html
    assert "still detained" not in html and "on bond" not in html
    timeline = html.split('id="timeline-heading"')[1].split("</table>")[0]
    assert timeline.count("<tr>") == 1 + len(guan_heng.timeline)
    assert '<time datetime="2025-12-12">' in timeline and '<time datetime="2026-02-03">' in timeline
    assert 'href="https://democrats-selectcommitteeontheccp.house.gov/"' in timeline
    assert "Krishnamoorthi Presses DHS to Grant Asylum to Guan Heng" in timeline
    assert "Baptist Press" in timeline  # a source the record names without a link is still shown
    assert "Thank the offices that acted" in html and 'name="first_name"' in html
    assert "Sample campaign" not in html


def test_home_page_shows_the_outcome_beside_the_live_sample(client, guan_heng, live_campaign):
    html = client.get("/").get_data(as_text=True)
    assert html.index("/c/sample-campaign") < html.index("/c/guan-heng")  # live first
    card = html.split('href="/c/guan-heng"')[1].split("</li>")[0]
    assert "Outcome: Released" in card and "February 3, 2026" in card
    sample_card = html.split('href="/c/sample-campaign"')[1].split("</li>")[0]
    assert "Sample campaign: not a real person." in sample_card


def test_the_api_gives_the_outcome_timeline_and_counts_apart(client, guan_heng, live_campaign):
    data = client.get("/api/v1/campaigns/guan-heng").json
    assert data["status"] == "closed" and data["accepting_letters"] is False and data["accepting_thanks"] is True
    assert data["outcome"] == {
        "kind": "released",
        "result": "won",
        "label": "Released",
        "date": "2026-02-03",
        "message": guan_heng.outcome_message,
    }
    assert data["sample"] is False
    event = next(e for e in data["timeline"] if e["date"] == "2025-12-12")
    assert event["source_url"] == "https://democrats-selectcommitteeontheccp.house.gov/"
    assert data["counts"] == {"letters_sent": 0, "offices_spoken": 1, "thanks_sent": 0}
    listed = {c["slug"]: c for c in client.get("/api/v1/campaigns").json["campaigns"]}
    assert listed["sample-campaign"]["sample"] is True and listed["sample-campaign"]["outcome"] is None
    assert listed["guan-heng"]["outcome"]["result"] == "won"
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert {"outcome", "timeline", "sample", "accepting_thanks"} <= set(schema["Campaign"]["properties"])
    assert "thanks_sent" in schema["Campaign"]["properties"]["counts"]["properties"]


def test_the_feed_leads_with_the_outcome_then_the_recorded_statement(client, guan_heng):
    feed = ET.fromstring(client.get("/c/guan-heng/statements.atom").data)  # noqa: S314
    entries = feed.findall(f"{ATOM}entry")
    assert entries[0].find(f"{ATOM}title").text == "Guan Heng: Released (2026-02-03)"
    assert entries[0].find(f"{ATOM}id").text.endswith(":campaign:guan-heng:outcome")
    assert entries[0].find(f"{ATOM}link").get("href") == "http://localhost/c/guan-heng"
    assert "Raja Krishnamoorthi" in entries[1].find(f"{ATOM}title").text
    assert entries[1].find(f"{ATOM}link").get("href") == "https://democrats-selectcommitteeontheccp.house.gov/"


def test_thanks_go_only_to_the_writers_members_who_acted(client, db, guan_heng):
    response = client.post(API, json=SCHAUMBURG)
    assert response.status_code == 201, response.json
    [letter] = response.json["letters"]
    assert letter["office"]["bioguide_id"] == KRISHNAMOORTHI  # not Illinois's senators: they did not act
    assert letter["subject"] == "Thank you for speaking up for Guan Heng"
    assert letter["body"].startswith("Dear Representative Krishnamoorthi,")
    stored = db.session.scalars(select(Letter)).one()
    assert (stored.bioguide_id, stored.purpose, stored.stance_at_send) == (KRISHNAMOORTHI, "thanks", "supports")
    assert stored.template_variant == "Thank offices that acted"
    assert db.session.scalars(select(Delivery)).one().letter_id == stored.id
    counts = campaign_counts(guan_heng)
    assert (counts.letters_sent, counts.thanks_sent, counts.offices_spoken) == (0, 1, 1)
    again = client.post(API, json=SCHAUMBURG)  # the same person again: no second thank-you to the office
    assert again.status_code == 200 and count(db, Letter) == 1


def test_a_writer_whose_members_never_acted_is_told_so_and_nothing_is_stored(client, db, guan_heng):
    response = client.post(API, json=ALBANY)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "no_offices"
    assert "None of your members of Congress has spoken up for Guan Heng" in response.json["error"]["message"]
    form = {**ALBANY, "consent": "y", "started": started(client, "guan-heng")}
    page = client.post("/c/guan-heng/write", data=form)
    assert page.status_code == 422 and "there is no office to thank" in page.get_data(as_text=True)
    assert (count(db, Action), count(db, Letter), count(db, Delivery)) == (0, 0, 0)


def test_the_thank_you_flow_in_html_reviews_and_sends_one_letter(client, db, guan_heng, app):
    app.config["FORM_MIN_FILL_SECONDS"] = 0
    form = {**SCHAUMBURG, "consent": "y", "started": started(client, "guan-heng")}
    review = client.post("/c/guan-heng/write", data=form).get_data(as_text=True)
    assert review.count('class="letter"') == 1 and "To Representative Raja Krishnamoorthi" in review
    sent = client.post("/c/guan-heng/send", data=form)
    assert sent.status_code == 303
    assert db.session.scalars(select(Letter.purpose)).all() == ["thanks"]


def test_a_closed_campaign_without_the_thank_you_action_takes_nothing(client, db, guan_heng):
    guan_heng.thanks_open = False
    db.session.commit()
    html = client.get("/c/guan-heng").get_data(as_text=True)
    assert "no longer taking letters" in html and 'name="first_name"' not in html
    response = client.post(API, json=SCHAUMBURG)
    assert response.status_code == 409 and response.json["error"]["code"] == "campaign_closed"
    assert count(db, Action) == 0


def test_the_sample_banner_is_on_every_page_of_the_sample(client, db, live_campaign, app):
    app.config["FORM_MIN_FILL_SECONDS"] = 0
    banner = "Sample campaign: not a real person"
    form = {**GOOD, "consent": "y", "started": started(client, "sample-campaign")}
    pages = {
        "campaign": client.get("/c/sample-campaign"),
        "scoreboard": client.get("/c/sample-campaign/scoreboard"),
        "review": client.post("/c/sample-campaign/write", data=form),
        "problem": client.post("/c/sample-campaign/write", data={**form, "zip": "1"}),
    }
    sent = client.post("/c/sample-campaign/send", data=form)
    pages["confirmation"] = client.get(sent.headers["Location"])
    for name, response in pages.items():
        assert response.status_code in (200, 400), name
        assert banner in response.get_data(as_text=True), name
    assert client.get("/api/v1/campaigns/sample-campaign").json["sample"]


def test_staff_exports_tell_thank_you_letters_apart(client, db, guan_heng, staff_client):
    from tests.factories import csv_rows

    assert client.post(API, json=SCHAUMBURG).status_code == 201
    rows = csv_rows(staff_client.get("/staff/campaigns/guan-heng/exports/contacts.csv", buffered=True).data)
    purpose = rows[0].index("Purpose")
    assert [row[purpose] for row in rows[1:]] == ["thanks"]
    assert rows[1][rows[0].index("Office ID")] == KRISHNAMOORTHI
    dashboard = staff_client.get("/staff/campaigns/guan-heng").get_data(as_text=True)
    assert re.search(r'class="count">0</span><br>letters<', dashboard)  # the campaign's own letters
    assert re.search(r'class="count">1</span><br>thank-you letters<', dashboard)
