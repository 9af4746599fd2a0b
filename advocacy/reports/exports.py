"""The three exports (contacts, offices, statements) as header + row iterators, and their CSV/XLSX writers.

The contact report can hold a million letters. It is one joined query whose columns the database
already formats (UTC times, district labels, defused cells), so a row is a plain tuple of text.
On PostgreSQL its CSV comes straight from `COPY (query) TO STDOUT`, relayed in blocks; elsewhere,
and for XLSX, rows are read through a server-side cursor in batches and written by csv.writer into a
small buffer. Either way memory does not grow with the number of rows.
"""

from __future__ import annotations

import csv
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select, true

from advocacy.campaigns.models import Campaign
from advocacy.congress.history import offices_as_of
from advocacy.extensions import db
from advocacy.labels import label
from advocacy.letters.models import Action
from advocacy.reports.filters import ReportFilters
from advocacy.reports.sql import (
    FORMULA_STARTS,
    as_date,
    deliveries,
    district_label,
    district_text,
    letter_conditions,
    letters,
    neutralized,
    utc_day,
    utc_text,
)
from advocacy.reports.stances import latest_statements, statements_log_query
from advocacy.statements.models import Statement

KINDS = ("contacts", "offices", "statements")
FORMATS = ("csv", "xlsx")
BATCH = 1000
XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}

actions = Action.__table__


class ExportError(ValueError):
    """The export cannot run as asked; the message says why in one line."""


def neutralize(value: str) -> str:
    """Defuse spreadsheet formula injection: a cell that could start a formula gets a leading quote."""
    if value and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _ts(value: datetime | None) -> str:
    return value.isoformat(" ", "seconds")[:19] if value is not None else ""


@dataclass
class Export:
    """One export ready to run: its header and a lazy iterator of rows (tuples of str/int/None).

    `query`, when set, is the Core select behind `rows` with every column already formatted:
    on PostgreSQL the CSV writer hands it to COPY instead of reading the rows.
    """

    kind: str
    headers: list[str]
    rows: Iterable[tuple]
    query: object | None = None
    count: int = 0

    def __iter__(self) -> Iterator[tuple]:
        for row in self.rows:
            self.count += 1
            yield row


def export_filename(slug: str, kind: str, fmt: str, today: date) -> str:
    return f"{slug}-{kind}-{today.isoformat()}.{fmt}"


def stream_rows(stmt) -> Iterator[tuple]:
    """Run a Core select through a server-side cursor (PostgreSQL) in batches of BATCH rows."""
    stmt = stmt.execution_options(stream_results=True, yield_per=BATCH)
    result = db.session.connection().execute(stmt)
    try:
        for partition in result.partitions():
            yield from partition
    finally:
        result.close()


def build_export(kind: str, campaign: Campaign, filters: ReportFilters) -> Export:
    if kind == "contacts":
        return contacts_export(campaign, filters)
    if kind == "offices":
        return offices_export(campaign, filters)
    if kind == "statements":
        return statements_export(campaign, filters)
    raise ExportError(f"unknown export {kind!r}: choose one of {', '.join(KINDS)}")


# --- contacts: one row per letter ------------------------------------------------------------------

CONTACT_HEADERS = [
    "Date (UTC)",
    "First name",
    "Last name",
    "Address",
    "City",
    "State",
    "ZIP",
    "Email",
    "District",
    "Congress",
    "Office",
    "Office ID",
    "Chamber",
    "Channel",
    "Delivery status",
    "Sent (UTC)",
    "Letter ID",
    "Purpose",  # campaign: the campaign's letter; thanks: a thank-you to an office that acted, after a win
    # Like the email, only for constituents who agreed to be contacted (last, so earlier columns keep their place).
    "Phone",
    "Own words",
]


def contacts_query(campaign_id: int, filters: ReportFilters):
    """One row per letter, every column formatted in SQL as the report shows it."""
    return (
        select(
            utc_text(letters.c.created_at),
            neutralized(actions.c.first_name),
            neutralized(actions.c.last_name),
            neutralized(actions.c.address),
            neutralized(actions.c.city),
            func.nullif(actions.c.state, ""),
            neutralized(actions.c.zip),
            # The email (and phone, and own words, below) leave the database only for constituents who consented.
            case((actions.c.consent == true(), neutralized(actions.c.email)), else_=None),
            district_text(actions.c.district_state, actions.c.district),
            letters.c.congress,
            neutralized(letters.c.office_name),
            letters.c.office_key,
            letters.c.chamber,
            deliveries.c.channel,
            deliveries.c.status,
            utc_text(deliveries.c.sent_at),
            letters.c.id,
            letters.c.purpose,
            case((actions.c.consent == true(), neutralized(actions.c.phone)), else_=None),
            case((actions.c.consent == true(), neutralized(letters.c.personal_message)), else_=None),
        )
        .select_from(
            letters.join(actions, actions.c.id == letters.c.action_id).outerjoin(
                deliveries, deliveries.c.letter_id == letters.c.id
            )
        )
        .where(*letter_conditions(campaign_id, filters))
        .order_by(letters.c.created_at, letters.c.id)
    )


def contacts_export(campaign: Campaign, filters: ReportFilters) -> Export:
    query = contacts_query(campaign.id, filters)
    return Export("contacts", list(CONTACT_HEADERS), stream_rows(query), query=query)


# --- offices: one row per office -------------------------------------------------------------------

OFFICE_HEADERS = [
    "Office ID",
    "Office",
    "Title",
    "Chamber",
    "State",
    "District",
    "Letters",
    "Thank-you letters",
    "Unique constituents",
    "First letter (UTC)",
    "Last letter (UTC)",
    "Stance",
    "Last statement date",
    "Last statement kind",
    "Last statement source",
    "Last statement",
]


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_range(first: date, last: date) -> list[str]:
    """Every ISO week from the one holding `first` to the one holding `last`, weeks without letters included."""
    from datetime import timedelta

    start = first - timedelta(days=first.weekday())
    weeks = []
    while start <= last:
        weeks.append(iso_week(start))
        start += timedelta(days=7)
    return weeks


def office_totals(campaign_id: int, filters: ReportFilters) -> list[tuple]:
    """Per office: key, bioguide, name, title, chamber, state, district, letters, constituents, first, last,
    thanks: `letters` counts every letter (campaign and thank-you), `thanks` the thank-you letters among them."""
    # A constituent is their email key; after a purge (key gone) each action counts once.
    constituent = func.coalesce(letters.c.email_key, letters.c.action_id)
    source = letters
    if filters.status:
        source = letters.join(deliveries, deliveries.c.letter_id == letters.c.id)
    stmt = (
        select(
            letters.c.office_key,
            func.max(letters.c.bioguide_id),
            func.max(letters.c.office_name),
            func.max(letters.c.office_title),
            func.max(letters.c.chamber),
            func.max(letters.c.state),
            func.max(letters.c.district),
            func.count(),
            func.count(constituent.distinct()),
            func.min(letters.c.created_at),
            func.max(letters.c.created_at),
            func.sum(case((letters.c.purpose == "thanks", 1), else_=0)),
        )
        .select_from(source)
        .where(*letter_conditions(campaign_id, filters))
        .group_by(letters.c.office_key)
        .order_by(func.count().desc(), letters.c.office_key)
    )
    return [tuple(r) for r in db.session.execute(stmt)]


def office_week_counts(campaign_id: int, filters: ReportFilters) -> dict[str, dict[str, int]]:
    """office_key → ISO week → the campaign's letters (thank-you letters are counted apart), from a GROUP BY
    office and day."""
    day = utc_day(letters.c.created_at)
    source = letters
    if filters.status:
        source = letters.join(deliveries, deliveries.c.letter_id == letters.c.id)
    stmt = (
        select(letters.c.office_key, day, func.count())
        .select_from(source)
        .where(*letter_conditions(campaign_id, filters), letters.c.purpose == "campaign")
        .group_by(letters.c.office_key, day)
    )
    weeks: dict[str, dict[str, int]] = {}
    for office_key, raw_day, count in db.session.execute(stmt):
        per_office = weeks.setdefault(office_key, {})
        week = iso_week(as_date(raw_day))
        per_office[week] = per_office.get(week, 0) + count
    return weeks


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


def offices_export(campaign: Campaign, filters: ReportFilters) -> Export:
    totals = office_totals(campaign.id, filters)
    weeks_by_office = office_week_counts(campaign.id, filters)
    statements = latest_statements(campaign.id)
    all_weeks = sorted({w for per in weeks_by_office.values() for w in per})
    week_columns = week_range(_week_start(all_weeks[0]), _week_start(all_weeks[-1])) if all_weeks else []

    def rows() -> Iterator[tuple]:
        n = neutralize
        for key, bioguide, name, title, chamber, state, district, count, people, first, last, thanks in totals:
            latest = statements.get(bioguide) if bioguide else None
            per_week = weeks_by_office.get(key, {})
            yield (
                key,
                n(name),
                n(title),
                chamber,
                state,
                district_label(state, district) if chamber == "house" else "",
                count - (thanks or 0),
                thanks or 0,
                people,
                _ts(first),
                _ts(last),
                latest.stance if latest else "",
                latest.date.isoformat() if latest else "",
                latest.kind if latest else "",
                n(latest.source_url or "") if latest else "",
                n(latest.summary or "") if latest else "",
                *(per_week.get(week, 0) for week in week_columns),
            )

    return Export("offices", OFFICE_HEADERS + [f"Letters {w}" for w in week_columns], rows())


def _week_start(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


# --- statements log --------------------------------------------------------------------------------

STATEMENT_HEADERS = [
    "Date",
    "Office ID",
    "Office",
    "Chamber",
    "State",
    "Kind",
    "Stance",
    "Source URL",
    "Quote or summary",
    "Recorded (UTC)",
]


def _offices_then(campaign_id: int) -> dict:
    """(bioguide id, date) → the member's office in the Congress of that date, for the campaign's statements
    (a few hundred at most, so read whole before the rows stream)."""
    pairs = set(
        db.session.execute(select(Statement.bioguide_id, Statement.date).where(Statement.campaign_id == campaign_id))
    )
    return offices_as_of({(b, d) for b, d in pairs})


def statements_export(campaign: Campaign, filters: ReportFilters) -> Export:
    if filters.status:
        raise ExportError("The delivery status filter does not apply to the statements log.")
    n = neutralize
    then = _offices_then(campaign.id)

    def row(r: tuple) -> tuple:
        day, bioguide, name, chamber, state, kind, stance, url, summary, recorded = r
        office = then.get((bioguide, day))
        if office is not None:  # named as the member was in the Congress of the statement's date
            name, chamber, state = office.name, office.chamber, office.state
        return (
            day.isoformat() if day else "",
            bioguide,
            n(name or ""),
            chamber or "",
            state or "",
            kind,
            stance,
            n(url or ""),
            n(summary or ""),
            _ts(recorded),
        )

    rows = map(row, stream_rows(statements_log_query(campaign.id, filters)))
    return Export("statements", list(STATEMENT_HEADERS), rows)


# --- writers ---------------------------------------------------------------------------------------

CHUNK = 64 * 1024


PROGRESS_EVERY = 5_000  # rows between progress calls (the caller throttles its own writes)


def csv_chunks(
    export: Export, progress: Callable[[int], None] | None = None, use_copy: bool | None = None
) -> Iterator[bytes]:
    """The export as UTF-8 CSV in blocks of about 64 KB, with a BOM first so spreadsheets read accents.

    On PostgreSQL an export with a formatted `query` comes from COPY (unless `use_copy` is False).
    """
    head = _Lines()
    csv.writer(head, lineterminator="\r\n").writerow(export.headers)
    yield "\ufeff".encode() + head.take()
    if use_copy is None:
        use_copy = export.query is not None and db.session.get_bind().dialect.name == "postgresql"
    body = _copy_csv(export, progress) if use_copy else _python_csv(export, progress)
    yield from body
    if progress is not None:
        progress(export.count)


class _Lines:
    """A write target for csv.writer that ends rows with LF, like PostgreSQL's COPY.

    The writer runs with CRLF as its terminator so that it quotes any field holding a CR (with LF
    alone it would not, and a lone CR would end the row for some readers); each call to write() is
    one whole row, whose CRLF becomes LF here.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def write(self, line: str) -> None:
        self.parts.append(line[:-2] + "\n")
        self.size += len(line)

    def take(self) -> bytes:
        data = "".join(self.parts).encode("utf-8")
        self.parts.clear()
        self.size = 0
        return data


def _python_csv(export: Export, progress: Callable[[int], None] | None) -> Iterator[bytes]:
    lines = _Lines()
    writer = csv.writer(lines, lineterminator="\r\n")
    for row in export:
        writer.writerow(row)
        if lines.size >= CHUNK:
            yield lines.take()
        if progress is not None and export.count % PROGRESS_EVERY == 0:
            progress(export.count)
    yield lines.take()


def _copy_csv(export: Export, progress: Callable[[int], None] | None) -> Iterator[bytes]:
    """PostgreSQL formats the CSV itself (`COPY ... TO STDOUT`); we relay its blocks as they come."""
    connection = db.session.connection()
    compiled = export.query.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        pending, lines, reported = bytearray(), 0, 0
        with cursor.copy(f"COPY ({compiled.string}) TO STDOUT WITH (FORMAT csv)", compiled.params) as copy:
            for block in copy:
                pending += block
                if len(pending) >= CHUNK:
                    lines += pending.count(b"\n")  # for progress only: a quoted field may hold a newline
                    yield bytes(pending)
                    pending.clear()
                    if progress is not None and lines - reported >= PROGRESS_EVERY:
                        progress(lines)
                        reported = lines
        yield bytes(pending)
        export.count = cursor.rowcount
    finally:
        cursor.close()


class _Reporting:
    """A binary file that calls `report` on a write at most once every `every` seconds."""

    def __init__(
        self, file, report: Callable[[], None], every: float = 1.0, clock: Callable[[], float] = time.monotonic
    ):
        self._file, self._report, self._every, self._clock = file, report, every, clock
        self._last = float("-inf")

    def write(self, data) -> int:
        now = self._clock()
        if now - self._last >= self._every:
            self._last = now
            self._report()
        return self._file.write(data)

    def __getattr__(self, name):
        return getattr(self._file, name)


# Columns that hold a stored code: the workbook, read by people, shows its words (advocacy/labels.py); the CSV,
# read by programs as well, keeps the code, as the JSON API does.
WORDS_IN_XLSX = {
    "Chamber": "chamber",
    "Channel": "channel",
    "Delivery status": "delivery_status",
    "Purpose": "letter_purpose",
    "Stance": "stance",
    "Kind": "statement_kind",
    "Last statement kind": "statement_kind",
}


def in_words(headers: list[str], rows: Iterable[tuple]) -> Iterator[tuple]:
    """`rows` with every code column (WORDS_IN_XLSX) as its words; other cells, and empty ones, unchanged."""
    columns = [(i, WORDS_IN_XLSX[h], {}) for i, h in enumerate(headers) if h in WORDS_IN_XLSX]
    if not columns:
        yield from rows
        return
    for row in rows:
        cells = list(row)
        for i, domain, seen in columns:
            code = cells[i] if i < len(cells) else None
            if code:
                words = seen.get(code)
                if words is None:
                    words = seen[code] = label(code, domain)
                cells[i] = words
        yield tuple(cells)


def write_xlsx(export: Export, target, progress: Callable[[int], None] | None = None, fast: bool = True) -> int:
    """Write the export to `target` (a path or a binary file) with XlsxWriter in constant-memory mode.

    Dates are real date cells (the "(UTC)" and "date" columns); stored codes read as words (WORDS_IN_XLSX);
    every other text is a string cell, never a formula. The header row is bold and frozen, with an autofilter; column widths come from the first rows.
    Past Excel's row limit the rows continue on a new sheet. `fast` writes data rows through xlsx_rows.py
    (one prepared string per row, a test proves it matches XlsxWriter's own cells); False uses write_string.
    """
    import xlsxwriter  # only when writing a workbook: keeps it out of every web worker's memory

    from advocacy.reports import xlsx_rows  # XlsxWriter loads only when an XLSX is written (about 60 ms)

    if progress is not None and hasattr(target, "write"):
        # XlsxWriter packs the workbook in close(): tens of seconds for a million rows. Reporting on its writes
        # keeps a job's heartbeat going, so the job is not taken for one whose worker died.
        target = _Reporting(target, lambda: progress(export.count))
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    styles = {
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
    }
    kinds = xlsx_rows.column_kinds(export.headers)
    rows = in_words(export.headers, iter(export))
    sample = list(itertools.islice(rows, xlsx_rows.SAMPLE_ROWS))
    widths = xlsx_rows.column_widths(export.headers, sample)
    sheet, row_index, sheets = None, XLSX_MAX_ROWS, 0
    encoder = xlsx_rows.RowEncoder(kinds, {k: f._get_xf_index() for k, f in styles.items()})

    def close_sheet() -> None:
        if sheet is not None and row_index > 1:
            sheet.autofilter(0, 0, row_index - 1, len(export.headers) - 1)

    def new_sheet():
        nonlocal sheets
        sheets += 1
        name = export.kind if sheets == 1 else f"{export.kind} ({sheets})"
        ws = workbook.add_worksheet(name, worksheet_class=xlsx_rows.PreparedRowsWorksheet)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        for col, header in enumerate(export.headers):
            ws.write_string(0, col, header, bold)
        ws.freeze_panes(1, 0)
        return ws

    try:
        for row in itertools.chain(sample, rows):
            if row_index >= XLSX_MAX_ROWS:
                close_sheet()
                sheet, row_index = new_sheet(), 1
            if fast:
                sheet.write_prepared_row(row_index, encoder.encode(row_index, row), encoder.last_col(row))
            else:
                encoder.write_cells(sheet, row_index, row, styles)
            row_index += 1
            if progress is not None and export.count % PROGRESS_EVERY == 0:
                progress(export.count)
        if sheet is None:
            sheet, row_index = new_sheet(), 1
        close_sheet()
    finally:
        workbook.close()
    if progress is not None:
        progress(export.count)
    return export.count
