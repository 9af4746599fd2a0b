"""Campaigns have outcomes: Guan Heng's campaign tells the public record (closed, won, a timeline with sources,
Rep. Krishnamoorthi's letter recorded), thanks only the offices that acted, and says so everywhere (page,
home, API, feed); the sample campaign says it is a sample on every page of it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own feed in a test

import pytest
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
    offices = csv_rows(staff_client.get("/staff/campaigns/guan-heng/exports/offices.csv", buffered=True).data)
    [office] = [dict(zip(offices[0], row, strict=True)) for row in offices[1:]]
    assert (office["Office ID"], office["Letters"], office["Thank-you letters"]) == (KRISHNAMOORTHI, "0", "1")
    assert not any(header.startswith("Letters 20") for header in offices[0])  # no campaign letters by week
    dashboard = staff_client.get("/staff/campaigns/guan-heng").get_data(as_text=True)
    assert re.search(r'class="count">0</span><br>letters<', dashboard)  # the campaign's own letters
    assert re.search(r'class="count">1</span><br>thank-you letters<', dashboard)


def test_on_the_whole_roster_only_the_office_that_acted_is_thanked(full_congress, guan_heng, client, db):
    """The real roster (../shared/data) and Rep. Krishnamoorthi's letter as the campaign file records it: of every
    sitting member, and for a writer anywhere in Illinois, only his office can get a thank-you."""
    import csv

    from advocacy.campaigns.services import Target, campaign_targets, thanks_targets
    from advocacy.congress.lookup import lookup_representatives
    from advocacy.congress.offices import current_offices
    from advocacy.statements.services import cached_stances
    from tests.data import ZCCD_CSV

    stances = cached_stances(guan_heng.id)
    assert {bioguide for bioguide, stance in stances.items() if stance == "supports"} == {KRISHNAMOORTHI}
    offices = current_offices()
    assert len(offices) == 537  # 100 senators, 431 representatives, 6 delegates
    everyone = [Target.for_office(office, "delegation") for office in offices]
    assert [target.key for target in thanks_targets(everyone, stances)] == [KRISHNAMOORTHI]

    districts: dict[str, set[tuple[str, str]]] = {}
    with open(ZCCD_CSV, newline="") as rows:
        for row in csv.DictReader(rows):
            districts.setdefault(row["zcta"], set()).add((row["state_abbr"], row["cd"]))
    illinois = sorted(z for z, places in districts.items() if any(state == "IL" for state, _ in places))
    thanked = []
    for zip_code in illinois:
        lookup = lookup_representatives(zip_code)
        keys = [t.key for t in thanks_targets(campaign_targets(guan_heng, lookup), stances)]
        assert keys in ([], [KRISHNAMOORTHI]), zip_code
        thanked += [zip_code] if keys else []
    # Exactly the ZIPs the crosswalk puts wholly in IL-8 (a split ZIP names no representative until the address
    # places it); every other Illinois writer has nobody to thank.
    assert thanked == [z for z in illinois if districts[z] == {("IL", "8")}] and thanked

    response = client.post(API, json=SCHAUMBURG)
    assert response.status_code == 201 and [x["office"]["bioguide_id"] for x in response.json["letters"]] == [
        KRISHNAMOORTHI
    ]
    assert db.session.scalars(select(Letter.bioguide_id)).all() == [KRISHNAMOORTHI]
    chicago = {**SCHAUMBURG, "email": "lee@example.org", "city": "Chicago", "zip": "60614"}  # not IL-8
    assert client.post(API, json=chicago).status_code == 422
    assert count(db, Letter) == 1 and count(db, Action) == 1


def test_the_sample_banner_is_on_the_pages_a_writer_reaches_from_it(client, db, live_campaign, app):
    app.config["FORM_MIN_FILL_SECONDS"] = 0
    banner = "Sample campaign: not a real person"
    form = {**GOOD, "consent": "y", "started": started(client, "sample-campaign")}
    # A split ZIP (NY-12/13) whose street the geocoder cannot place: the page asks for the district.
    split = client.post("/c/sample-campaign/write", data={**form, "zip": "10024", "city": "New York"})
    assert 'name="district"' in split.get_data(as_text=True) and banner in split.get_data(as_text=True)
    back = client.post("/c/sample-campaign/edit", data=form)
    assert back.status_code == 200 and banner in back.get_data(as_text=True)
    app.config["ACTION_RATE_LIMIT_IP"] = "1 per minute"
    assert client.post("/c/sample-campaign/send", data=form).status_code == 303
    throttled = client.post("/c/sample-campaign/send", data={**form, "email": "bo@example.org"})
    assert throttled.status_code == 429 and banner in throttled.get_data(as_text=True)
    spanish = client.get("/c/sample-campaign?lang=es").get_data(as_text=True)  # in every language
    assert "Campaña de ejemplo: no es una persona real." in spanish


def test_a_sample_cannot_go_live_in_production_from_the_web_pages(organizer_client, app, db, tmp_path):
    import dataclasses
    import shutil

    from advocacy.campaigns.loading import load_campaigns
    from advocacy.campaigns.models import Campaign
    from tests.letters_support import SAMPLE

    folder = shutil.copytree(SAMPLE, tmp_path / "sample-campaign")
    text = (folder / "campaign.yaml").read_text().replace("status: live", "status: draft")
    (folder / "campaign.yaml").write_text(text)
    load_campaigns(folder)
    campaign = db.session.scalar(select(Campaign))
    settings = app.config["ADVOCACY_SETTINGS"]
    app.config["ADVOCACY_SETTINGS"] = dataclasses.replace(settings, env="production")
    response = organizer_client.post(f"/organizer/campaigns/{campaign.id}/publish", follow_redirects=True)
    assert "A sample campaign cannot go live in production." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "draft"
    app.config["ADVOCACY_SETTINGS"] = settings  # in development the same button publishes it
    organizer_client.post(f"/organizer/campaigns/{campaign.id}/publish")
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "live"


def test_a_sample_left_live_takes_no_letters_in_production(client, db, live_campaign, app):
    import dataclasses

    settings = app.config["ADVOCACY_SETTINGS"]
    app.config["ADVOCACY_SETTINGS"] = dataclasses.replace(settings, env="production")
    response = client.post("/api/v1/campaigns/sample-campaign/actions", json=GOOD)
    assert response.status_code == 409 and response.json["error"]["code"] == "campaign_closed"
    assert (count(db, Action), count(db, Letter), count(db, Delivery)) == (0, 0, 0)
    app.config["ADVOCACY_SETTINGS"] = settings
    assert client.post("/api/v1/campaigns/sample-campaign/actions", json=GOOD).status_code == 201


class TestSampleEmails:
    @pytest.fixture
    def app_config(self, smtp_server):
        from tests.delivery_support import site_mail_config

        return site_mail_config(smtp_server)

    def test_the_receipt_of_a_sample_letter_says_it_is_a_sample(self, client, db, live_campaign):
        from advocacy.delivery.kinds import render

        assert client.post("/api/v1/campaigns/sample-campaign/actions", json=GOOD).status_code == 201
        receipt = db.session.scalars(select(Delivery).where(Delivery.kind == "receipt")).one()
        email = render(receipt)
        assert email.subject == "Your letters for Sample campaign: Free Sample Q. Person"
        assert "Thank you for writing about Sample campaign: Free Sample Q. Person." in email.text
        assert "from a sample campaign used to try the site" in email.text  # the letter to finish on a form
