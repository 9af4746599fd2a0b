"""Contact, office and statement exports, checked row by row against the database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from advocacy.delivery.models import Delivery
from advocacy.labels import label
from advocacy.letters.models import Action, Letter
from advocacy.reports.exports import CONTACT_HEADERS, WORDS_IN_XLSX
from advocacy.reports.models import AuditEvent
from advocacy.statements.models import Statement
from tests.factories import csv_rows, make_sample_campaign, xlsx_rows

URL = "/staff/campaigns/guan-heng/exports"


def get(client, path, **params):
    return client.get(path, query_string=params, buffered=True)


def expected_contacts(db, campaign, where=lambda letter, action, delivery: True) -> list[list[str]]:
    """The contact report built straight from the ORM rows, independently of the export code."""
    rows = db.session.execute(
        select(Letter, Action, Delivery)
        .join(Action, Action.id == Letter.action_id)
        .outerjoin(Delivery, Delivery.letter_id == Letter.id)
        .where(Letter.campaign_id == campaign.id)
        .order_by(Letter.created_at)
    ).all()
    out = []
    for letter, action, delivery in rows:
        if not where(letter, action, delivery):
            continue
        district = f"{action.district_state}-{action.district:02d}"
        out.append(
            [
                letter.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                action.first_name,
                action.last_name,
                action.address,
                action.city,
                action.state,
                action.zip,
                action.email if action.consent else "",
                district,
                str(letter.congress),
                letter.office_name,
                letter.office_key,
                letter.chamber,
                delivery.channel if delivery else "",
                delivery.status if delivery else "",
                delivery.sent_at.strftime("%Y-%m-%d %H:%M:%S") if delivery and delivery.sent_at else "",
                letter.id,
                letter.purpose,
                action.phone if action.consent else "",
                letter.personal_message if action.consent else "",
            ]
        )
    return out


def in_words(rows: list[list]) -> list[list]:
    """Rows as the workbook shows them: every code column (by its header) in words, the rest as it is."""
    header, *body = rows
    domains = {i: WORDS_IN_XLSX[h] for i, h in enumerate(header) if h in WORDS_IN_XLSX}
    return [header] + [[label(v, domains[i]) if i in domains and v else v for i, v in enumerate(r)] for r in body]


def test_contacts_csv_matches_the_database_row_by_row(staff_client, db):
    campaign = make_sample_campaign()
    response = get(staff_client, f"{URL}/contacts.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = csv_rows(response.data)
    assert rows[0] == CONTACT_HEADERS
    expected = expected_contacts(db, campaign)
    assert len(expected) == 8  # the other campaign's letter is not here
    assert rows[1:] == expected


def test_contacts_xlsx_holds_the_same_rows(staff_client, db):
    campaign = make_sample_campaign()
    response = get(staff_client, f"{URL}/contacts.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = xlsx_rows(response.data)
    assert rows[0] == CONTACT_HEADERS
    # Numbers stay numbers in the workbook; everything else is text, and codes read as words.
    assert [[str(v) for v in row] for row in rows] == in_words([CONTACT_HEADERS, *expected_contacts(db, campaign)])
    assert all(isinstance(row[9], int) for row in rows[1:])


def test_email_only_where_the_constituent_consented(staff_client, db):
    make_sample_campaign()
    rows = csv_rows(get(staff_client, f"{URL}/contacts.csv").data)
    email = CONTACT_HEADERS.index("Email")
    by_name = {row[2]: row[email] for row in rows[1:]}
    assert by_name["Lopez"] == "ana@example.org"
    assert by_name["Nguyễn"] == "minh@example.org"
    assert by_name["周"] == ""  # did not consent
    assert b"Zhou@Example.org" not in get(staff_client, f"{URL}/contacts.xlsx").data


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_phone_and_own_words_only_where_the_constituent_consented(staff_client, db, fmt):
    make_sample_campaign()
    data = get(staff_client, f"{URL}/contacts.{fmt}").data
    rows = csv_rows(data) if fmt == "csv" else xlsx_rows(data)
    phone, words = CONTACT_HEADERS.index("Phone"), CONTACT_HEADERS.index("Own words")
    by_office = {(row[2], row[11]): (row[phone], row[words]) for row in rows[1:]}
    assert by_office[("Nguyễn", "P000145")] == ("415-555-0112", "Please, Senator.")
    assert by_office[("周", "G000555")] == ("", "")  # wrote own words, but did not consent
    assert "我的邻居" not in str(rows)


def in_range(start, end):
    return lambda letter, action, delivery: start <= letter.created_at.date() <= end


@pytest.mark.parametrize(
    "params, where",
    [
        ({"from": "2025-03-10", "to": "2025-03-10"}, in_range(date(2025, 3, 10), date(2025, 3, 10))),
        ({"from": "2025-03-04"}, in_range(date(2025, 3, 4), date(2099, 1, 1))),
        ({"to": "2025-03-10"}, in_range(date(2000, 1, 1), date(2025, 3, 10))),
        ({"state": "ca"}, lambda letter, a, d: letter.state == "CA"),
        ({"chamber": "house"}, lambda letter, a, d: letter.chamber == "house"),
        ({"chamber": "custom"}, lambda letter, a, d: letter.chamber == "custom"),
        ({"office": "g000555"}, lambda letter, a, d: letter.office_key == "G000555"),
        ({"office": "custom:1"}, lambda letter, a, d: letter.office_key == "custom:1"),
        ({"status": "sent"}, lambda letter, a, d: d is not None and d.status == "sent"),
        ({"status": "sent", "state": "NY", "chamber": "senate"}, None),
    ],
)
def test_contact_filters(staff_client, db, params, where):
    campaign = make_sample_campaign()
    if where is None:

        def where(letter, action, delivery):
            return letter.state == "NY" and letter.chamber == "senate" and delivery.status == "sent"

    expected = expected_contacts(db, campaign, where)
    assert expected, "the filter should keep some rows"
    assert len(expected) < 8, "the filter should drop some rows"
    rows = csv_rows(get(staff_client, f"{URL}/contacts.csv", **params).data)
    assert rows[1:] == expected


def test_a_day_filter_uses_utc_days(staff_client, db):
    campaign = make_sample_campaign()
    # Nguyễn wrote at 20:00 UTC on the 17th: still the 17th, whatever the server's zone.
    rows = csv_rows(get(staff_client, f"{URL}/contacts.csv", **{"from": "2025-03-17", "to": "2025-03-17"}).data)
    assert [r[2] for r in rows[1:]] == ["Nguyễn", "Nguyễn"]
    assert campaign.id


@pytest.mark.parametrize(
    "params, message",
    [
        ({"from": "03/01/2025"}, "The start date must be a date written as YYYY-MM-DD"),
        ({"to": "2025-02-30"}, "The end date must be a date written as YYYY-MM-DD"),
        ({"from": "2025-03-10", "to": "2025-03-01"}, "The end date is before the start date."),
        ({"state": "XX"}, "State must be a two-letter postal code"),
        ({"chamber": "lords"}, "Chamber must be one of"),
        ({"office": "'; drop table letters"}, "Office must be a bioguide id"),
        ({"status": "lost"}, "Delivery status must be one of"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_bad_filters_export_nothing(staff_client, db, params, message, fmt):
    make_sample_campaign()
    response = get(staff_client, f"{URL}/contacts.{fmt}", **params)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Content-Disposition" not in response.headers
    body = response.get_data(as_text=True)
    assert message in body
    assert "Nothing was exported" in body
    assert "ana@example.org" not in body and "Lopez" not in body
    assert db.session.scalars(select(AuditEvent)).all() == []


def test_statements_log_refuses_the_status_filter(staff_client, db):
    make_sample_campaign()
    response = get(staff_client, f"{URL}/statements.csv", status="sent")
    assert response.status_code == 400
    assert "does not apply to the statements log" in response.get_data(as_text=True)


def test_file_names_carry_the_campaign_and_the_date(staff_client, db):
    make_sample_campaign()
    today = datetime.now(UTC).date().isoformat()
    for kind in ("contacts", "offices", "statements"):
        for fmt in ("csv", "xlsx"):
            disposition = get(staff_client, f"{URL}/{kind}.{fmt}").headers["Content-Disposition"]
            assert disposition.startswith("attachment;")
            assert f"guan-heng-{kind}-{today}.{fmt}" in disposition


def test_offices_export(staff_client, db):
    campaign = make_sample_campaign()
    rows = csv_rows(get(staff_client, f"{URL}/offices.csv").data)
    header, body = rows[0], rows[1:]
    assert header[-3:] == ["Letters 2025-W10", "Letters 2025-W11", "Letters 2025-W12"]
    table = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    # One row per office that received letters, most letters first.
    letters_per_office = {}
    for key in db.session.scalars(select(Letter.office_key).where(Letter.campaign_id == campaign.id)):
        letters_per_office[key] = letters_per_office.get(key, 0) + 1
    assert {k: int(v["Letters"]) for k, v in table.items()} == letters_per_office
    assert [int(r[header.index("Letters")]) for r in body] == sorted(letters_per_office.values(), reverse=True)
    gillibrand = table["G000555"]
    assert gillibrand["Office"] == "Kirsten E. Gillibrand"
    assert gillibrand["Unique constituents"] == "2"
    assert (gillibrand["Letters 2025-W10"], gillibrand["Letters 2025-W11"], gillibrand["Letters 2025-W12"]) == (
        "1",
        "1",
        "0",
    )
    # The latest statement sets the stance.
    assert gillibrand["Stance"] == "neutral"
    assert gillibrand["Last statement date"] == "2025-03-12"
    assert gillibrand["Last statement kind"] == "social_post"
    assert table["S000148"]["Stance"] == ""  # spoke only in the other campaign
    assert table["P000197"]["District"] == "CA-11"
    assert table["P000145"]["District"] == ""
    assert table["custom:1"]["Chamber"] == "custom"
    xlsx = xlsx_rows(get(staff_client, f"{URL}/offices.xlsx").data)
    # Dates are date cells in the workbook (a statement's date has no time of day).
    assert [[str(v).removesuffix(" 00:00:00") for v in row] for row in xlsx] == in_words(rows)


def test_offices_export_filtered_by_status(staff_client, db):
    make_sample_campaign()
    rows = csv_rows(get(staff_client, f"{URL}/offices.csv", status="sent").data)
    header = rows[0]
    counts = {r[0]: int(r[header.index("Letters")]) for r in rows[1:]}
    assert counts == {"G000555": 1, "S000148": 1, "custom:1": 1, "P000145": 1}


def test_statements_log(staff_client, db):
    campaign = make_sample_campaign()
    rows = csv_rows(get(staff_client, f"{URL}/statements.csv").data)
    statements = db.session.scalars(
        select(Statement).where(Statement.campaign_id == campaign.id).order_by(Statement.date)
    ).all()
    assert [r[:9] for r in rows[1:]] == [
        [
            s.date.isoformat(),
            s.bioguide_id,
            "Kirsten Gillibrand",
            "senate",
            "NY",
            s.kind,
            s.stance,
            s.source_url,
            s.quote_or_summary,
        ]
        for s in statements
    ]
    only_after = csv_rows(get(staff_client, f"{URL}/statements.csv", **{"from": "2025-03-10"}).data)
    assert [r[6] for r in only_after[1:]] == ["neutral"]
    assert csv_rows(get(staff_client, f"{URL}/statements.csv", state="CA").data)[1:] == []


def test_every_export_is_audited(staff_client, db):
    make_sample_campaign()
    get(staff_client, f"{URL}/contacts.csv", state="NY", status="sent")
    get(staff_client, f"{URL}/offices.xlsx")
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.source, e.user_id, e.campaign) for e in events] == [
        ("export.contacts", "web", staff_client.user.id, "guan-heng"),
        ("export.offices", "web", staff_client.user.id, "guan-heng"),
    ]
    assert events[0].filters == {"state": "NY", "status": "sent", "format": "csv"}
    assert events[0].row_count == 2  # Ana to Gillibrand, Zhou to Schumer
    assert events[1].row_count == 6
    assert events[0].ip_hash and "127.0.0.1" not in events[0].ip_hash


@pytest.mark.parametrize(
    "path", [f"{URL}/contacts.pdf", f"{URL}/people.csv", "/staff/campaigns/nope/exports/contacts.csv"]
)
def test_unknown_exports_are_404(staff_client, db, path):
    make_sample_campaign()
    assert get(staff_client, path).status_code == 404


def test_empty_campaign_exports_headers_only(staff_client, db):
    from tests.factories import make_campaign

    make_campaign("empty")
    rows = csv_rows(get(staff_client, "/staff/campaigns/empty/exports/contacts.csv").data)
    assert rows == [CONTACT_HEADERS]
    assert xlsx_rows(get(staff_client, "/staff/campaigns/empty/exports/offices.xlsx").data)[0][0] == "Office ID"


def test_copy_and_python_writers_agree(app, db):
    """On PostgreSQL the contact CSV comes from COPY; the row-by-row writer must give the same bytes."""
    from advocacy.reports.exports import build_export, csv_chunks
    from advocacy.reports.filters import ReportFilters
    from tests.factories import make_action, make_letter

    campaign = make_sample_campaign()
    make_letter(
        make_action(
            campaign, 'Quote "Q" Comma, Jr.', "Line\nBreak", "q@example.org", address="=1+2", city="Carriage\rReturn"
        )
    )
    ways = {}
    for use_copy in (False, True) if db.engine.dialect.name == "postgresql" else (False,):
        export = build_export("contacts", campaign, ReportFilters())
        ways[use_copy] = (b"".join(csv_chunks(export, use_copy=use_copy)), export.count)
    if True in ways:
        assert ways[True] == ways[False]
    data, count = ways[False]
    assert count == 9
    rows = csv_rows(data)
    quoted = next(row for row in rows if row[1].startswith("Quote"))
    assert quoted[1:5] == ['Quote "Q" Comma, Jr.', "Line\nBreak", "'=1+2", "Carriage\rReturn"]


def test_exports_page_counts_and_carries_the_filters(staff_client, db):
    make_sample_campaign()
    html = staff_client.get(URL, query_string={"state": "NY", "status": "sent"}).get_data(as_text=True)
    assert "<strong>2</strong> letter(s) match these filters" in html
    assert "/exports/contacts.csv?state=NY&amp;status=sent" in html
    assert "/packets/G000555.pdf?state=NY&amp;status=sent" in html
    assert "/packets.zip?state=NY&amp;status=sent" in html
    assert "Lopez" not in html  # offices and counts only
    bad = staff_client.get(URL, query_string={"from": "tomorrow"})
    assert bad.status_code == 400 and "The start date must be a date" in bad.get_data(as_text=True)


def test_the_office_filter_is_a_picker_of_the_offices_written_to_by_name(staff_client, db):
    make_sample_campaign()
    html = staff_client.get(URL, query_string={"office": "g000555"}).get_data(as_text=True)
    assert '<select id="f-office" name="office">' in html
    assert '<option value="G000555" selected>Senator Kirsten E. Gillibrand (NY)</option>' in html
    assert '<option value="custom:1">Director ICE New York Field Office Director</option>' in html
    assert '<option value="">Any office</option>' in html
    assert ">Sent by the constituent (contact form)</option>" in html  # statuses in words too
