"""`flask districts verify` and `flask legislators switch`: the commands that re-address letters.

`districts verify` checks again, before their House letters go, the districts that came from a ZIP;
`legislators switch` applies a Congress loaded ahead of time when its moment comes and re-addresses letters
to members who left. They sit with the letters (they change letters) but in the `districts` and
`legislators` groups, beside the syncs. Both are for cron (every few minutes, every minute).
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from sqlalchemy.exc import SQLAlchemyError

from advocacy.congress import transition
from advocacy.congress.sources import SyncError
from advocacy.letters.verify import readdress_for_roster, verify_pending

OUTCOMES = {
    "confirmed": "confirmed by the street address",
    "readdressed": "re-addressed to the representative of the street address",
    "vacant": "cancelled: the street address is in a vacant seat",
    "unavailable": "not checked: the geocoder is still unavailable (tried again next run)",
    "unplaced": "released as addressed: the geocoder knows no such address",
    "other-state": "released as addressed: the geocoder places the address in another state (check by hand)",
    "conflict": "cancelled: the writer already has a letter to that representative",
    "nothing": "nothing left to check",
}


@click.command("verify")
@click.option("--limit", default=1000, show_default=True, help="At most this many submissions per run.")
def districts_verify(limit: int) -> None:
    """Geocode again the addresses whose district came from the ZIP; re-address House letters that went wrong."""
    try:
        outcomes = verify_pending(limit=limit)
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database error ({type(exc).__name__})") from None
    total = sum(outcomes.values())
    click.echo(f"Checked {total} submission{'s' if total != 1 else ''} whose district came from the ZIP code.")
    for outcome, count in sorted(outcomes.items()):
        click.echo(f"  {count} {OUTCOMES.get(outcome, outcome)}")


@click.command("switch")
def legislators_switch() -> None:
    """Apply the rosters and crosswalks whose moment has come (cron, every minute), then re-address letters
    not yet delivered to members who have left office."""
    now = datetime.now(UTC)
    try:
        applied = transition.apply_due(now)
        for release, report in applied:
            click.echo(f"The {release.congress}th Congress's {release.dataset} took effect:")
            for line in report.lines():
                click.echo(f"  {line}")
        outcomes = readdress_for_roster(now)
    except SyncError as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(f"database error ({type(exc).__name__})") from None
    if not applied:
        upcoming = transition.next_release(now)
        click.echo(
            "Nothing due."
            + (
                f" Next: the {upcoming.congress}th Congress's {upcoming.dataset} at {upcoming.effective_at:%Y-%m-%d %H:%M} UTC."
                if upcoming
                else ""
            )
        )
    total = sum(outcomes.values())
    click.echo(f"Letters to members who left office: {total}")
    for outcome, count in sorted(outcomes.items()):
        click.echo(f"  {count} {ROSTER_OUTCOMES.get(outcome, outcome)}")


ROSTER_OUTCOMES = {
    "readdressed": "re-addressed to the successor in the same seat",
    "vacant": "cancelled: the seat is vacant",
    "conflict": "cancelled: the successor already has the writer's letter",
}
