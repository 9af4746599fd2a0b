"""Public pages load nothing from another origin (issue 14, item 9); the browser proof is
tests/browser/test_e2e_own_origin.py, this one runs without a browser."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_campaign

ELSEWHERE = "https://photos.example.org/detainee.jpg"


def foreign_sources(html: str) -> list[str]:
    return [src for src in re.findall(r'\s(?:src|srcset)="([^"]*)"', html) if not src.startswith("/")]


@pytest.mark.usefixtures("real_congress", "no_network")
def test_public_pages_hold_no_image_or_script_from_another_origin(client, db):
    make_campaign(slug="photo-elsewhere", photo_url=ELSEWHERE)
    make_campaign(slug="photo-here", photo_url="/static/campaigns/here.jpg")
    home = client.get("/")
    assert "img-src 'self';" in home.headers["Content-Security-Policy"]
    assert foreign_sources(home.get_data(as_text=True)) == []
    assert foreign_sources(client.get("/c/photo-elsewhere").get_data(as_text=True)) == []
    assert 'src="/static/campaigns/here.jpg"' in client.get("/c/photo-here").get_data(as_text=True)
    lookup = client.post("/lookup", data={"zip": "12207"}).get_data(as_text=True)
    assert "office-monogram" in lookup and "unitedstates.github.io" not in lookup
    assert foreign_sources(lookup) == []


def test_a_campaign_photo_may_be_a_path_on_this_site():
    from advocacy.campaigns.validation import check_photo_url

    assert check_photo_url("/static/campaigns/ana.jpg") is None
    assert check_photo_url("https://example.org/ana.jpg") is None  # kept for the API, never shown on our pages
    for bad in ("//evil.example/x.jpg", "http://example.org/x.jpg", "/static/a b.jpg", "javascript:alert(1)"):
        assert check_photo_url(bad), bad
