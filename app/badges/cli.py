"""`flask --app wsgi badges keys | rotate-key`: the Open Badges signing key."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from app.badges import keys, services

badges_cli = AppGroup("badges", help="Open Badges 3.0: the key that signs credentials.")


@badges_cli.command("keys")
def keys_command() -> None:
    """Print the published keys (the JWKS served at /.well-known/jwks.json); the first one signs."""
    click.echo(json.dumps(services.jwks(), indent=2))


@badges_cli.command("rotate-key")
def rotate_command() -> None:
    """Make a new signing key; the old one's public half stays published so credentials it signed
    still verify. Restart the servers afterwards (they load the key once)."""
    if current_app.config["LECTERN_OB_SIGNING_KEY"]:
        raise click.ClickException("the signing key comes from LECTERN_OB_SIGNING_KEY: rotate it there, and "
                                   "put the old public key in the key folder as retired-<anything>.pub.pem")
    folder = services.key_folder()
    keys.load(folder)   # a first key, if there was none
    old, new = keys.rotate(folder)
    click.echo(f"retired {old}; now signing with {new}")
