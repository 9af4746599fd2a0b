"""The XLSX workbook: typed dates, widths, frozen header, filter, and the fast row path agreeing with XlsxWriter."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from advocacy.labels import label
from advocacy.reports.exports import CONTACT_HEADERS, WORDS_IN_XLSX, Export, _Reporting, write_xlsx
from tests.factories import csv_rows, make_sample_campaign, xlsx_rows

TRICKY = [
    "plain",
    "  leading and trailing  ",
    "a & b < c > d \" e ' f",
    "line\nbreak\r\nand\ttab",
    "bell\x07 and nul\x00 and esc\x1b",
    "_x0041_ looks escaped",
    "<r><t>rich?</t></r>",
    '\'=HYPERLINK("x")',
    "周 Seán ✓ \U0001f600",
    "\ufffe\uffff",
]


def _book(export_rows, headers, fast):
    target = io.BytesIO()
    write_xlsx(Export("contacts", list(headers), iter(export_rows)), target, fast=fast)
    return load_workbook(io.BytesIO(target.getvalue()))


def _cells(book):
    return [
        [(c.value, c.data_type, c.number_format) for c in row] for sheet in book.worksheets for row in sheet.iter_rows()
    ]


def test_the_fast_row_path_writes_what_xlsxwriter_itself_writes():
    headers = ["Text", "Number", "Sent (UTC)", "Last statement date", "More"]
    rows = [
        (text, n * 1.5 if n % 2 else n, "2025-03-12 10:11:12" if n % 3 else "", "2025-03-12", None)
        for n, text in enumerate(TRICKY)
    ]
    rows.append(("", 0, "not a date", "2025-13-40", "x"))
    rows.append((None, 10**15, "1899-01-01 00:00:00", "2026-11-29", ""))
    fast, slow = _cells(_book(rows, headers, True)), _cells(_book(rows, headers, False))
    rich = 1 + TRICKY.index("<r><t>rich?</t></r>")
    assert fast[:rich] + fast[rich + 1 :] == slow[:rich] + slow[rich + 1 :]
    # XlsxWriter writes a string shaped like "<r>...</r>" as raw XML (constant-memory mode): a constituent could
    # inject markup. The fast path keeps it text.
    assert slow[rich][0][0] == "rich?"
    assert fast[rich][0][0] == "<r><t>rich?</t></r>"


def test_xlsx_has_typed_dates_widths_a_frozen_header_and_a_filter(staff_client, db):
    make_sample_campaign()
    response = staff_client.get("/staff/campaigns/guan-heng/exports/contacts.xlsx", buffered=True)
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [c.value for c in sheet[1]] == CONTACT_HEADERS
    first = sheet["A2"]
    assert isinstance(first.value, datetime) and first.number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:T9"
    assert sheet.column_dimensions["D"].width >= len("Address") + 2
    assert sheet.column_dimensions["Q"].width >= 36  # the letter id, a UUID, fits


def test_packing_the_workbook_keeps_reporting_so_a_long_close_is_not_taken_for_a_dead_worker():
    target, calls = io.BytesIO(), []
    rows = [(f"row {n}",) for n in range(3)]
    write_xlsx(Export("contacts", ["Text"], iter(rows)), target, lambda done: calls.append((done, target.tell())))
    *packing, last = calls
    # Reports came while XlsxWriter was still writing the file (its close() packs the ZIP), not only at the end.
    assert packing and all(done == 3 for done, _ in packing)
    assert packing[0][1] < last[1] == len(target.getvalue())
    assert load_workbook(io.BytesIO(target.getvalue())).worksheets[0]["A4"].value == "row 2"


def test_the_reports_while_packing_come_at_most_once_a_second():
    now = [100.0]
    calls = []
    target = _Reporting(io.BytesIO(), lambda: calls.append(now[0]), every=1.0, clock=lambda: now[0])
    for _ in range(500):  # XlsxWriter's close() writes the ZIP in many small pieces
        target.write(b"x" * 64)
    now[0] += 0.5
    target.write(b"x")
    now[0] += 0.5
    target.write(b"x")
    assert calls == [100.0, 101.0]
    assert len(target.getvalue()) == 500 * 64 + 2


def _column(rows: list[list], name: str) -> set:
    index = rows[0].index(name)
    return {row[index] for row in rows[1:]}


def test_the_workbook_shows_codes_as_words_and_the_csv_keeps_the_codes(staff_client, db):
    make_sample_campaign()
    base = "/staff/campaigns/guan-heng/exports"
    for kind, columns in (
        ("contacts", ("Chamber", "Channel", "Delivery status", "Purpose")),
        ("offices", ("Chamber", "Stance", "Last statement kind")),
        ("statements", ("Chamber", "Kind", "Stance")),
    ):
        csv = csv_rows(staff_client.get(f"{base}/{kind}.csv", buffered=True).data)
        book = xlsx_rows(staff_client.get(f"{base}/{kind}.xlsx", buffered=True).data)
        assert book[0] == csv[0]  # the same column names in both
        for name in columns:
            codes = _column(csv, name) - {""}
            assert codes, (kind, name)
            assert _column(book, name) - {""} == {label(code, WORDS_IN_XLSX[name]) for code in codes}, (kind, name)
            assert not codes & _column(book, name), (kind, name)  # no code left as it is stored
    contacts = xlsx_rows(staff_client.get(f"{base}/contacts.xlsx", buffered=True).data)
    assert {"Senate", "House", "Custom target"} <= _column(contacts, "Chamber")
    assert "Waiting for the constituent (contact form)" in _column(contacts, "Delivery status")
