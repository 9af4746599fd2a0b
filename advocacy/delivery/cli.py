"""`flask deliveries work | retry | status | cwc-check`."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from advocacy.delivery import channels, cwc, engine, wakeup
from advocacy.delivery.options import settings
from advocacy.delivery.services import delivery_stats, retry_all_failed
from advocacy.delivery.worker import Worker
from advocacy.send_errors import DeliveryError

deliveries_cli = AppGroup("deliveries", help="Send letters: workers, retries and status.")


@deliveries_cli.command("work")
@click.option("--burst", is_flag=True, help="Send whatever is due, then exit (instead of running forever).")
@click.option("--poll-interval", type=float, default=None, help="Seconds between looks at the outbox when idle.")
@click.option("--concurrency", type=int, default=None, help="Sends in flight at once (ADVOCACY_DELIVERY_CONCURRENCY).")
def work_command(burst: bool, poll_interval: float | None, concurrency: int | None) -> None:
    """Run a delivery worker: claims from the outbox and sends many letters at once; run as many as you like."""
    worker = Worker(burst=burst, poll_interval=poll_interval, concurrency=concurrency)
    try:
        processed = worker.run_until_signalled()
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database unavailable ({type(exc).__name__})") from None
    summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(worker.outcomes.items())) or "nothing due"
    click.echo(f"Processed {processed} deliveries: {summary}.")


@deliveries_cli.command("retry")
@click.option(
    "--now", "retry_now", is_flag=True, help="Also make every failed delivery due now (after an outage is fixed)."
)
@click.option("--stuck-after", type=float, default=None, help="Seconds in `sending` before a delivery counts as stuck.")
def retry_command(retry_now: bool, stuck_after: float | None) -> None:
    """Recover deliveries stuck in `sending` (a killed worker), optionally make failed ones due now, and wake
    the workers. Run it from cron: the outbox is the queue, so nothing else needs re-queuing."""
    try:
        recovered = engine.recover_stuck(timeout=stuck_after)
        made_due = retry_all_failed() if retry_now else []
        due = engine.due_ids()
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database unavailable ({type(exc).__name__})") from None
    click.echo(f"Recovered {len(recovered)} stuck deliveries; {len(made_due)} failed made due now; {len(due)} due.")
    if due:
        wakeup.notify_workers()
        click.echo(f"{len(due)} due: the delivery workers (`deliveries work`) claim them from the outbox.")


@deliveries_cli.command("status")
def status_command() -> None:
    """Counts by status and channel, and the age of the oldest undelivered letter."""
    stats = delivery_stats()
    for status, count in sorted(stats.by_status.items()):
        click.echo(f"{status:13} {count}")
    for channel, count in sorted(stats.by_channel.items()):
        click.echo(f"via {channel:9} {count}")
    click.echo(f"oldest undelivered: {stats.oldest_undelivered_age:.0f} s")


@deliveries_cli.command("cwc-check")
@click.option("--office", default="", help="Also validate a sample message to this MemberOffice (e.g. HNY12).")
def cwc_check_command(office: str) -> None:
    """Check the CWC settings: fetch the offices list, and optionally validate a sample message."""
    from datetime import date

    if not settings().cwc_enabled:
        raise click.ClickException("CWC is not configured (ADVOCACY_CWC_URL, ADVOCACY_CWC_API_KEY)")
    client = channels.cwc_client()
    try:
        offices = client.offices()
    except DeliveryError as exc:
        raise click.ClickException(exc.reason) from None
    click.echo(f"CWC accepts {len(offices)} offices.")
    if not office:
        return
    sample = cwc.Message(
        delivery_id="0" * 32,
        delivery_date=date.today(),
        campaign_id="cwc-check",
        member_office=office.upper(),
        constituent=cwc.Constituent(
            cwc.DEFAULT_PREFIX,
            "Test",
            "Constituent",
            "1 Main St",
            "Town",
            office[1:3].upper(),
            "00000",
            "test@example.org",
        ),
        subject="Settings check",
        topics=("Immigration",),
        organization_statement="A validation request from the advocacy toolkit's settings check.",
    )
    try:
        xml = cwc.build_xml(sample, channels.cwc_agent())
        client.validate(xml)
    except cwc.CwcBuildError as exc:
        raise click.ClickException("; ".join(exc.problems)) from None
    except DeliveryError as exc:
        raise click.ClickException(exc.reason) from None
    click.echo(f"CWC validated a sample message to {office.upper()}.")
