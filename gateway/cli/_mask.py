"""``coloan-gw mask``: apply a compiled masking plan to records, or explain the plan."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO

import click
from google.protobuf import json_format, message_factory
from google.protobuf.message import Message
from rich.console import Console
from rich.table import Table

from coloan.policy.v1 import options_pb2 as opts
from masking import Engine, Keyring, MessageError, Plan

_AUDIENCES = ("BANK", "PLATFORM", "LOG")


@click.command()
@click.option("--type", "type_name", metavar="FULL.MESSAGE.NAME", help="e.g. coloan.v1.LoanApplication")
@click.option("--audience", type=click.Choice(_AUDIENCES), help="Who receives the records.")
@click.option("--keys", "keys_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("var/keys"),
              show_default=True, help="The keyring directory (coloan-gw keys init).")
@click.option("--explain", is_flag=True,
              help="Print the compiled plan (all request and response types and audiences unless given) "
                   "and read no records.")
def mask(type_name: str | None, audience: str | None, keys_dir: Path, explain: bool) -> None:
    """Mask records (protobuf JSON, one a line) from stdin to stdout for one audience.

    A bad line stops with an error naming its line number (never its content); every
    line before it has been written completely.
    """
    if explain:
        _explain(type_name, audience, keys_dir)
        return
    if type_name is None or audience is None:
        raise click.UsageError("--type and --audience are required (or use --explain)")
    plan = Engine(Keyring.load(keys_dir)).plan(type_name, opts.Audience.Value(audience))
    _stream(plan, sys.stdin.buffer, sys.stdout.buffer)


def _stream(plan: Plan, src: IO[bytes], out: IO[bytes]) -> None:
    cls = message_factory.GetMessageClass(plan.descriptor)
    for number, line in enumerate(src, 1):
        if not line.strip():
            continue
        msg = _parse(cls, line, number, plan.message_type, out)
        plan.apply(msg)
        record = json_format.MessageToDict(msg, preserving_proto_field_name=True)
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
    out.flush()


def _parse(cls: type[Message], line: bytes, number: int, type_name: str, out: IO[bytes]) -> Message:
    try:
        return json_format.Parse(line.decode(), cls())
    except (json_format.ParseError, ValueError, TypeError, RecursionError):
        out.flush()
        raise MessageError(f"line {number}: not a {type_name} record in protobuf JSON form "
                           f"(lines before it were written)") from None


def _explain(type_name: str | None, audience: str | None, keys_dir: Path) -> None:
    console = Console(width=160)
    ring = Keyring.load(keys_dir) if keys_dir.is_dir() else None
    if ring is None:
        console.print(f"[dim]no keyring at {keys_dir}: key versions are not shown[/dim]")
    engine = Engine(ring or Keyring.ephemeral())
    types = [type_name] if type_name else _roots(engine)
    for name in types:
        for aud in [audience] if audience else _AUDIENCES:
            _print_plan(console, engine.plan(name, opts.Audience.Value(aud)), aud, keys=ring is not None)


def _roots(engine: Engine) -> list[str]:
    names = [t.full_name for s in engine.services for m in s.methods for t in (m.input_type, m.output_type)]
    return list(dict.fromkeys(names))


def _print_plan(console: Console, plan: Plan, audience: str, keys: bool) -> None:
    table = Table(title=f"{plan.message_type} → {audience}", title_justify="left")
    for col in ("field path", "class", "semantic", "action", *(("key",) if keys else ())):
        table.add_column(col)
    for row in plan.rows:
        cells = (row.path, row.data_class, row.semantic, row.action)
        table.add_row(*cells, *((row.key or "",) if keys else ()))
    console.print(table)
