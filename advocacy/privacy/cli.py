"""`flask privacy purge SLUG --before DATE`: remove constituents' personal data, keep the counts."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from advocacy.campaigns.models import Campaign
from advocacy.extensions import db
from advocacy.privacy.services import purge_campaign
from advocacy.reports import audit

privacy_cli = AppGroup("privacy", help="Remove constituents' personal data.")


@privacy_cli.command("purge")
@click.argument("slug")
@click.option("--before", required=True, help="purge submissions made before this day (YYYY-MM-DD, UTC)")
@click.option("--dry-run", is_flag=True, help="count what would be purged, change nothing")
def purge_command(slug: str, before: str, dry_run: bool) -> None:
    """Blank names, contact details, messages and letter bodies of SLUG's submissions before a date.

    Letters stay, with their office, district and date, so every count and office total is unchanged.
    """
    try:
        cutoff = date.fromisoformat(before.strip())
    except ValueError:
        raise click.ClickException(f"--before must be a date written as YYYY-MM-DD, not {before[:20]!r}") from None
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise click.ClickException(f"no campaign with slug {slug!r}")
    try:
        result = purge_campaign(campaign, cutoff, dry_run=dry_run)
        if not dry_run:
            audit.record(
                "privacy.purge", campaign=slug, filters={"before": cutoff.isoformat()}, row_count=result.actions
            )
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise click.ClickException(f"database error, nothing purged: {type(exc).__name__}") from None
    verb = "Would purge" if dry_run else "Purged"
    click.echo(
        f"{verb} {result.actions:,} submissions and {result.letters:,} letters in {slug} before {cutoff.isoformat()}"
        + (f"; cancelled {result.deliveries_cancelled:,} undelivered letters" if result.deliveries_cancelled else "")
    )
