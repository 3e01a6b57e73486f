"""``coloan-gw schema``: check and explain the policy annotations of the schemas."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from coloan.policy.v1 import options_pb2 as opts
from masking import (
    describe_rule,
    descriptor_set_services,
    fields,
    lint,
    rule_for,
    service_messages,
    shipped_services,
)

_AUDIENCES = (opts.BANK, opts.PLATFORM, opts.LOG)


@click.group()
def schema() -> None:
    """Check and explain the policy annotations of the schemas."""


@schema.command("lint")
@click.option("--descriptor-set", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A FileDescriptorSet (protoc --descriptor_set_out --include_imports) instead of "
                   "the shipped schemas.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems, not the classification table.")
def lint_cmd(descriptor_set: Path | None, quiet: bool) -> None:
    """Classify every exchanged field and fail on any field the policy cannot protect.

    Walks every message reachable from the annotated services. Exits 1 with one line
    per problem (full field name, what is wrong, the fix); 0 when the schemas pass.
    """
    if descriptor_set is None:
        services = shipped_services()
    else:
        services = descriptor_set_services(descriptor_set.read_bytes(), str(descriptor_set))
    if not quiet:
        _table(services)
    problems = lint(services)
    for problem in problems:
        click.echo(f"error: {problem}")
    n = len(service_messages(services))
    if problems:
        click.echo(f"{len(problems)} problem(s) in {n} message types", err=True)
        sys.exit(1)
    click.echo(f"ok: {len(services)} services, {n} message types, every exchanged field classified")


def _table(services: list) -> None:  # type: ignore[type-arg]
    table = Table(title="Data classification of exchanged fields")
    for col in ("field", "class", "semantic", "BANK", "PLATFORM", "LOG"):
        table.add_column(col, overflow="fold")
    for desc in service_messages(services):
        for f in fields(desc):
            if f.nested is not None:
                continue
            p = f.policy
            klass = opts.DataClass.Name(p.data_class) if p and p.data_class in opts.DataClass.values() else "-"
            sem = opts.SemanticType.Name(p.semantic) if p and p.semantic in opts.SemanticType.values() else "-"
            table.add_row(f.name, klass, sem, *(describe_rule(rule_for(p, a)) for a in _AUDIENCES))
    Console().print(table)
