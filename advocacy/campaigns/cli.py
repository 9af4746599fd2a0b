"""`flask campaigns load PATH`: create or update campaigns from their files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from advocacy.campaigns.files import CampaignFileError
from advocacy.campaigns.loading import EditedInWeb, OnEdited, load_campaigns
from advocacy.campaigns.services import OUTCOME
from advocacy.campaigns.stale import check_stale
from advocacy.db import app_now
from advocacy.delivery import kinds
from advocacy.mail import mail_enabled

campaigns_cli = AppGroup("campaigns", help="Manage campaigns.")


@campaigns_cli.command("load")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report what would change, but write nothing.")
@click.option("--force", is_flag=True, help="Overwrite fields edited in the web pages since the last load.")
@click.option(
    "--keep-edits", is_flag=True, help="Leave campaigns edited in the web pages as they are; load the others."
)
def load_command(path: Path, dry_run: bool, force: bool, keep_edits: bool) -> None:
    """Create or update campaigns from PATH: a campaign.yaml, its folder, or a folder of campaign folders.

    All or nothing: if any file is invalid, nothing is written and the command exits non-zero. A campaign
    edited in the web pages since its last load stops the load (naming the fields) unless --force or
    --keep-edits says what to do.
    """
    if force and keep_edits:
        raise click.UsageError("choose one of --force and --keep-edits")
    on_edited = OnEdited.OVERWRITE if force else OnEdited.KEEP if keep_edits else OnEdited.STOP
    try:
        production = current_app.config["ADVOCACY_SETTINGS"].production
        results = load_campaigns(path, dry_run=dry_run, production=production, on_edited=on_edited)
    except (CampaignFileError, EditedInWeb) as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database error, nothing was changed: {type(exc).__name__}") from None
    for result in results:
        click.echo(("(dry run) " if dry_run else "") + result.describe())


@campaigns_cli.command("outcome-emails")
def outcome_emails_command() -> None:
    """How many outcome emails (writers who asked to be kept informed) wait for the delivery workers, which
    send them like letters. Needs mail settings."""
    if not mail_enabled():
        raise click.ClickException("mail is not configured (ADVOCACY_MAIL_SERVER); no outcome emails are sent")
    click.echo(f"outcome emails: {kinds.waiting(OUTCOME)} waiting for the delivery workers")


@campaigns_cli.command("check-stale")
def check_stale_command() -> None:
    """Flag live campaigns whose story and timeline are older than ADVOCACY_STALE_CAMPAIGN_DAYS and queue an
    email to each organizer (once per period; the delivery workers send it); for cron, e.g. daily. Without
    mail settings it only reports."""
    click.echo(str(check_stale(app_now())))
