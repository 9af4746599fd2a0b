"""`flask campaigns load PATH`: create or update campaigns from their files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from advocacy.campaigns.files import CampaignFileError

campaigns_cli = AppGroup("campaigns", help="Manage campaigns.")


@campaigns_cli.command("load")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report what would change, but write nothing.")
def load_command(path: Path, dry_run: bool) -> None:
    """Create or update campaigns from PATH: a campaign.yaml, its folder, or a folder of campaign folders.

    All or nothing: if any file is invalid, nothing is written and the command exits non-zero.
    """
    from advocacy.campaigns.loading import load_campaigns

    try:
        production = current_app.config["ADVOCACY_SETTINGS"].production
        results = load_campaigns(path, dry_run=dry_run, production=production)
    except CampaignFileError as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database error, nothing was changed: {type(exc).__name__}") from None
    for result in results:
        click.echo(("(dry run) " if dry_run else "") + result.describe())
