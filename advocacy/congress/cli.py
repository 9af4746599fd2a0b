"""`flask legislators sync` and `flask districts sync`: load the real data, report what changed."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from advocacy.congress import transition
from advocacy.congress.offices import current_offices
from advocacy.congress.photos import PHOTO_BASE, sync_photos
from advocacy.congress.sources import Source, SyncError, districts_source, legislators_source
from advocacy.congress.sync import SyncReport, sync_districts, sync_legislators

legislators_cli = AppGroup("legislators", help="Members of Congress, their offices and committees.")
districts_cli = AppGroup("districts", help="The ZIP code to congressional district crosswalk.")

LEGISLATORS_HELP = (
    "A folder holding the five YAML files (directly or in congress-legislators/), or a URL base. "
    "Default: ADVOCACY_DATA_DIR when set, else the published files."
)
DISTRICTS_HELP = (
    "zccd.csv, a folder holding it (directly or in zip-districts/), or its URL. "
    "Default: ADVOCACY_DATA_DIR when set, else the file on GitHub."
)
ALLOW_SHRINK_HELP = "Accept a file with far fewer rows than are loaded (normally refused as probably cut short)."
CONGRESS_HELP = (
    "The Congress these files are for (e.g. 120). With a later --effective, or a Congress that has not begun, "
    "the files are checked and stored now and applied by `legislators switch` when due."
)
EFFECTIVE_HELP = (
    "When the files take effect, with its UTC offset (default: the Congress's start, noon Eastern on 3 January)."
)


def _store_or_sync(dataset: str, where: Source, congress: int | None, effective: str | None, sync) -> None:
    """Store the files as a release when they take effect later; otherwise sync them now."""
    now = datetime.now(UTC)
    if congress is None and effective is not None:
        raise click.ClickException("--effective needs --congress")
    if congress is not None:
        try:
            when = transition.parse_effective(effective) if effective else transition.congress_start(congress)
        except SyncError as exc:
            raise click.ClickException(str(exc)) from None
        if when > now:
            _read_and_report(
                where.description, lambda: transition.store_release(dataset, where, congress, when, ProgressDisplay())
            )
            return
    _run(where.description, sync)


class ProgressDisplay:
    """One line per file on stderr, redrawn as bytes arrive when stderr is a terminal."""

    def __init__(self) -> None:
        self.interactive = sys.stderr.isatty()
        self.current: str | None = None

    def __call__(self, name: str, done: int, total: int | None) -> None:
        finished = total is not None and done >= total
        if self.interactive:
            share = f" {done * 100 // total:3d}%" if total else ""
            click.echo(f"\r  {name}: {done / 1024:,.0f} KiB{share}", nl=finished, err=True)
        elif finished:
            click.echo(f"  {name}: {done / 1024:,.0f} KiB", err=True)


def _read_and_report(label: str, work):
    """Read the files and load or store them (`work`), then print its report; a failure is a one-line error."""
    click.echo(f"Reading {label}…", err=True)
    try:
        report = work()
    except SyncError as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database error, nothing was changed ({type(exc).__name__})") from None
    for line in report.lines():
        click.echo(line)
    return report


def _run(label: str, work) -> SyncReport:
    started = time.perf_counter()
    report = _read_and_report(label, work)
    click.echo(f"Done in {time.perf_counter() - started:.1f} s.", err=True)
    return report


def _sync_options(source_help: str):
    """The options both syncs take: where to read from, and whether and when the result takes effect."""

    def add(command):
        command = click.option("--effective", metavar="WHEN", help=EFFECTIVE_HELP)(command)
        command = click.option("--congress", type=click.IntRange(1, 999), help=CONGRESS_HELP)(command)
        command = click.option("--allow-shrink", is_flag=True, help=ALLOW_SHRINK_HELP)(command)
        return click.option("--source", metavar="PATH|URL", help=source_help)(command)

    return add


def _where(find: Callable[[str | None, str], Source], source: str | None) -> Source:
    """The file or URL a sync reads (`find` picks it from --source and the data folder), or a one-line error."""
    try:
        return find(source, current_app.config["ADVOCACY_SETTINGS"].data_dir)
    except SyncError as exc:
        raise click.ClickException(str(exc)) from None


@legislators_cli.command("sync")
@_sync_options(LEGISLATORS_HELP)
def legislators_sync(source: str | None, allow_shrink: bool, congress: int | None, effective: str | None) -> None:
    """Import current members, district offices, social handles and committees; report who joined and left."""
    where = _where(legislators_source, source)
    work = lambda: sync_legislators(where, ProgressDisplay(), allow_shrink, congress)  # noqa: E731 (kept as its roster)
    _store_or_sync("legislators", where, congress, effective, work)


@districts_cli.command("sync")
@_sync_options(DISTRICTS_HELP)
def districts_sync(source: str | None, allow_shrink: bool, congress: int | None, effective: str | None) -> None:
    """Load the ZIP (ZCTA) to congressional district crosswalk (zccd.csv); report what changed."""
    where = _where(districts_source, source)
    work = lambda: sync_districts(where, ProgressDisplay(), allow_shrink)  # noqa: E731
    _store_or_sync("districts", where, congress, effective, work)


PHOTOS_HELP = f"A URL base or a folder holding <bioguide id>.jpg files. Default: {PHOTO_BASE}"


@legislators_cli.command("photos")
@click.option("--source", metavar="PATH|URL", help=PHOTOS_HELP)
def legislators_photos(source: str | None) -> None:
    """Copy each sitting member's official photo to this site (MEMBER_PHOTOS_DIR) for the office pickers."""
    ids = [o.bioguide_id for o in current_offices()]
    if not ids:
        raise click.ClickException("no members are loaded: run `flask --app wsgi legislators sync` first")
    source = source or PHOTO_BASE
    if not source.startswith(("http://", "https://")) and not Path(source).is_dir():
        raise click.ClickException(f"--source {source} is not a folder or a URL")

    def progress(done: int, total: int) -> None:
        if done % 50 == 0 or done == total:
            click.echo(f"photos: {done} of {total}", err=True)

    report = sync_photos(source, ids, progress)
    click.echo(report.summary())
    for bioguide_id, why in report.failed[:10]:
        click.echo(f"  {bioguide_id}: {why}")
    if report.failed and not report.saved:
        raise click.ClickException(f"no photo could be stored ({report.failed[0][1]})")
