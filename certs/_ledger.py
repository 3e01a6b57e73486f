"""The ledger of an issuing CA: every certificate it issued, which are revoked, and its CRL number."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from certs._atomic import write_file
from certs._errors import PKIFileError


@dataclass(frozen=True)
class Entry:
    """One issued leaf: serial, name, SPIFFE id, expiry, and when and why it was revoked (if it was)."""

    serial: int
    name: str
    spiffe_id: str
    not_after: datetime
    revoked_at: datetime | None = None
    reason: str | None = None

    def live(self, now: datetime) -> bool:
        """Not revoked and not yet expired: something may still present this certificate."""
        return self.revoked_at is None and self.not_after > now


@dataclass(frozen=True)
class Ledger:
    """What one issuing CA issued; immutable, every change returns a new ledger."""

    crl_number: int = 0
    entries: tuple[Entry, ...] = ()

    def add(self, entry: Entry) -> Ledger:
        return replace(self, entries=(*self.entries, entry))

    def find(self, serial: int) -> Entry | None:
        return next((e for e in self.entries if e.serial == serial), None)

    def revoke(self, serial: int, at: datetime, reason: str) -> Ledger:
        entries = tuple(replace(e, revoked_at=at, reason=reason) if e.serial == serial else e for e in self.entries)
        return replace(self, entries=entries)

    def next_crl(self) -> Ledger:
        return replace(self, crl_number=self.crl_number + 1)

    def revoked(self, now: datetime) -> list[Entry]:
        """Revoked entries that have not expired yet: what the CRL must list."""
        return [e for e in self.entries if e.revoked_at is not None and e.not_after > now]

    def live(self, now: datetime) -> list[Entry]:
        """Entries something may still present: neither revoked nor expired."""
        return [e for e in self.entries if e.live(now)]


def load_ledger(path: Path) -> Ledger:
    """The ledger in ``path``; a missing file is an empty ledger."""
    try:
        raw = json.loads(path.read_bytes())
        return Ledger(int(raw["crl_number"]), tuple(_entry(e) for e in raw["entries"]))
    except FileNotFoundError:
        return Ledger()
    except (ValueError, KeyError, TypeError):
        raise PKIFileError(path, "is not a valid ledger", "restore it from a backup") from None


def save_ledger(path: Path, ledger: Ledger) -> None:
    """Write the ledger atomically."""
    raw = {"crl_number": ledger.crl_number, "entries": [_raw(e) for e in ledger.entries]}
    write_file(path, (json.dumps(raw, indent=2) + "\n").encode())


def _entry(raw: dict[str, str | None]) -> Entry:
    revoked = raw.get("revoked_at")
    return Entry(int(str(raw["serial"]), 16), str(raw["name"]), str(raw["spiffe_id"]),
                 datetime.fromisoformat(str(raw["not_after"])),
                 datetime.fromisoformat(revoked) if revoked else None, raw.get("reason"))


def _raw(e: Entry) -> dict[str, str | None]:
    return {"serial": f"{e.serial:x}", "name": e.name, "spiffe_id": e.spiffe_id, "not_after": e.not_after.isoformat(),
            "revoked_at": e.revoked_at.isoformat() if e.revoked_at else None, "reason": e.reason}
