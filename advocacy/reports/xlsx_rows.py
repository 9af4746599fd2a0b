"""The XLSX fast path: a data row becomes one prepared XML string written straight into XlsxWriter's sheet.

XlsxWriter spends most of a large export in its per-cell machinery (a call, a dimension check, a cell tuple,
three regular expressions and an f-string per cell). Here a row is encoded at once, with the column references
computed once per sheet and escaping done only for the strings that need it. The result is what XlsxWriter
itself writes in constant-memory mode (inline strings, numbers, dates as serial numbers with a style), which
tests/test_exports_xlsx.py checks cell by cell. One difference on purpose: XlsxWriter writes a string shaped
like "<r>...</r>" as raw rich-text XML; here every string is escaped, so constituent text cannot inject XML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

SAMPLE_ROWS = 200  # rows read before writing, to size the columns
MIN_WIDTH, MAX_WIDTH = 6, 60
EXCEL_EPOCH = datetime(1899, 12, 30).toordinal()

_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_CONTROL_1 = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL_2 = re.compile(r"([\x00-\x08\x0b-\x1f])")


def column_kinds(headers: Sequence[str]) -> list[str | None]:
    """'datetime' for "... (UTC)" columns, 'date' for "... date" columns, else None (text or number)."""
    kinds: list[str | None] = []
    for header in headers:
        lower = header.lower()
        kinds.append("datetime" if lower.endswith("(utc)") else "date" if lower.endswith("date") else None)
    return kinds


def column_widths(headers: Sequence[str], sample: Sequence[tuple]) -> list[float]:
    widths = [len(h) + 2 for h in headers]
    for row in sample:
        for col, value in enumerate(row[: len(widths)]):
            if value is not None:
                widths[col] = max(widths[col], len(str(value)) + 2)
    return [float(min(MAX_WIDTH, max(MIN_WIDTH, w))) for w in widths]


def excel_serial(text: str) -> float | None:
    """'2026-01-02 10:11:12' or '2026-01-02' as an Excel serial day number (1900 date system), else None."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None or moment.year < 1900:
        return None
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
    return moment.toordinal() - EXCEL_EPOCH + seconds / 86400


def escape_text(value: str) -> str:
    """What XlsxWriter does to an inline string in constant-memory mode, plus XML escaping of '<r>' strings."""
    if not _NEEDS_ESCAPE.search(value):
        return value
    value = _CONTROL_1.sub(r"_x005F\1", value)
    value = _CONTROL_2.sub(lambda m: f"_x{ord(m.group(1)):04X}_", value)
    value = value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RowEncoder:
    """Encodes rows of one export: text as inline strings, numbers, and date columns as styled serials."""

    def __init__(self, kinds: list[str | None], style_index: dict[str, int]):
        self.kinds = kinds
        self.style_index = style_index
        self.letters = [xl_col_to_name(col) for col in range(len(kinds))]

    def last_col(self, row: tuple) -> int:
        return len(row) - 1

    def encode(self, row_index: int, row: tuple) -> str:
        r = str(row_index + 1)
        parts = []
        kinds, letters = self.kinds, self.letters
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            ref = letters[col] + r
            if type(value) is str:
                kind = kinds[col]
                if kind is not None:
                    serial = excel_serial(value)
                    if serial is not None:
                        parts.append(f'<c r="{ref}" s="{self.style_index[kind]}"><v>{serial:.16G}</v></c>')
                        continue
                text = escape_text(value)
                space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
                parts.append(f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
            else:
                parts.append(f'<c r="{ref}"><v>{value:.16G}</v></c>')
        return "".join(parts)

    def write_cells(self, sheet: Worksheet, row_index: int, row: tuple, styles: dict) -> None:
        """The same row through XlsxWriter's own calls (the reference the fast path is tested against)."""
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                kind = self.kinds[col]
                moment = _moment(value) if kind else None
                if moment is not None:
                    sheet.write_datetime(row_index, col, moment, styles[kind])
                else:
                    sheet.write_string(row_index, col, value)
            else:
                sheet.write_number(row_index, col, value)


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return None if moment.tzinfo is not None or moment.year < 1900 else moment


class PreparedRowsWorksheet(Worksheet):
    """A worksheet that also takes a whole row as prepared cell XML (constant-memory mode only)."""

    def write_prepared_row(self, row: int, cells: str, last_col: int) -> None:
        if not self.constant_memory:
            raise RuntimeError("prepared rows need constant_memory")
        if row > self.previous_row:
            self._write_single_row(row)  # flushes the row XlsxWriter holds (the header), then forgets it
        if self._check_dimensions(row, 0) or self._check_dimensions(row, max(0, last_col)):
            raise ValueError(f"row {row} is outside the sheet")
        if cells:
            self.fh.write(f'<row r="{row + 1}">{cells}</row>')
