"""GET /api/v1/campaigns and /api/v1/campaigns/<slug>: public, published campaigns only."""

from __future__ import annotations

from advocacy.campaigns.models import Campaign, CustomTarget, LetterTemplate


def add_campaign(db, slug, status, **kw):
    campaign = Campaign(
        slug=slug,
        title=kw.pop("title", f"Free {slug}"),
        detainee_name="Ana Example",
        ask="Support her release on bond.",
        story_markdown="Ana is <b>held</b>.",
        status=status,
        **kw,
    )
    campaign.letters.append(LetterTemplate(name="all", chamber="any", stance="any", subject="Hi", body="Hello"))
    db.session.add(campaign)
    db.session.commit()
    return campaign


def test_list_shows_live_then_closed_never_drafts(client, db):
    add_campaign(db, "a-draft", "draft")
    add_campaign(db, "a-closed", "closed")
    add_campaign(db, "a-live", "live", keywords=["关恒"])
    response = client.get("/api/v1/campaigns")
    assert response.status_code == 200 and response.is_json
    assert [c["slug"] for c in response.json["campaigns"]] == ["a-live", "a-closed"]
    live = response.json["campaigns"][0]
    assert live["accepting_letters"] is True and live["keywords"] == ["关恒"]
    assert response.json["campaigns"][1]["accepting_letters"] is False
    assert response.headers["Cache-Control"] == "public, max-age=60"


def test_one_campaign(client, db):
    campaign = add_campaign(db, "free-ana", "live", photo_url="https://example.org/ana.jpg")
    campaign.custom_targets.append(CustomTarget(name="Jo Reyes", title="Director", email="jo@example.org"))
    db.session.commit()
    response = client.get("/api/v1/campaigns/free-ana")
    assert response.status_code == 200
    data = response.json
    assert data["title"] == "Free free-ana" and data["status"] == "live"
    assert data["detainee"] == {"name": "Ana Example", "photo_url": "https://example.org/ana.jpg"}
    assert data["story_html"] == "<p>Ana is &lt;b&gt;held&lt;/b&gt;.</p>"
    assert data["counts"] == {"letters_sent": 0, "offices_spoken": 0, "thanks_sent": 0}
    assert data["targets"] == {
        "delegation": True,
        "members": [],
        "committees": [],
        "custom": [{"name": "Jo Reyes", "title": "Director"}],
    }
    assert "jo@example.org" not in response.get_data(as_text=True)
    assert "letters" not in data  # templates are not public


def test_unknown_and_draft_campaigns_are_404_json(client, db):
    add_campaign(db, "a-draft", "draft")
    for path in ("/api/v1/campaigns/a-draft", "/api/v1/campaigns/nope", "/api/v1/campaigns/%3Cscript%3E"):
        response = client.get(path)
        assert response.status_code == 404 and response.is_json
        assert response.json["error"]["code"] == "not_found"
        assert "<script>" not in response.get_data(as_text=True)


def test_the_api_is_public_and_documented(client):
    assert client.get("/api/v1/campaigns").status_code == 200  # no login
    spec = client.get("/api/v1/openapi.json").json
    assert "/campaigns" in spec["paths"] and "/campaigns/{slug}" in spec["paths"]
    assert "404" in spec["paths"]["/campaigns/{slug}"]["get"]["responses"]
    assert spec["components"]["schemas"]["Campaign"]["properties"]["counts"]
