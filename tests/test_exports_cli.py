"""`flask reports export` and `flask reports packets`: same content as the web, progress, clear failures."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from advocacy.reports.models import AuditEvent
from tests.factories import csv_rows, make_sample_campaign, xlsx_rows


def run(runner, *args):
    return runner.invoke(args=["reports", *args])


@pytest.mark.parametrize("kind", ["contacts", "offices", "statements"])
def test_cli_csv_equals_the_web_export(runner, staff_client, db, tmp_path, kind):
    make_sample_campaign()
    out = tmp_path / f"{kind}.csv"
    result = run(runner, "export", "guan-heng", "--kind", kind, "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    web = staff_client.get(f"/staff/campaigns/guan-heng/exports/{kind}.csv", buffered=True).data
    assert csv_rows(out.read_bytes()) == csv_rows(web)
    assert f"{kind}: " in result.stderr and "rows" in result.stderr
    assert "Wrote" in result.stderr


def test_cli_xlsx_with_filters_and_audit(runner, db, tmp_path):
    make_sample_campaign()
    out = tmp_path / "contacts.xlsx"
    result = run(
        runner,
        *("export", "guan-heng", "--kind", "contacts", "--format", "xlsx", "--out", str(out)),
        *("--from", "2025-03-01", "--to", "2025-03-12", "--state", "NY", "--chamber", "senate", "--status", "sent"),
    )
    assert result.exit_code == 0, result.output
    rows = xlsx_rows(out.read_bytes())
    assert [(r[2], r[11]) for r in rows[1:]] == [("Lopez", "G000555"), ("周", "S000148")]
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.source, event.user_id, event.row_count) == ("export.contacts", "cli", None, 2)
    assert event.filters == {
        "date_from": "2025-03-01",
        "date_to": "2025-03-12",
        "state": "NY",
        "chamber": "senate",
        "status": "sent",
        "format": "xlsx",
    }
    assert event.ip_hash is None


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--from", "yesterday"], "The start date must be a date written as YYYY-MM-DD"),
        (["--office", "nobody"], "Office must be a bioguide id"),
        (["--kind", "statements", "--status", "sent"], "does not apply to the statements log"),
    ],
)
def test_cli_failures_are_one_line_and_write_nothing(runner, db, tmp_path, extra, message):
    make_sample_campaign()
    out = tmp_path / "out.csv"
    args = ["export", "guan-heng", "--format", "csv", "--out", str(out)]
    if "--kind" not in extra:
        args += ["--kind", "contacts"]
    result = run(runner, *args, *extra)
    assert result.exit_code != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_cli_unknown_campaign(runner, db, tmp_path):
    result = run(runner, "export", "nope", "--kind", "contacts", "--format", "csv", "--out", str(tmp_path / "x.csv"))
    assert result.exit_code != 0
    assert "no campaign with slug 'nope'" in result.stderr


def test_cli_unwritable_destination(runner, db, tmp_path):
    make_sample_campaign()
    out = tmp_path / "missing-folder" / "x.csv"
    result = run(runner, "export", "guan-heng", "--kind", "contacts", "--format", "csv", "--out", str(out))
    assert result.exit_code != 0
    assert "cannot write" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_packets_zip(runner, db, tmp_path):
    make_sample_campaign()
    out = tmp_path / "packets.zip"
    result = runner.invoke(args=["reports", "packets", "guan-heng", "--out", str(out), "--state", "NY"])
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(io.BytesIO(out.read_bytes())).namelist()
    assert sorted(n.split("-packet-")[1][:7] for n in names) == ["E000297", "G000555", "S000148"]
    assert "packets: 3 files, 5 letters" in result.stderr
