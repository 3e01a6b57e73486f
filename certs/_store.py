"""Reading and writing the files of a PKI directory: CAs, ledgers and CRLs, trust files, leaf versions."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509

from certs._atomic import KEY_MODE, PUBLIC_MODE, make_dir, remove_tree, swap_symlink, write_dir, write_file
from certs._ca import Authority
from certs._crl import build_crl
from certs._errors import PKIFileError, PKIStateError
from certs._layout import Layout, Manifest
from certs._ledger import Entry, Ledger, load_ledger, save_ledger
from certs._pem import PrivateKey, cert_pem, certs_from, crl_pem, crls_from, key_from, key_matches, key_pem, read


@dataclass(frozen=True)
class Leaf:
    """A leaf version on disk: its certificate, the chain it presents, and its directory."""

    name: str
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    directory: Path


def load_authority(layout: Layout, ca_id: str, *, need_key: bool = True) -> Authority:
    """The CA ``ca_id``; its key is checked against its certificate, and may be absent when not needed."""
    d = layout.ca_dir(ca_id)
    cert = certs_from(read(d / "cert.pem"), d / "cert.pem")[0]
    if not (d / "key.pem").exists():
        if need_key:
            raise PKIFileError(d / "key.pem", "does not exist", "put the CA key back (it may have been moved offline)")
        return Authority(ca_id, cert, None)
    return Authority(ca_id, cert, load_key(d / "key.pem", cert))


def load_key(path: Path, cert: x509.Certificate) -> PrivateKey:
    """The key in ``path``, which must belong to ``cert``."""
    key = key_from(read(path), path)
    if not key_matches(key, cert):
        raise PKIFileError(path, f"does not match the certificate beside it (serial {cert.serial_number:x})",
                           "restore the matching pair from a backup, or rotate")
    return key


def save_authority(layout: Layout, authority: Authority) -> None:
    """Create the directory of a new CA with its certificate and key (mode 0600)."""
    assert authority.key is not None
    make_dir(layout.ca)
    files = {"cert.pem": (cert_pem(authority.cert), PUBLIC_MODE), "key.pem": (key_pem(authority.key), KEY_MODE)}
    write_dir(layout.ca_dir(authority.id), files)


def drop_keys(layout: Layout, ca_ids: list[str]) -> None:
    """Delete the private keys of retired CAs; their certificates and ledgers stay as a record."""
    for ca_id in ca_ids:
        (layout.ca_dir(ca_id) / "key.pem").unlink(missing_ok=True)


def ledger(layout: Layout, issuer: str) -> Ledger:
    return load_ledger(layout.ca_dir(issuer) / "ledger.json")


def save_ledger_entry(layout: Layout, issuer: str, entry: Entry) -> None:
    """Record a newly issued leaf in its issuer's ledger (before the leaf appears on disk)."""
    save_ledger(layout.ca_dir(issuer) / "ledger.json", ledger(layout, issuer).add(entry))


def sign_crl(layout: Layout, issuer: Authority, updated: Ledger, now: datetime) -> None:
    """Record ``updated`` and re-sign the issuer's CRL from it with the next CRL number."""
    updated = updated.next_crl()
    crl = build_crl(issuer, updated, now)
    save_ledger(layout.ca_dir(issuer.id) / "ledger.json", updated)
    write_file(layout.ca_dir(issuer.id) / "crl.pem", crl_pem(crl))


def publish_trust(layout: Layout, manifest: Manifest, *, removing: bool = False) -> None:
    """Write the trust bundle, intermediates and CRLs of the active CAs; what is added first is removed last."""
    make_dir(layout.trust, 0o755)
    files = {
        layout.intermediates: b"".join(read(layout.ca_dir(i) / "cert.pem") for i in manifest.issuers),
        layout.bundle: b"".join(read(layout.ca_dir(r) / "cert.pem") for r in manifest.roots),
        layout.crl: b"".join(read(layout.ca_dir(i) / "crl.pem") for i in manifest.issuers),
    }
    for path in reversed(files) if removing else files:
        write_file(path, files[path])


Trusted = tuple[list[x509.Certificate], list[x509.Certificate], list[x509.CertificateRevocationList]]


def trusted(layout: Layout) -> Trusted:
    """The published roots, intermediates and CRLs."""
    roots = certs_from(read(layout.bundle), layout.bundle)
    intermediates = certs_from(read(layout.intermediates), layout.intermediates)
    return roots, intermediates, crls_from(read(layout.crl), layout.crl)


def write_leaf(layout: Layout, name: str, cert: x509.Certificate, key: PrivateKey, issuer: Authority) -> Leaf:
    """Write a new version of leaf ``name`` and swap ``current`` to it; the old one becomes ``previous``."""
    make_dir(layout.leaf_dir(name))
    version = f"{cert.not_valid_before_utc:%Y%m%dT%H%M%SZ}-{cert.serial_number:x}"[:32]
    chain = (cert, issuer.cert)
    write_dir(layout.leaf_dir(name) / version, {
        "cert.pem": (cert_pem(cert), PUBLIC_MODE), "chain.pem": (cert_pem(*chain), PUBLIC_MODE),
        "key.pem": (key_pem(key), KEY_MODE),
    })
    old = _target(layout.current(name))
    if old is not None:
        swap_symlink(layout.previous(name), old)
    swap_symlink(layout.current(name), version)
    _prune(layout.leaf_dir(name), keep={version, old})
    return Leaf(name, cert, chain, layout.leaf_dir(name) / version)


def swap_back(layout: Layout, name: str) -> None:
    """Make ``previous`` current again and the current version previous."""
    current, previous = _target(layout.current(name)), _target(layout.previous(name))
    assert current is not None
    assert previous is not None
    swap_symlink(layout.current(name), previous)
    swap_symlink(layout.previous(name), current)


def load_leaf(layout: Layout, name: str, which: str = "current") -> Leaf:
    """The ``current`` (or ``previous``) version of leaf ``name``."""
    d = layout.leaf_dir(name) / which
    if not d.exists():
        raise PKIStateError(f"{d}: no {which} certificate named {name!r}; see coloan-gw certs list, "
                            f"or create it with coloan-gw certs issue {name} --role ...")
    chain = certs_from(read(d / "chain.pem"), d / "chain.pem")
    return Leaf(name, chain[0], tuple(chain), d.resolve())


def has_leaf(layout: Layout, name: str) -> bool:
    return layout.current(name).exists()


def _target(link: Path) -> str | None:
    return os.readlink(link) if link.is_symlink() else None


def _prune(leaf_dir: Path, keep: set[str | None]) -> None:
    for child in leaf_dir.iterdir():
        if not child.name.startswith(".") and child.name not in keep and not child.is_symlink():
            remove_tree(child)
