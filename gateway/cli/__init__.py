"""The ``coloan-gw`` command line: one entry point, a sub-command per user task.

Every failure a user can cause (bad arguments, a broken file, a missing key)
prints one line ``coloan-gw: error: ...`` on stderr and exits non-zero; that
translation happens here and nowhere else.
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import version

import click

from gateway.cli._audit import audit
from gateway.cli._bench import bench
from gateway.cli._certs import certs
from gateway.cli._demo import demo
from gateway.cli._errors import USER_ERRORS, format_error
from gateway.cli._fake import fake
from gateway.cli._keys import keys
from gateway.cli._mask import mask
from gateway.cli._mock import mock_bank, mock_platform
from gateway.cli._schema import schema
from gateway.cli._serve import config_group, serve

__all__ = ["main"]


class _Root(click.Group):
    """Turns the user errors of every package into one line and exit 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # The reader went away (``| head``): stop quietly, as other filters do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except USER_ERRORS as exc:
            click.echo(f"coloan-gw: error: {format_error(exc)}", err=True)
            sys.exit(1)


@click.group(cls=_Root, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version("coloan-gateway"), prog_name="coloan-gw")
def cli() -> None:
    """coloan-gateway: the mTLS gRPC gateway between a lending platform and its partner bank.

    It brokers every call of the annotated co-lending services, desensitizes each
    field for its receiver, verifies and countersigns, and audits every call.
    """


cli.add_command(audit)
cli.add_command(bench)
cli.add_command(certs)
cli.add_command(demo)
cli.add_command(fake)
cli.add_command(keys)
cli.add_command(mask)
cli.add_command(mock_bank)
cli.add_command(mock_platform)
cli.add_command(schema)
cli.add_command(serve)
cli.add_command(config_group)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="coloan-gw")
