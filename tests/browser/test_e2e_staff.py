"""Staff download contact reports in a real browser: the file arrives as a download, named for the campaign and the
day, holds the letters the filters ask for and nothing else, and the download is in the audit log."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def write_letters(page, base: str, first: str, zip_code: str, city: str, state: str) -> None:
    """Letters sent the way a partner site would: POST /api/v1/campaigns/sample-campaign/actions, over HTTP."""
    response = page.request.post(
        base + "/api/v1/campaigns/sample-campaign/actions",
        data={
            "first_name": first,
            "last_name": "Exportson",
            "email": f"{first.lower()}@example.org",
            "address": "1 Main St",
            "city": city,
            "state": state,
            "zip": zip_code,
            "consent": True,
        },
    )
    assert response.status == 201, response.text()


def test_staff_download_the_filtered_contact_report(live_site, page, accounts):
    base = live_site.base_url
    write_letters(page, base, "Albanyexport", "12207", "Albany", "NY")  # NY-20: 2 senators and a representative
    write_letters(page, base, "Austinexport", "78701", "Austin", "TX")  # filtered out below

    log_in(page, base, *accounts["staff"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("row").filter(has_text="Free Sample Q. Person").get_by_role("link", name="Exports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports")
    page.get_by_label("State").fill("NY")
    page.get_by_label("Chamber").select_option("house")
    page.get_by_role("button", name="Apply filters").click()
    assert "state=NY" in page.url and "chamber=house" in page.url

    downloads = page.get_by_role("row").filter(has_text="One row per letter")
    with page.expect_download() as info:
        downloads.get_by_role("link", name="CSV").click()
    download = info.value
    assert re.fullmatch(r"sample-campaign-contacts-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8-sig", newline="") as saved:
        rows = list(csv.DictReader(io.StringIO(saved.read())))
    albany = [r for r in rows if r["First name"] == "Albanyexport"]
    assert len(albany) == 1, rows  # the House letter only: the chamber filter applies
    [row] = albany
    assert (row["City"], row["State"], row["ZIP"], row["Chamber"]) == ("Albany", "NY", "12207", "house")
    assert row["Email"] == "albanyexport@example.org"  # consented
    assert row["District"] == "NY-20" and row["Channel"] == "contact_form"
    assert all(r["State"] == "NY" and r["Chamber"] == "house" for r in rows)
    assert not [r for r in rows if r["First name"] == "Austinexport"]

    with page.expect_download() as info:
        downloads.get_by_role("link", name="XLSX").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    with open(info.value.path(), "rb") as xlsx:  # the saved download has no extension
        values = [list(r) for r in load_workbook(xlsx, read_only=True).active.iter_rows(values_only=True)]
    header, body = values[0], values[1:]
    assert header[:3] == ["Date (UTC)", "First name", "Last name"]
    assert [r[1] for r in body] == [r["First name"] for r in rows]

    from advocacy.extensions import db
    from advocacy.reports.models import AuditEvent

    with live_site.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("export.%"))).all()
        mine = [e for e in events if e.filters.get("state") == "NY" and e.filters.get("chamber") == "house"]
        db.session.remove()
    assert sorted(e.filters["format"] for e in mine) == ["csv", "xlsx"]
    assert all(e.row_count == len(rows) for e in mine)
