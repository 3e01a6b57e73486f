"""A self-contained workspace: PKI, masking keys, signing keys and configs for a gateway and two partners.

Used by ``coloan-gw demo``, the benchmark and the integration tests; everything is created
fresh on disk with real keys and certificates, nothing is committed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from certs import Pki
from gateway._files import atomic_output
from gateway.audit import create_search_key
from gateway.signing import PublicKeySet, SigningKey
from masking import Keyring

PARTIES = ("gateway", "platform", "bank", "ops")
_ROLES = {"platform": ("platform", "PLATFORM"), "bank": ("bank", "BANK"), "ops": ("ops", "LOG")}


@dataclass(frozen=True)
class Workspace:
    """Where a workspace keeps its parts; every path is absolute."""

    root: Path

    @property
    def pki_dir(self) -> Path:
        return self.root / "pki"

    @property
    def keys_dir(self) -> Path:
        return self.root / "keys"

    @property
    def signing_dir(self) -> Path:
        return self.root / "signing"

    @property
    def config(self) -> Path:
        return self.root / "gateway.toml"

    @property
    def audit_dir(self) -> Path:
        return self.root / "audit"

    @property
    def audit_search_key(self) -> Path:
        return self.root / "audit-search.key"

    @property
    def access_log(self) -> Path:
        return self.root / "logs" / "access.jsonl"

    def key_id(self, party: str) -> str:
        return (self.signing_dir / f"{party}.kid").read_text().strip()

    def signing_key(self, party: str) -> SigningKey:
        return SigningKey.from_pem_file(self.key_id(party), self.signing_dir / f"{party}.key.pem")

    def public_keys(self, party: str) -> PublicKeySet:
        return PublicKeySet.from_pem_files({self.key_id(party): self.signing_dir / f"{party}.pub.pem"})


def _write(path: Path, data: bytes, mode: int = 0o644) -> None:
    with atomic_output(path, mode) as out:
        out.write(data)


def _signing_key(ws: Workspace, party: str, when: datetime) -> None:
    key_id = f"{party}/{when:%Y%m%d}-1"
    key = SigningKey.generate(key_id)
    _write(ws.signing_dir / f"{party}.key.pem", key.private_pem(), 0o600)
    _write(ws.signing_dir / f"{party}.pub.pem", key.public_pem())
    _write(ws.signing_dir / f"{party}.kid", key_id.encode() + b"\n")


def create(root: Path, *, force: bool = False) -> Workspace:
    """A new workspace under ``root``: a PKI with the four parties, masking keys and signing keys."""
    ws = Workspace(root.resolve())
    ws.root.mkdir(parents=True, exist_ok=True)
    Pki.init(ws.pki_dir, force=force)
    Keyring.init(ws.keys_dir)
    ws.signing_dir.mkdir(mode=0o700, exist_ok=True)
    now = datetime.now(UTC)
    for party in PARTIES:
        _signing_key(ws, party, now)
    (ws.root / "logs").mkdir(exist_ok=True)
    create_search_key(ws.audit_search_key)
    return ws


def write_config(ws: Workspace, *, listen: str, upstreams: dict[str, str], trust_domain: str = "coloan.local",
                 state: str = "sqlite:///state.db") -> Path:
    """The gateway's ``gateway.toml`` for this workspace; ``upstreams`` maps partner name to address."""
    lines = [
        "[gateway]", 'name = "gateway"', f'listen = "{listen}"', 'pki_dir = "pki"', 'keys_dir = "keys"',
        'signing_key = "signing/gateway.key.pem"', f'signing_key_id = "{ws.key_id("gateway")}"',
        'access_log = "logs/access.jsonl"', f'state = "{state}"', "clock_window_s = 60", "",
    ]
    for party, (role, audience) in _ROLES.items():
        lines += ["[[partners]]", f'name = "{party}"', f'role = "{role}"', f'audience = "{audience}"',
                  f'spiffe_id = "spiffe://{trust_domain}/{role}/{party}"']
        if party in upstreams:
            lines.append(f'upstream = "{upstreams[party]}"')
        lines += ["[partners.signing_keys]", f'"{ws.key_id(party)}" = "signing/{party}.pub.pem"', ""]
    _write(ws.config, "\n".join(lines).encode())
    os.chmod(ws.config, 0o644)
    return ws.config
