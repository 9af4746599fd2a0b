"""`flask casework rotate-keys`: re-encrypt the private case facts and files under the first key."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from advocacy.casework import crypto, facts

casework_cli = AppGroup("casework", help="Private case facts and files.")


@casework_cli.command("rotate-keys")
def rotate_keys_command() -> None:
    """Put the new key first in ADVOCACY_CASE_KEYS (keep the old ones after it), run this, then drop the old keys."""
    try:
        rows, files = facts.rotate_keys()
    except (crypto.CaseKeysMissing, crypto.CaseDataUnreadable) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"re-encrypted {rows} sealed values and {files} files under the first key")
