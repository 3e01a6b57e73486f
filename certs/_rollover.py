"""CA generations: creating a new root and issuing CA, and deciding which old ones may be retired."""

from __future__ import annotations

from datetime import datetime

from certs._ca import Authority, create_intermediate, create_root
from certs._layout import Layout, Manifest
from certs._ledger import Entry, Ledger
from certs._store import has_leaf, ledger, load_authority, load_leaf, save_authority, sign_crl


def create_generation(layout: Layout, manifest: Manifest | None, trust_domain: str, now: datetime,
                      *, new_root: bool = True) -> tuple[str, Authority]:
    """A new issuing CA with an empty signed CRL, under a new root or under the current issuing CA's root."""
    ids = manifest or Manifest(trust_domain, "", (), {})
    if new_root or manifest is None:
        root = create_root(ids.next_id(layout, "root"), trust_domain, now)
        save_authority(layout, root)
    else:
        root = load_authority(layout, manifest.issuers[manifest.issuing])
    issuer = create_intermediate(ids.next_id(layout, "issuing"), trust_domain, root, now)
    save_authority(layout, issuer)
    sign_crl(layout, issuer, Ledger(), now)
    return root.id, issuer


def superseded(layout: Layout, issuer: str, now: datetime) -> list[Entry]:
    """Live leaves of ``issuer`` that are no longer the current certificate of their name."""
    return [e for e in ledger(layout, issuer).live(now) if not _is_current(layout, e)]


def old_issuers(manifest: Manifest) -> list[str]:
    """Trusted issuing CAs that neither issue nor are about to: what ``ca retire`` drops."""
    return [i for i in manifest.issuers if i not in (manifest.issuing, manifest.pending)]


def blockers(layout: Layout, manifest: Manifest, now: datetime) -> dict[str, list[Entry]]:
    """For each issuing CA that would be retired, the live leaves that still depend on it."""
    return {i: live for i in old_issuers(manifest) if (live := ledger(layout, i).live(now))}


def describe_blockers(found: dict[str, list[Entry]]) -> str:
    """One line naming the leaves that stop a retire, and the two ways to unblock it."""
    entries = [(i, e) for i, es in found.items() for e in es]
    leaves = "; ".join(f"{e.name} (serial {e.serial:x}, {i}, expires {e.not_after:%Y-%m-%d})" for i, e in entries)
    until = max(e.not_after for _, e in entries)
    return (f"refusing to retire: {len(entries)} unexpired certificate(s) still depend on an old CA: {leaves}; "
            f"rotate the current ones, then wait until {until:%Y-%m-%d %H:%M} UTC or pass --revoke-superseded")


def _is_current(layout: Layout, entry: Entry) -> bool:
    return has_leaf(layout, entry.name) and load_leaf(layout, entry.name).cert.serial_number == entry.serial
