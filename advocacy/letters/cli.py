"""`flask districts verify`: check again, before their House letters go, the districts that came from a ZIP.

It sits with the letters (it re-addresses them) but in the `districts` group, beside `districts sync`.
Run it from cron every few minutes; it exits non-zero only on failure, and prints what it found.
"""

from __future__ import annotations

import click
from sqlalchemy.exc import SQLAlchemyError

from advocacy.letters.verify import verify_pending

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
