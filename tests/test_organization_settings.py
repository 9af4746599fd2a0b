"""The organization settings page (issue 16): an admin edits who runs the site; the environment gives the
defaults; what is saved is checked, audited, stored, and read by every public page and email."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from advocacy.organization.models import OrganizationSettings
from advocacy.reports.models import AuditEvent

ENV = {
    "ADVOCACY_ORG_NAME": "Env Org",
    "ADVOCACY_ORG_CONTACT_EMAIL": "env@example.org",
    "ADVOCACY_ORG_PRIVACY_TEXT": "Privacy words from the environment.",
}
PAGE = "/admin/organization"
GOOD = {
    "name": "Friends of Guan Heng",
    "logo_url": "/static/favicon.svg",
    "contact_email": "write@friends.example.org",
    "privacy_text": "We purge every submission 90 days after the campaign closes.",
    "site_url": "https://write.friends.example.org/",
}


@pytest.fixture
def app_config(smtp_server):
    return {
        "ENVIRON": {**smtp_server.environ(), **ENV},
        "DELIVERY_INLINE": False,
    }  # CSRF is off in these tests (tests/test_security_csrf.py covers every form)


def post(client, data: dict):
    return client.post(PAGE, data=data)


def stored(db) -> OrganizationSettings | None:
    db.session.expire_all()
    return db.session.get(OrganizationSettings, 1)


def audit_events(db) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "organization.update")).all()


def test_with_nothing_saved_the_page_shows_the_environments_values_as_the_defaults(admin_client):
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert "Env Org" in html and "ADVOCACY_ORG_NAME" in html and "env@example.org" in html
    assert re.search(r'<input[^>]*id="name"[^>]*value=""', html)  # blank: the environment's value applies


def test_an_admin_saves_the_settings_which_are_stored_audited_and_shown_on_public_pages(admin_client, client, db):
    response = post(admin_client, GOOD)
    assert response.status_code == 302
    row = stored(db)
    assert (row.name, row.contact_email, row.site_url) == (GOOD["name"], GOOD["contact_email"], GOOD["site_url"])
    assert row.updated_by_id == admin_client.user.id
    [event] = audit_events(db)
    assert event.user_id == admin_client.user.id
    assert sorted(event.filters["fields"]) == sorted(GOOD)

    home = client.get("/").get_data(as_text=True)
    assert re.search(r"<title>[^<]*· Friends of Guan Heng</title>", home) and "Env Org" not in home
    assert 'href="mailto:write@friends.example.org"' in home and 'src="/static/favicon.svg"' in home
    privacy = client.get("/privacy").get_data(as_text=True)
    assert GOOD["privacy_text"] in privacy and "Privacy words from the environment." not in privacy


def test_the_saved_site_address_builds_share_links(admin_client, client, db, live_campaign):
    post(admin_client, GOOD)
    html = client.get("/c/sample-campaign").get_data(as_text=True)
    assert '<meta property="og:url" content="https://write.friends.example.org/c/sample-campaign">' in html


def test_emails_carry_the_saved_organization(admin_client, client, db, live_campaign, smtp_server):
    from tests.delivery_support import run_batch
    from tests.letters_support import GOOD as LETTER

    post(admin_client, GOOD)
    assert client.post("/api/v1/campaigns/sample-campaign/actions", json=LETTER).status_code == 201
    run_batch("test-worker")
    [receipt] = smtp_server.messages
    text = receipt.get_body(("plain",)).get_content()
    assert "Friends of Guan Heng" in text and "write@friends.example.org" in text and "Env Org" not in text
    assert "https://write.friends.example.org/privacy" in text


def test_a_field_left_blank_falls_back_to_the_environment(admin_client, client, db):
    post(admin_client, GOOD)
    post(admin_client, {**GOOD, "name": "", "privacy_text": ""})
    row = stored(db)
    assert row.name is None and row.privacy_text is None and row.contact_email == GOOD["contact_email"]
    home = client.get("/").get_data(as_text=True)
    assert "Run by Env Org." in home and 'href="mailto:write@friends.example.org"' in home
    assert "Privacy words from the environment." in client.get("/privacy").get_data(as_text=True)
    assert sorted(audit_events(db)[-1].filters["fields"]) == ["name", "privacy_text"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_email", "not an address", "Give an email address"),
        ("logo_url", "https://tracker.example.com/logo.png", "Give a path on this site"),
        ("logo_url", "javascript:alert(1)", "Give a path on this site"),
        ("site_url", "ftp://example.org", "Give the site's public address"),
        ("name", "Two\nlines", "Write it on one line."),
        ("privacy_text", "x" * 5001, "Keep it under 5,000 characters."),
    ],
)
def test_a_bad_value_is_refused_with_a_summary_and_nothing_changes(admin_client, client, db, field, value, message):
    response = post(admin_client, {**GOOD, field: value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<title>Error: Organization settings" in html
    summary = re.search(r'<section class="[^"]*error-summary".*?</section>', html, re.S).group(0)
    summary = summary.replace("&#39;", "'")
    assert f'href="#{field}"' in summary and message in summary
    assert stored(db) is None and audit_events(db) == []
    assert "Run by Env Org." in client.get("/").get_data(as_text=True)


def test_only_admins_reach_the_settings(client, staff_client, organizer_client, db):
    assert client.get(PAGE).status_code == 302  # to the login page
    for other in (staff_client, organizer_client):
        assert other.get(PAGE).status_code == 403
        assert other.post(PAGE, data=GOOD).status_code in (400, 403)
    assert db.session.scalar(select(func.count()).select_from(OrganizationSettings)) == 0


def test_an_admin_finds_the_page_in_the_navigation(admin_client, organizer_client):
    assert 'href="/admin/organization"' in admin_client.get("/dashboard").get_data(as_text=True)
    assert 'href="/admin/organization"' not in organizer_client.get("/dashboard").get_data(as_text=True)
