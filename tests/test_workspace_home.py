"""The signed-in home and navigation: each role finds its tools, sees only what it may use, and knows where it is."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from advocacy.delivery.models import Delivery
from advocacy.main.home import organizer_home
from advocacy.main.nav import NAV
from advocacy.statements.models import StatementCandidate
from tests.factories import make_action, make_campaign, make_letter, make_member, make_statement

ROLES = ("staff", "organizer", "admin")
NAV_LINK = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.S)


def nav_links(html: str) -> list[tuple[str, str]]:
    block = NAV_LINK.search(html).group(1)
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', block)


@pytest.mark.parametrize("role", ROLES)
def test_every_nav_link_a_role_is_shown_opens_for_that_role(login_as, role):
    client = login_as(role)
    links = nav_links(client.get("/dashboard").get_data(as_text=True))
    assert links, "no navigation"
    for url, text in links:
        response = client.get(url)
        assert response.status_code == 200, (role, text, url, response.status_code)
        # ...and from that page every tool is still reachable
        assert nav_links(response.get_data(as_text=True)) == links, (role, url)


def test_the_nav_shows_each_role_only_the_tools_its_routes_let_it_use(login_as):
    shown = {
        role: {text for _url, text in nav_links(login_as(role).get("/dashboard").get_data(as_text=True))}
        for role in ROLES
    }
    assert "Users" not in shown["staff"] and "Campaigns" not in shown["staff"] and "Deliveries" not in shown["staff"]
    assert "Reports" in shown["staff"]
    assert {"Campaigns", "Deliveries", "Reports"} <= shown["organizer"] and "Users" not in shown["organizer"]
    assert {item.text for item in NAV} == shown["admin"]


def test_the_nav_marks_the_page_you_are_on(organizer_client):
    html = organizer_client.get("/organizer/deliveries").get_data(as_text=True)
    block = NAV_LINK.search(html).group(1)
    assert re.search(r'href="/organizer/deliveries" aria-current="page">Deliveries<', block)
    assert block.count("aria-current") == 1


def test_an_organizer_home_counts_letters_today_and_this_week_reviews_and_deliveries_needing_attention(app, db):
    now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    live = make_campaign()
    make_campaign(slug="draft-one", title="Draft", status="draft")
    make_member()
    make_letter(make_action(live, email="a@example.org", created_at=now - timedelta(hours=2)))
    make_letter(make_action(live, email="b@example.org", created_at=now - timedelta(days=3)))
    make_letter(make_action(live, email="c@example.org", created_at=now - timedelta(days=9)), status="dead")
    make_statement(live, day=(now - timedelta(days=1)).date())
    db.session.add(
        StatementCandidate(
            campaign_id=live.id,
            feed_url="https://example.org/feed",
            url="https://example.org/a",
            title="A",
            matched_keyword="Guan",
        )
    )
    db.session.commit()

    home = organizer_home(now)

    assert [(row.campaign.slug, row.today, row.week, row.pending_review) for row in home.live] == [
        ("guan-heng", 1, 2, 1)
    ]
    assert home.review_count == 1
    assert home.attention_count == db.session.query(Delivery).filter_by(status="dead").count() == 1
    assert [(s.name, s.stance) for s in home.spoken] == [("Kirsten Gillibrand", "supports")]


def test_each_role_home_shows_its_part(login_as, db):
    make_campaign()
    staff = login_as("staff").get("/dashboard").get_data(as_text=True)
    organizer = login_as("organizer").get("/dashboard").get_data(as_text=True)
    admin = login_as("admin").get("/dashboard").get_data(as_text=True)
    assert "/staff/campaigns/guan-heng/exports" in staff and "Live campaigns" not in staff
    assert "People and records" not in staff
    assert "Live campaigns" in organizer and "/organizer/campaigns/guan-heng/statements/review" in organizer
    assert "People and records" in admin and "Manage users" in admin
