"""`appservices admin create-key`: admin key pairs, made on this machine's database."""

from __future__ import annotations

import click


@click.group()
def admin() -> None:
    """Manage admin key pairs on this machine's database.

    Run it with the server's configuration (the same DATABASE_URL /
    APPSERVICES_INSTANCE_PATH, from the same folder): it writes to the database directly.

    \b
    Examples:
      appservices admin create-key
      appservices admin create-key --group payments
    """


@admin.command("create-key")
@click.option("--group", "groups", multiple=True, metavar="NAME",
              help="Grant this group (created when missing); repeat for several. "
                   "[default: default]")
@click.option("--description", default="created with appservices admin create-key",
              help="A note kept with the key.")
def create_key(groups: tuple[str, ...], description: str) -> None:
    """Create an admin key pair and print it once.

    \b
    Examples:
      appservices admin create-key
      appservices admin create-key --group payments --group search
    """
    from app import create_app, db
    from app.domain import admin as admin_domain
    from app.domain.errors import DomainError

    flask_app = create_app({"BOOTSTRAP_ADMIN": False})
    try:
        with flask_app.app_context(), db.database.connection_context():
            issued = admin_domain.create_admin_key(list(groups), description)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Public key:  {issued.admin_key.public_key}")
    click.echo(f"Private key: {issued.private_key}")
    for group in issued.groups:
        click.echo(f"Group:       {group.name} ({group.id})")
    click.echo("Keep the private key now: it is stored only as a digest and cannot be "
               "shown again.", err=True)
