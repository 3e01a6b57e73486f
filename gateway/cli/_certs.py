"""``coloan-gw certs``: the security team's PKI: create it, issue, rotate, revoke, roll a CA over, check health."""

from __future__ import annotations

import errno
import sys
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from certs import (
    REVOCATION_REASONS,
    Algorithm,
    Clock,
    LeafProfile,
    Pki,
    PKIError,
    Role,
    State,
    StatusRow,
    system_clock,
)

_STYLE = {State.OK: "green", State.RENEW_SOON: "yellow"}
_ED25519_NOTE = ("note: gRPC's TLS stack (BoringSSL) does not negotiate Ed25519 certificates; "
                 "use Ed25519 only for clients that do not speak gRPC")

_dir_option = click.option(
    "--dir", "directory", type=click.Path(file_okay=False, readable=False, path_type=Path), default=Path("var/pki"),
    envvar="COLOAN_PKI_DIR", show_default=True, help="The PKI directory (env COLOAN_PKI_DIR).")
_algorithm_option = click.option(
    "--algorithm", type=click.Choice([a.value for a in Algorithm]), default=None,
    help="Leaf key algorithm [default: ecdsa-p256, or the current one on rotate].")


class _CertsGroup(click.Group):
    """Turns OS errors (permissions, full disk) into a PKIError that says what to do."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            raise PKIError(_os_message(exc)) from None


@click.group(cls=_CertsGroup)
def certs() -> None:
    """Run the partners' PKI: root and issuing CAs, leaf certificates, revocation, CA rollover.

    Writes are atomic and keys are mode 0600; docs/pki.md has the layout and the rotation runbook.
    """


@certs.command("init")
@_dir_option
@click.option("--trust-domain", default="coloan.local", show_default=True, help="SPIFFE trust domain.")
@click.option("--force", is_flag=True, help="Replace an existing PKI in DIR (its keys are deleted).")
@click.pass_context
def init_cmd(ctx: click.Context, directory: Path, trust_domain: str, force: bool) -> None:
    """Create a root CA, an issuing CA, and leaves for gateway, platform, bank and ops."""
    pki = Pki.init(directory, trust_domain=trust_domain, force=force, clock=_clock(ctx))
    click.echo(f"created a PKI for spiffe://{trust_domain} in {directory}")
    _print_table(pki.status())


@certs.command("issue")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True, help="Whom the leaf speaks for.")
@click.option("--dns", multiple=True, help="DNS SAN (repeatable) [default: localhost].")
@click.option("--ip", multiple=True, help="IP SAN (repeatable) [default: 127.0.0.1].")
@click.option("--days", type=int, default=None, help="Lifetime in days [default: 30, at most 90].")
@_algorithm_option
@_dir_option
@click.pass_context
def issue_cmd(ctx: click.Context, name: str, role: str, dns: tuple[str, ...], ip: tuple[str, ...], days: int | None,
              algorithm: str | None, directory: Path) -> None:
    """Issue the first certificate of leaf NAME, with the SPIFFE id spiffe://<trust-domain>/<role>/<name>."""
    base = LeafProfile(name, Role(role))
    profile = replace(base, dns=dns or base.dns, ips=ip or base.ips, days=days or base.days,
                      algorithm=Algorithm(algorithm) if algorithm else base.algorithm)
    issued = _pki(ctx, directory).issue(profile)
    _note_algorithm(profile.algorithm)
    click.echo(f"issued {issued.name}: {issued.spiffe_id}, serial {issued.serial:x}, "
               f"expires {issued.not_after:%Y-%m-%d %H:%M} UTC, in {issued.directory}")


@certs.command("rotate")
@click.argument("name")
@click.option("--days", type=int, default=None, help="Lifetime in days [default: as before].")
@_algorithm_option
@_dir_option
@click.pass_context
def rotate_cmd(ctx: click.Context, name: str, days: int | None, algorithm: str | None, directory: Path) -> None:
    """Give leaf NAME a new key and certificate with the same identity; the old pair is kept for rollback."""
    issued = _pki(ctx, directory).rotate(name, algorithm=Algorithm(algorithm) if algorithm else None, days=days)
    _note_algorithm(Algorithm(algorithm) if algorithm else None)
    click.echo(f"rotated {issued.name}: serial {issued.serial:x} ({issued.issuer}), "
               f"expires {issued.not_after:%Y-%m-%d %H:%M} UTC; the previous pair stays valid until it expires")


@certs.command("rollback")
@click.argument("name")
@_dir_option
@click.pass_context
def rollback_cmd(ctx: click.Context, name: str, directory: Path) -> None:
    """Make the previous pair of leaf NAME current again (refused if it is revoked or expired)."""
    issued = _pki(ctx, directory).rollback(name)
    click.echo(f"rolled {issued.name} back to serial {issued.serial:x}, expires {issued.not_after:%Y-%m-%d %H:%M} UTC")


@certs.command("revoke")
@click.argument("target", metavar="NAME|SERIAL")
@click.option("--reason", type=click.Choice(REVOCATION_REASONS), default="unspecified", show_default=True)
@_dir_option
@click.pass_context
def revoke_cmd(ctx: click.Context, target: str, reason: str, directory: Path) -> None:
    """Revoke the current certificate of leaf NAME (or the one with hex SERIAL) and re-sign the CRL."""
    pki = _pki(ctx, directory)
    revoked = pki.revoke(target, reason=reason)
    if revoked.already:
        click.echo(f"{revoked.name} serial {revoked.serial:x} was already revoked")
        return
    click.echo(f"revoked {revoked.name} serial {revoked.serial:x} ({reason}); "
               f"the CRL of {revoked.issuer} is re-signed in {pki.layout.crl}")
    if pki.layout.current(revoked.name).exists() and target == revoked.name:
        click.echo(f"next: coloan-gw certs rotate {revoked.name} --dir {directory}")


@certs.command("crl")
@_dir_option
@click.pass_context
def crl_cmd(ctx: click.Context, directory: Path) -> None:
    """Re-sign the CRL of every active issuing CA (each is valid for 7 days: run this daily)."""
    issuers = _pki(ctx, directory).refresh_crls()
    click.echo(f"re-signed the CRLs of {', '.join(issuers)}")


@certs.command("status")
@_dir_option
@click.pass_context
def status_cmd(ctx: click.Context, directory: Path) -> None:
    """A table of every CA, CRL and leaf; exits 1 when anything is expired, revoked, broken or due for renewal."""
    rows = _pki(ctx, directory).status()
    _print_table(rows)
    problems = [r for r in rows if not r.healthy]
    for row in problems:
        click.echo(f"{row.kind} {row.name}: {row.state}" + (f": {row.detail}" if row.detail else ""), err=True)
    if problems:
        sys.exit(1)


certs.add_command(status_cmd, "list")


@certs.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_dir_option
@click.pass_context
def verify_cmd(ctx: click.Context, file: Path, directory: Path) -> None:
    """Validate the chain in FILE (leaf first) against the trust bundle, the CRLs and the leaf profile."""
    verified = _pki(ctx, directory).verify(file.read_bytes(), str(file))
    click.echo(f"{file}: OK {verified.spiffe_id} serial {verified.serial:x} via {' -> '.join(verified.path)}, "
               f"expires {verified.not_after:%Y-%m-%d %H:%M} UTC")


@certs.group("ca")
def ca() -> None:
    """Roll a CA over: rotate (new CA, overlap bundle), activate (re-issue leaves), retire (drop the old CA)."""


@ca.command("rotate")
@click.option("--intermediate-only", is_flag=True, help="Keep the root; replace only the issuing CA (needs root key).")
@_dir_option
@click.pass_context
def ca_rotate_cmd(ctx: click.Context, intermediate_only: bool, directory: Path) -> None:
    """Create a new issuing CA (and root) and trust it beside the old one; the old CA keeps issuing for now."""
    pki = _pki(ctx, directory)
    staged = pki.ca_rotate(new_root=not intermediate_only)
    click.echo(f"{staged.issuer} (under {staged.root}) is pending; {pki.layout.bundle} trusts old and new roots")
    click.echo(f"next: deliver {pki.layout.bundle} to every party, then coloan-gw certs ca activate --dir {directory}")


@ca.command("activate")
@click.option("--no-reissue", is_flag=True, help="Only switch the issuing CA; rotate each leaf later.")
@_dir_option
@click.pass_context
def ca_activate_cmd(ctx: click.Context, no_reissue: bool, directory: Path) -> None:
    """Make the pending CA the issuing one and re-issue every leaf from it."""
    rollover = _pki(ctx, directory).ca_activate(reissue=not no_reissue)
    click.echo(f"{rollover.issuer} (under {rollover.root}) now issues")
    for issued in rollover.reissued:
        click.echo(f"  re-issued {issued.name}: serial {issued.serial:x}")
    click.echo(f"next: deliver the new leaves; once every party runs them, coloan-gw certs ca retire --dir {directory}")


@ca.command("retire")
@click.option("--revoke-superseded", is_flag=True, help="First revoke old-CA leaves that are no longer current.")
@_dir_option
@click.pass_context
def ca_retire_cmd(ctx: click.Context, revoke_superseded: bool, directory: Path) -> None:
    """Stop trusting every CA but the issuing one; refused while an unexpired leaf still depends on one."""
    retired = _pki(ctx, directory).ca_retire(revoke_superseded=revoke_superseded)
    click.echo(f"retired {', '.join(retired)}; their keys are deleted" if retired else "nothing to retire")


def _pki(ctx: click.Context, directory: Path) -> Pki:
    return Pki(directory, clock=_clock(ctx))


def _clock(ctx: click.Context) -> Clock:
    """The system clock, unless the caller (a test) passed ``obj={"clock": ...}``."""
    obj = ctx.obj if isinstance(ctx.obj, dict) else {}
    clock: Clock = obj.get("clock", system_clock)
    return clock


def _note_algorithm(algorithm: Algorithm | None) -> None:
    if algorithm is Algorithm.ED25519:
        click.echo(_ED25519_NOTE, err=True)


def _print_table(rows: list[StatusRow]) -> None:
    table = Table(title="PKI status")
    for col in ("kind", "name", "SPIFFE id", "serial", "issuer", "not after (UTC)", "days left", "state"):
        table.add_column(col, no_wrap=col in ("serial", "SPIFFE id"))
    for r in rows:
        days = "-" if r.days_left is None else f"{r.days_left:.1f}"
        not_after = "-" if r.not_after is None else f"{r.not_after:%Y-%m-%d %H:%M}"
        state = f"[{_STYLE.get(r.state, 'red')}]{r.state}[/]"
        table.add_row(r.kind, r.name, r.spiffe_id, r.serial, r.issuer, not_after, days, state)
    Console(width=200).print(table)


def _os_message(exc: OSError) -> str:
    where = exc.filename or "the PKI directory"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{where}: permission denied; run as the user that owns the PKI directory, or fix its owner and modes"
    if exc.errno == errno.ENOSPC:
        return f"{where}: no space left on the device; free space and run the command again (nothing was replaced)"
    return f"{where}: {exc.strerror or exc}; check the path and its permissions"
