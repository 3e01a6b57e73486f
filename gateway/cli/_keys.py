"""``coloan-gw keys``: create, rotate, list and export the masking keys."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from coloan.policy.v1 import options_pb2 as opts
from masking import KINDS, Keyring

_DIR = click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
                    default=Path("var/keys"), show_default=True, help="The keyring directory.")


@click.group()
def keys() -> None:
    """Create, rotate, list and export the masking keys.

    Kinds: ``join`` (the long-lived key tokens are derived from; never exported) and
    ``encrypt-bank``, ``encrypt-platform``, ``encrypt-log`` (field encryption per audience).
    Every kind is versioned: new ciphertexts use the active version, old ones still open.
    """


def _table(ring: Keyring, title: str) -> None:
    table = Table(title=title)
    for col in ("kind", "active", "versions", "created (active)"):
        table.add_column(col)
    for ks in ring.keysets():
        active = ks.get(ks.active)
        table.add_row(ks.kind, str(ks.active), ", ".join(str(k.version) for k in ks.versions),
                      active.created if active else "-")
    Console(width=120).print(table)


@keys.command("init")
@_DIR
def init_cmd(directory: Path) -> None:
    """Create the keyring directory (0700) and every kind of key it lacks (files 0600)."""
    before = {ks.kind for ks in Keyring.load(directory).keysets()} if directory.is_dir() else set()
    ring = Keyring.init(directory)
    created = [k for k in KINDS if k not in before]
    _table(ring, f"keyring {directory}")
    click.echo(f"created: {', '.join(created)}" if created else "nothing to create: every kind exists")


@keys.command("rotate")
@click.argument("kind", type=click.Choice(KINDS))
@_DIR
def rotate_cmd(kind: str, directory: Path) -> None:
    """Make a new active version of KIND; older versions are kept so their ciphertexts still open."""
    ring = Keyring.load(directory).rotate(kind)
    ks = ring.keyset(kind)
    click.echo(f"{kind}: version {ks.active} is active; kept for decryption: "
               f"{', '.join(str(k.version) for k in ks.versions if k.version != ks.active)}")
    if kind == "join":
        click.echo("note: tokens change with the join key; values no longer link to tokens made before")


@keys.command("list")
@_DIR
def list_cmd(directory: Path) -> None:
    """Show each kind's active version and the versions kept (never the key material)."""
    _table(Keyring.load(directory), f"keyring {directory}")


@keys.command("export")
@click.option("--audience", type=click.Choice(["BANK", "PLATFORM", "LOG"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the key material (mode 0600).")
@_DIR
def export_cmd(audience: str, output: Path, directory: Path) -> None:
    """Write the key material the recipient's Decryptor loads: every version of that audience's key."""
    Keyring.load(directory).export(opts.Audience.Value(audience), output)
    click.echo(f"wrote {output}: encrypt-{audience.lower()}, all versions; give it to the {audience} recipient only")
