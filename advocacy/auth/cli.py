"""`flask users create EMAIL --role ROLE`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from advocacy.auth.services import AccountError, create_user

users_cli = AppGroup("users", help="Manage staff accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "organizer", "staff"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_command(email: str, role: str, password_stdin: bool) -> None:
    """Create an account; asks for the password unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, password, role)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {role} account {user.email} (id {user.id}).")
