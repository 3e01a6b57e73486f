"""``coloan-gw audit``: verify a log, prove a record's inclusion, check a proof, search by keyed hash."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from gateway._files import atomic_output
from gateway.audit import (
    AuditError,
    Checkpoint,
    InclusionProof,
    create_search_key,
    load_search_key,
    prove,
    search,
    verify_log,
    verify_proof,
)
from gateway.cli._errors import format_error
from gateway.signing import PublicKeySet

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


class _AuditGroup(click.Group):
    """Turns the audit package's errors into the command line's one-line error and exit 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except AuditError as exc:
            click.echo(f"coloan-gw: error: {format_error(exc)}", err=True)
            sys.exit(1)


def _key_file(spec: str) -> tuple[str, Path]:
    """``KEY_ID=PATH``, or ``PATH`` whose key id is in ``<name>.kid`` beside it (as workspaces keep them)."""
    key_id, sep, path = spec.partition("=")
    if sep:
        return key_id, Path(path)
    pem = Path(spec)
    kid = pem.with_name(pem.name.split(".")[0] + ".kid")
    if not kid.is_file():
        raise click.BadParameter(f"{spec}: no {kid.name} beside it; name the key id: --keys KEY_ID={spec}")
    return kid.read_text(encoding="utf-8").strip(), pem


def _keys(specs: tuple[str, ...]) -> PublicKeySet:
    return PublicKeySet.from_pem_files(dict(_key_file(spec) for spec in specs))


_KEYS = click.option("--keys", "key_specs", multiple=True, required=True, metavar="[KEY_ID=]PEM",
                     help="A trusted public key of the gateway (repeatable; old keys too after a rotation).")


@click.group("audit", cls=_AuditGroup)
def audit() -> None:
    """Verify the tamper-evident audit log, prove that a record is in it, and search it.

    The log is a Merkle tree (RFC 6962) of canonical JSON records with signed
    checkpoints; docs/audit.md specifies the format byte by byte.
    """


@audit.command("init-key")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def init_key_cmd(file: Path) -> None:
    """Create the audit search key FILE: 32 random bytes, mode 0600; never overwrites."""
    create_search_key(file)
    click.echo(f"wrote {file}: the audit search key; give it to the gateway and to auditors only")


@audit.command("verify")
@click.argument("directory", type=_DIR)
@_KEYS
@click.option("--checkpoint", "witnesses", multiple=True, type=_FILE,
              help="Checkpoint lines (or a proof file) held outside the log, to catch a cut tail (repeatable).")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (records after the last checkpoint).")
def verify_cmd(directory: Path, key_specs: tuple[str, ...], witnesses: tuple[Path, ...], strict: bool) -> None:
    """Recompute the tree of DIRECTORY and check every checkpoint; one line per problem, exit 1 on tampering."""
    report = verify_log(directory, _keys(key_specs), witnesses=witnesses)
    for finding in report.findings:
        click.echo(str(finding))
    counts = f"{report.records} records, {report.checkpoints} checkpoints"
    if not report.ok:
        click.echo(f"FAILED: {counts}; {sum(f.severity == 'error' for f in report.findings)} problems")
        sys.exit(1)
    click.echo(f"ok: {counts}; signed through size {report.verified}, root {report.root}")
    if strict and report.findings:
        sys.exit(1)


@audit.command("prove")
@click.argument("directory", type=_DIR)
@click.argument("record_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the proof here.")
@click.option("--record-out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the record line itself here (what verify-proof --record takes).")
def prove_cmd(directory: Path, record_id: str, output: Path | None, record_out: Path | None) -> None:
    """Print the inclusion proof (JSON) of RECORD_ID ("<index>" or "<index>-<hash prefix>") at the latest checkpoint."""
    proof, line = prove(directory, record_id)
    if record_out is not None:
        with atomic_output(record_out, 0o600) as out:
            out.write(line + b"\n")
    if output is None:
        click.echo(proof.to_json(), nl=False)
        return
    with atomic_output(output) as out:
        out.write(proof.to_json().encode("utf-8"))
    click.echo(f"wrote {output}: record {proof.record_id} in the tree of size {proof.tree_size}", err=True)


@audit.command("verify-proof")
@click.argument("proof_file", type=_FILE)
@click.option("--record", "record_file", type=_FILE, help="The record line the proof is about.")
@click.option("--leaf-hash", help="Or only its leaf hash (hex), when the record itself is not at hand.")
@_KEYS
def verify_proof_cmd(proof_file: Path, record_file: Path | None, leaf_hash: str | None,
                     key_specs: tuple[str, ...]) -> None:
    """Check that a record is in the log: its proof leads to a checkpoint signed by a trusted key; exit 1 if not."""
    if (record_file is None) == (leaf_hash is None):
        raise click.UsageError("give exactly one of --record FILE and --leaf-hash HEX")
    proof = InclusionProof.from_json(proof_file.read_text(encoding="utf-8"))
    verify_proof(proof, record_file.read_bytes() if record_file else str(leaf_hash), _keys(key_specs))
    checkpoint = Checkpoint.parse(proof.checkpoint)
    when = datetime.fromtimestamp(checkpoint.time_ms / 1000, UTC).isoformat(timespec="seconds")
    click.echo(f"ok: record {proof.record_id} is in the log of {proof.tree_size} records, "
               f"checkpoint signed by {checkpoint.key_id} at {when}")


@audit.command("search")
@click.argument("directory", type=_DIR)
@click.option("--field", "field_path", required=True, help="The searchable field path, e.g. profile.resident_id.")
@click.option("--value", help="The value to find (prompted for, unechoed, if omitted).")
@click.option("--key", "key_file", required=True, type=_FILE, help="The audit search key file.")
def search_cmd(directory: Path, field_path: str, value: str | None, key_file: Path) -> None:
    """Print the records whose FIELD holds VALUE, found by its keyed hash; VALUE itself is never printed."""
    key = load_search_key(key_file)
    if value is None:
        value = click.prompt("value", hide_input=True, err=True)
    try:
        found = list(search(directory, key, field_path, str(value)))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--field") from None
    for record_id, line in found:
        click.echo(f"{record_id} {line.decode('utf-8')}")
    click.echo(f"{len(found)} matching records in {directory}", err=True)
