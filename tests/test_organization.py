"""Who runs the site, told on every public page and in every email; a public privacy page; preview cards;
share links that point at the public address."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from advocacy.delivery.models import Delivery
from tests.conftest import make_app
from tests.delivery_support import run_batch
from tests.letters_support import GOOD

ORG = {
    "ADVOCACY_ORG_NAME": "Friends of the Detained",
    "ADVOCACY_ORG_LOGO_URL": "/static/favicon.svg",
    "ADVOCACY_ORG_CONTACT_EMAIL": "help@friends.example.org",
    "ADVOCACY_ORG_PRIVACY_TEXT": "We purge submissions 90 days after a campaign closes.",
    "ADVOCACY_SITE_URL": "https://act.friends.example.org",
}
PUBLIC_PAGES = ["/", "/c/sample-campaign", "/c/sample-campaign/scoreboard", "/lookup", "/privacy", "/login"]


@pytest.fixture
def app_config(smtp_server):
    return {"ENVIRON": {**smtp_server.environ(), **ORG}, "DELIVERY_INLINE": False}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_names_the_organization_its_contact_and_privacy_page(client, live_campaign, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r"<title>[^<]*· Friends of the Detained</title>", html)
    assert 'class="brand"' in html and 'src="/static/favicon.svg"' in html
    assert "Run by Friends of the Detained." in html
    assert 'href="mailto:help@friends.example.org"' in html and 'href="/privacy"' in html


def test_the_privacy_page_says_what_is_kept_who_sees_it_and_for_how_long(client):
    html = client.get("/privacy").get_data(as_text=True)
    for heading in ("What we keep", "Who sees it", "For how long", "Your choices"):
        assert f"<h2>{heading}</h2>" in html
    assert "We purge submissions 90 days after a campaign closes." in html
    assert "only if you asked to be kept informed" in html


def test_the_campaign_page_has_a_preview_card_at_the_public_address(client, live_campaign):
    html = client.get("/c/sample-campaign").get_data(as_text=True)
    assert '<meta property="og:url" content="https://act.friends.example.org/c/sample-campaign">' in html
    assert '<meta property="og:title" content="Sample campaign: Free Sample Q. Person">' in html
    assert 'property="og:description"' in html and 'name="twitter:card"' in html


def test_the_receipt_names_the_organization_and_its_contact(client, db, live_campaign, smtp_server):
    assert client.post("/api/v1/campaigns/sample-campaign/actions", json=GOOD).status_code == 201
    run_batch("test-worker")
    [message] = smtp_server.messages
    for part in ("plain", "html"):
        body = message.get_body((part,)).get_content()
        assert "Friends of the Detained" in body and "help@friends.example.org" in body
        assert "https://act.friends.example.org/privacy" in body
    assert db.session.scalar(select(Delivery.status).where(Delivery.kind == "receipt")) == "sent"


def test_share_links_use_the_site_url_not_the_address_the_server_listens_on(client, db, live_campaign):
    from tests.test_letters_flow import send

    location = send(client).headers["Location"]
    page = client.get(location)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "http://localhost/c/" not in html  # the host this test server answers on
    assert 'href="https://act.friends.example.org/c/sample-campaign"' in html


def test_without_a_site_url_share_links_use_the_host_the_browser_asked_for(database_url, real_congress):
    app = make_app(database_url)
    with app.app_context():
        from advocacy.organization.identity import public_url

        with app.test_request_context("/", base_url="https://act.example.net"):
            assert public_url("/c/x") == "https://act.example.net/c/x"


def test_production_without_a_site_url_warns_once_at_start(database_url, caplog):
    caplog.set_level(logging.WARNING, logger="advocacy.main.organization")
    make_app(database_url, ENVIRON={"ADVOCACY_ENV": "production"})
    warnings = [r for r in caplog.records if "ADVOCACY_SITE_URL is not set" in r.getMessage()]
    assert len(warnings) == 1
    caplog.clear()
    make_app(database_url, ENVIRON={"ADVOCACY_ENV": "production", "ADVOCACY_SITE_URL": "https://act.example.org"})
    assert not [r for r in caplog.records if "ADVOCACY_SITE_URL" in r.getMessage()]


def test_a_bad_organization_setting_fails_at_start_naming_it():
    from advocacy.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="ADVOCACY_ORG_CONTACT_EMAIL"):
        load_settings({"ADVOCACY_ORG_CONTACT_EMAIL": "nobody"})
    with pytest.raises(ConfigError, match="ADVOCACY_ORG_LOGO_URL"):
        load_settings({"ADVOCACY_ORG_LOGO_URL": "javascript:alert(1)"})
