"""`flask legislators sync` and `flask districts sync`: load the real data, report what changed."""

from __future__ import annotations

import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from advocacy.congress.sources import SyncError, districts_source, legislators_source
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


def _run(label: str, work) -> SyncReport:
    click.echo(f"Reading {label}…", err=True)
    started = time.perf_counter()
    try:
        report = work()
    except SyncError as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database error, nothing was changed ({type(exc).__name__})") from None
    for line in report.lines():
        click.echo(line)
    click.echo(f"Done in {time.perf_counter() - started:.1f} s.", err=True)
    return report


@legislators_cli.command("sync")
@click.option("--source", metavar="PATH|URL", help=LEGISLATORS_HELP)
@click.option("--allow-shrink", is_flag=True, help=ALLOW_SHRINK_HELP)
def legislators_sync(source: str | None, allow_shrink: bool) -> None:
    """Import current members, district offices, social handles and committees; report who joined and left."""
    data_dir = current_app.config["ADVOCACY_SETTINGS"].data_dir
    try:
        where = legislators_source(source, data_dir)
    except SyncError as exc:
        raise click.ClickException(str(exc)) from None
    _run(where.description, lambda: sync_legislators(where, ProgressDisplay(), allow_shrink))


@districts_cli.command("sync")
@click.option("--source", metavar="PATH|URL", help=DISTRICTS_HELP)
@click.option("--allow-shrink", is_flag=True, help=ALLOW_SHRINK_HELP)
def districts_sync(source: str | None, allow_shrink: bool) -> None:
    """Load the ZIP (ZCTA) to congressional district crosswalk (zccd.csv); report what changed."""
    data_dir = current_app.config["ADVOCACY_SETTINGS"].data_dir
    try:
        where = districts_source(source, data_dir)
    except SyncError as exc:
        raise click.ClickException(str(exc)) from None
    _run(where.description, lambda: sync_districts(where, ProgressDisplay(), allow_shrink))
