"""`flask reports export SLUG ...` and `flask reports packets SLUG ...`: the web exports, from the shell.

Progress goes to stderr, the file appears only when complete, and a failure is one line and a
non-zero exit.
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from advocacy.campaigns.models import Campaign
from advocacy.db import utcnow
from advocacy.extensions import db
from advocacy.reports import audit
from advocacy.reports.exports import FORMATS, KINDS, ExportError, build_export, csv_chunks, write_xlsx
from advocacy.reports.filters import FilterError, parse_filters
from advocacy.reports.packets import write_packets_zip
from advocacy.reports.weekly import queue_weekly_summaries

reports_cli = AppGroup("reports", help="Export campaign reports.")


def filter_options(command):
    for name, help_text in reversed(
        [
            ("--from", "first day (YYYY-MM-DD, UTC)"),
            ("--to", "last day (YYYY-MM-DD, UTC), inclusive"),
            ("--state", "office state, e.g. NY"),
            ("--chamber", "senate, house or custom"),
            ("--office", "office bioguide id, e.g. G000555"),
            ("--status", "delivery status, e.g. sent"),
        ]
    ):
        command = click.option(name, name.strip("-") + "_", default=None, help=help_text)(command)
    return command


def _filters(options: dict):
    try:
        return parse_filters({k.rstrip("_"): v for k, v in options.items()})
    except FilterError as exc:
        raise click.ClickException(str(exc)) from None


def _campaign(slug: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise click.ClickException(f"no campaign with slug {slug!r}")
    return campaign


def _progress(label: str):
    reported = -1

    def report(count: int) -> None:
        nonlocal reported
        if count != reported:  # XLSX: the reports while the workbook is packed repeat the last count
            reported = count
            click.echo(f"{label}: {count:,} rows", err=True)

    return report


@contextmanager
def _failures_said(out: str):
    """What can stop an export or a packet bundle, as the command's one-line reason."""
    try:
        yield
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database error: {type(exc).__name__}") from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None


@contextmanager
def _output(out: str):
    """A binary file that becomes `out` only if the block finishes; `-` is standard output."""
    if out == "-":
        yield sys.stdout.buffer
        sys.stdout.flush()
        return
    target = Path(out)
    if target.is_dir():
        raise click.ClickException(f"{out} is a directory; give a file name")
    try:
        fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent or ".")
    except OSError as exc:
        raise click.ClickException(f"cannot write to {out}: {exc.strerror}") from None
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(partial, 0o666 & ~umask)  # mkstemp makes it private; the result gets the usual permissions
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


@reports_cli.command("export")
@click.argument("slug")
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--out", required=True, help="file to write, or - for standard output")
@filter_options
def export_command(slug: str, kind: str, fmt: str, out: str, **options) -> None:
    """Write the contacts, offices or statements export of campaign SLUG to a CSV or XLSX file."""
    filters = _filters(options)
    campaign = _campaign(slug)
    with _failures_said(out):
        export = build_export(kind, campaign, filters)
        event_id = audit.record(f"export.{kind}", campaign=slug, filters={**filters.to_json(), "format": fmt}).id
        progress = _progress(kind)
        with _output(out) as handle:
            if fmt == "csv":
                for chunk in csv_chunks(export, progress):
                    handle.write(chunk)
            else:
                write_xlsx(export, handle, progress)
        audit.set_row_count(event_id, export.count)
    click.echo(f"Wrote {export.count:,} rows to {out}", err=True)


@reports_cli.command("packets")
@click.argument("slug")
@click.option("--out", required=True, help="ZIP file to write")
@filter_options
def packets_command(slug: str, out: str, **options) -> None:
    """Write every office's delivery packet (PDF) for campaign SLUG into one ZIP file."""
    filters = _filters(options)
    campaign = _campaign(slug)

    def progress(files: int, letters: int) -> None:
        click.echo(f"packets: {files:,} files, {letters:,} letters", err=True)

    with _failures_said(out):
        event_id = audit.record("export.packets", campaign=slug, filters=filters.to_json()).id
        with _output(out) as handle:
            files, count = write_packets_zip(campaign, filters, handle, progress)
        audit.set_row_count(event_id, count)
    click.echo(f"Wrote {files:,} packets ({count:,} letters) to {out}", err=True)


@reports_cli.command("weekly-summary")
def weekly_summary_command() -> None:
    """Queue this week's summary email for every account that asked for it (for cron, e.g. weekly); the
    delivery workers send it. Running it twice in one week queues nothing more."""
    click.echo(f"weekly summaries queued: {queue_weekly_summaries(utcnow())}")
