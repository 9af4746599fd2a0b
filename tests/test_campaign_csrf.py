"""Organizer campaign forms carry and require a CSRF token."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from advocacy.campaigns.models import Campaign
from tests.conftest import PASSWORD, csrf_token_from


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def organizer(client, make_user):
    make_user("org@example.org", role="organizer")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "org@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


FORM = {
    "slug": "free-ana",
    "title": "Free Ana",
    "detainee_name": "Ana",
    "ask": "Release her.",
    "cwc_topic": "Immigration",
}


def test_campaign_forms_need_the_token(organizer, db):
    assert organizer.post("/organizer/campaigns/new", data=FORM).status_code == 400
    assert db.session.scalars(select(Campaign)).all() == []
    token = csrf_token_from(organizer.get("/organizer/campaigns/new").get_data(as_text=True))
    assert organizer.post("/organizer/campaigns/new", data={**FORM, "csrf_token": token}).status_code == 302
    campaign = db.session.scalar(select(Campaign))
    # state changes are POST forms with the token too
    show = organizer.get(f"/organizer/campaigns/{campaign.id}").get_data(as_text=True)
    assert show.count('name="csrf_token"') >= 2
    assert organizer.post(f"/organizer/campaigns/{campaign.id}/delete").status_code == 400
    assert db.session.get(Campaign, campaign.id) is not None
    assert organizer.post(f"/organizer/campaigns/{campaign.id}/delete", data={"csrf_token": token}).status_code == 302
