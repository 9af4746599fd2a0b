"""The review queue keeps up: candidates grouped by office, the matched passage shown escaped with the keyword
highlighted."""

from __future__ import annotations

import re

import pytest

from advocacy.statements.matching import highlight
from advocacy.statements.models import StatementCandidate
from tests.factories import make_campaign

pytestmark = pytest.mark.usefixtures("congress_data")

PELOSI = "P000197"


def candidate(db, campaign, n: int, bioguide_id: str | None, snippet: str) -> StatementCandidate:
    row = StatementCandidate(
        campaign_id=campaign.id,
        bioguide_id=bioguide_id,
        feed_url="https://www.judiciary.senate.gov/press" if bioguide_id is None else "https://pelosi.house.gov/atom",
        title=f"Release number {n}",
        url=f"https://example.gov/{n}",
        snippet=snippet,
        matched_keyword="Guan Heng",
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_candidates_are_grouped_by_office_with_the_keyword_highlighted(organizer_client, db):
    campaign = make_campaign()
    candidate(db, campaign, 1, PELOSI, "…calls on DHS to release GUAN  HENG <script>alert(1)</script>…")
    candidate(db, campaign, 2, PELOSI, "Guan Heng, again")
    candidate(db, campaign, 3, None, "A committee letter about Guan Heng & others")
    page = organizer_client.get("/organizer/campaigns/guan-heng/statements/review").get_data(as_text=True)
    headings = re.findall(r'<h2 id="office-\d+">(.*?) <span class="muted">\((\d+)\)</span></h2>', page)
    assert headings == [("No office named yet", "1"), ("Rep. Nancy Pelosi (D-CA-11)", "2")] or headings == [
        ("Rep. Nancy Pelosi (D-CA-11)", "2"),
        ("No office named yet", "1"),
    ]
    assert "release <mark>GUAN  HENG</mark> &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "<mark>Guan Heng</mark> &amp; others" in page


def test_highlighting_escapes_first_and_finds_the_keyword_as_the_matcher_does():
    assert str(highlight("<b>guan heng</b>", "Guan Heng")) == "&lt;b&gt;<mark>guan heng</mark>&lt;/b&gt;"
    assert str(highlight("呼吁释放关恒", "关恒")) == "呼吁释放<mark>关恒</mark>"
    assert str(highlight("<i>no match</i>", "Guan Heng")) == "&lt;i&gt;no match&lt;/i&gt;"
