"""The campaign dashboard: numbers from SQL aggregates, and an SVG chart that obeys the CSP."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from advocacy.reports.charts import bar_chart, nice_max
from advocacy.reports.dashboard import build_dashboard, by_week
from tests.dbs import recorded_statements
from tests.factories import T0, make_action, make_campaign, make_letter, make_sample_campaign


def test_dashboard_numbers(app, db):
    campaign = make_sample_campaign()
    data = build_dashboard(campaign)
    assert (data.letters, data.constituents, data.offices) == (8, 3, 6)
    assert data.delivered == 4
    assert dict(data.by_status) == {"sent": 4, "pending": 1, "handoff": 1, "failed": 1, "dead": 1}
    assert dict(data.by_chamber) == {"senate": 5, "house": 2, "custom": 1}
    assert dict(data.by_state) == {"NY": 5, "CA": 2, "—": 1}
    assert data.top_offices[:2] == [
        ("G000555", "Kirsten E. Gillibrand", "NY", 2),
        ("S000148", "Charles E. Schumer", "NY", 2),
    ]
    # Every day from the first letter to the last, empty days included.
    assert len(data.per_day) == 15
    assert data.per_day[0] == (date(2025, 3, 3), 4)
    assert data.per_day[7] == (date(2025, 3, 10), 2)
    assert data.per_day[14] == (date(2025, 3, 17), 2)
    assert sum(n for _, n in data.per_day) == 8
    assert by_week(data.per_day) == [("2025-W10", 4), ("2025-W11", 2), ("2025-W12", 2)]
    assert (data.calls, data.sent_by_writers, data.waiting_for_writers) == (0, 0, 1)


def test_i_called_and_i_sent_it_are_counted_on_the_dashboard(staff_client, db):
    from sqlalchemy import select, update

    from advocacy.delivery.models import Delivery
    from advocacy.letters.models import Letter

    campaign = make_sample_campaign()
    mine = (Letter.purpose == "campaign") & (Letter.campaign_id == campaign.id)  # not the other campaign's
    campaign_letters = select(Letter.id).where(mine).order_by(Letter.id).limit(2)
    first, second = db.session.scalars(campaign_letters).all()
    db.session.execute(update(Letter).where(Letter.id.in_([first, second])).values(called_at=T0))
    db.session.execute(update(Delivery).where(Delivery.status == "handoff").values(status="handoff_sent"))
    db.session.commit()
    data = build_dashboard(campaign)
    assert (data.calls, data.sent_by_writers, data.waiting_for_writers) == (2, 1, 0)
    html = staff_client.get("/staff/campaigns/guan-heng").get_data(as_text=True)
    assert re.search(r'<span class="count">2</span><br>calls \("I called"\)', html)
    assert re.search(r'<span class="count">1</span><br>sent by writers on offices', html)


def test_dashboard_runs_a_fixed_number_of_queries(app, db):
    """Aggregates in SQL: the query count does not grow with the letters."""
    campaign = make_sample_campaign()

    def count_queries():
        with recorded_statements(db.engine) as statements:
            build_dashboard(campaign)
        return len(statements)

    before = count_queries()
    for i in range(30):
        make_letter(make_action(campaign, f"P{i}", "Test", f"p{i}@example.org", T0 + timedelta(days=i % 5)))
    assert count_queries() == before


def test_dashboard_page(staff_client, db):
    make_sample_campaign()
    response = staff_client.get("/staff/campaigns/guan-heng")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Free Guan Heng" in html
    assert "Letters per day" in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    root = ET.fromstring(svg)
    bars = root.findall("{http://www.w3.org/2000/svg}rect")
    assert len(bars) == 15
    assert [b.find("{http://www.w3.org/2000/svg}title").text for b in bars][:1] == ["Mar 3: 4"]
    heights = [float(b.get("height")) for b in bars]
    assert heights[0] > heights[7] > 0 and heights[1] == 0
    # The CSP forbids inline style: nothing on the page uses it.
    assert "style=" not in html and "<style" not in html and "<script" not in html
    assert "Kirsten E. Gillibrand" in html
    # A dashboard shows numbers, not people.
    assert "Lopez" not in html and "ana@example.org" not in html


def test_long_campaigns_chart_weeks(staff_client, db):
    campaign = make_campaign()
    for day in (0, 50, 120):
        make_letter(make_action(campaign, "A", "B", f"x{day}@example.org", T0 + timedelta(days=day)))
    html = staff_client.get("/staff/campaigns/guan-heng").get_data(as_text=True)
    assert "Letters per week" in html and "2025-W10" in html


def test_empty_campaign_dashboard(staff_client, db):
    make_campaign()
    response = staff_client.get("/staff/campaigns/guan-heng")
    assert response.status_code == 200
    assert "No letters yet." in response.get_data(as_text=True)


def test_campaign_list_counts_letters(staff_client, db):
    make_sample_campaign()
    html = staff_client.get("/staff/campaigns").get_data(as_text=True)
    assert "Free Guan Heng" in html and "Another campaign" in html
    assert re.search(r"Free Guan Heng.*?<td>8</td>", html, re.S)


def test_unknown_campaign_is_404(staff_client, db):
    assert staff_client.get("/staff/campaigns/nope").status_code == 404


def test_chart_geometry():
    chart = bar_chart("Letters per day", [("a", 0), ("b", 5), ("c", 10)])
    assert [t.value for t in chart.ticks] == [0, 5, 10]
    assert [t.value for t in bar_chart("odd", [("a", 4), ("b", 5)]).ticks] == [0, 5]
    assert chart.bars[2].height == 2 * chart.bars[1].height
    assert chart.bars[0].height == 0
    assert chart.bars[2].y + chart.bars[2].height == chart.baseline
    assert [nice_max(v) for v in (0, 1, 3, 7, 10, 11, 140, 999)] == [1, 1, 5, 10, 10, 20, 200, 1000]
