"""`flask statements scan [--campaign SLUG]`, `flask statements add-source` and `flask statements followups`."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from advocacy.campaigns.models import Campaign, Status
from advocacy.campaigns.services import get_campaign_by_slug
from advocacy.delivery import kinds
from advocacy.extensions import db
from advocacy.mail import mail_enabled
from advocacy.statements.monitor import keywords_of, scan
from advocacy.statements.services import FOLLOWUP
from advocacy.statements.sources import SourceRefused, add_source

statements_cli = AppGroup("statements", help="Track statements by members of Congress.")


def _campaigns(slug: str | None) -> list:
    """The named campaign (whatever its status), or every live one."""
    if slug:
        campaign = get_campaign_by_slug(slug)
        if campaign is None:
            raise click.ClickException(f"no campaign has the slug {slug!r}")
        return [campaign]
    return list(db.session.scalars(select(Campaign).where(Campaign.status == Status.LIVE.value).order_by(Campaign.id)))


@statements_cli.command("scan")
@click.option("--campaign", "slug", metavar="SLUG", help="Scan for this campaign only (any status).")
@click.option("--quiet", is_flag=True, help="Print only the totals and the feeds that failed.")
def scan_command(slug: str | None, quiet: bool) -> None:
    """Read members' press-release feeds and added feeds and pages; queue items that mention a live campaign.

    Prints the totals, then per feed: items read, how many carry a date, matches, new candidates, or why
    it failed."""
    try:
        campaigns = _campaigns(slug)
        without = [c.slug for c in campaigns if not keywords_of(c)]
        campaigns = [c for c in campaigns if keywords_of(c)]
        for name in without:
            click.echo(f"Skipping {name}: it has no keywords or aliases to look for.")
        if not campaigns and slug:
            raise click.ClickException(f"campaign {slug!r} has no keywords or aliases to look for")
        if not campaigns:
            click.echo("No live campaign with keywords to scan for.")
        else:

            def progress(done: int, total: int) -> None:
                if not quiet and (done == total or done % 25 == 0):
                    click.echo(f"  {done}/{total} feeds read", err=True)

            summary = scan(campaigns, progress=progress)
            for line in summary.lines(per_feed=not quiet):
                click.echo(line)
            if summary.feeds and summary.failed == summary.feeds:
                raise click.ClickException(f"every one of the {summary.feeds} feeds failed; is the network down?")
        # Statements recorded since the last run may have queued follow-up emails: the delivery workers send them.
        if mail_enabled():
            click.echo(f"follow-up emails: {kinds.waiting(FOLLOWUP)} waiting for the delivery workers")
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database error ({type(exc).__name__}); nothing more was changed") from None


@statements_cli.command("add-source")
@click.argument("slug")
@click.argument("url")
@click.option("--committee", "committee_id", metavar="THOMAS_ID", help="A committee's site, e.g. SSJU or HSJU.")
@click.option("--page", "as_page", is_flag=True, help="Watch the address as a web page (no feed there).")
@click.option("--label", default="", help="A name for the source on the feeds page.")
def add_source_command(slug: str, url: str, committee_id: str | None, as_page: bool, label: str) -> None:
    """Add a feed or watched page for a campaign; with --committee, a committee's or caucus's site, whose
    candidates are attributed to the committee's chair (or to no office for an unknown committee)."""
    campaign = _campaigns(slug)[0]
    try:
        feed = add_source(campaign.id, url, committee_id=committee_id, as_page=as_page, label=label)
    except SourceRefused as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database error ({type(exc).__name__}); nothing was changed") from None
    who = f" for committee {feed.committee_id}" if feed.committee_id else ""
    click.echo(f"added {feed.kind} {feed.url}{who} to {campaign.slug}")


@statements_cli.command("followups")
def followups_command() -> None:
    """How many emails telling constituents that an office they wrote to has spoken are waiting. They are outbox
    rows: `deliveries work` sends them with the letters (retries, dead state and dashboard included)."""
    if not mail_enabled():
        raise click.ClickException("mail is not configured (set ADVOCACY_MAIL_SERVER)")
    try:
        waiting = kinds.waiting(FOLLOWUP)
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database error ({type(exc).__name__})") from None
    click.echo(f"follow-up emails: {waiting} waiting for the delivery workers (`deliveries work`)")
