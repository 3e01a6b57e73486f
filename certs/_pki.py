"""The PKI of a directory: init, issue, rotate, roll back, revoke, CA rollover; the CLI is a thin layer over it."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509

from certs._atomic import exclusive, make_dir, remove_tree
from certs._clock import Clock, system_clock
from certs._crl import REASONS
from certs._errors import PKIStateError, ProfileError
from certs._issue import issue_leaf, profile_of, spiffe_of
from certs._layout import Layout, Manifest, load_manifest, save_manifest
from certs._ledger import Entry
from certs._profiles import Algorithm, LeafProfile, Role, check_trust_domain
from certs._rollover import blockers, create_generation, describe_blockers, old_issuers, superseded
from certs._status import StatusRow, status_rows
from certs._store import (
    drop_keys,
    has_leaf,
    ledger,
    load_authority,
    load_leaf,
    publish_trust,
    save_ledger_entry,
    sign_crl,
    swap_back,
    write_leaf,
)
from certs._verify import VerifiedChain, verify_chain

DEFAULT_LEAVES = tuple(LeafProfile(role.value, role) for role in (Role.GATEWAY, Role.PLATFORM, Role.BANK, Role.OPS))
_SERIAL = re.compile(r"(0x)?[0-9a-f:]{8,}")


@dataclass(frozen=True)
class Issued:
    """A leaf just issued (or made current again): where it is and what it says."""

    name: str
    spiffe_id: str
    serial: int
    not_after: datetime
    issuer: str
    directory: Path


@dataclass(frozen=True)
class Revoked:
    """A revocation: which certificate, by which CA, and whether it had been revoked already."""

    name: str
    serial: int
    issuer: str
    already: bool


@dataclass(frozen=True)
class Rollover:
    """A CA rollover step: the new issuing CA, its root, and the leaves re-issued from it (on activation)."""

    issuer: str
    root: str
    reissued: tuple[Issued, ...]


class Pki:
    """A PKI directory; every operation reads the clock it was given, and writes atomically under a lock."""

    def __init__(self, directory: Path | str, *, clock: Clock = system_clock) -> None:
        self.layout = Layout(Path(directory))
        self.clock = clock

    @classmethod
    def init(cls, directory: Path | str, *, trust_domain: str = "coloan.local", force: bool = False,
             clock: Clock = system_clock, leaves: tuple[LeafProfile, ...] = DEFAULT_LEAVES) -> Pki:
        """Create a root, an issuing CA and ``leaves``; refuses to replace a PKI (or leftovers) unless ``force``."""
        pki = cls(directory, clock=clock)
        make_dir(pki.layout.root)
        with exclusive(pki.layout.lock):
            pki._clear(force)
            root, issuer = create_generation(pki.layout, None, check_trust_domain(trust_domain), clock())
            manifest = Manifest(trust_domain, issuer.id, (root,), {issuer.id: root})
            publish_trust(pki.layout, manifest)
            for profile in leaves:
                pki._issue(manifest, profile)
            save_manifest(pki.layout, manifest)
        return pki

    @property
    def trust_domain(self) -> str:
        return load_manifest(self.layout).trust_domain

    def issue(self, profile: LeafProfile) -> Issued:
        """A first certificate for ``profile.name``; a name that exists is rotated instead."""
        with self._writing():
            manifest = load_manifest(self.layout)
            if has_leaf(self.layout, profile.name):
                raise PKIStateError(f"{self.layout.current(profile.name)}: {profile.name!r} already has a certificate; "
                                    f"renew it with coloan-gw certs rotate {profile.name}")
            return self._issue(manifest, profile)

    def rotate(self, name: str, *, algorithm: Algorithm | None = None, days: int | None = None) -> Issued:
        """A new key and certificate with the same identity and SANs; the old pair stays as ``previous``."""
        with self._writing():
            manifest = load_manifest(self.layout)
            leaf = load_leaf(self.layout, name)
            return self._issue(manifest, profile_of(leaf.cert, algorithm=algorithm, days=days))

    def rollback(self, name: str) -> Issued:
        """Make the previous pair of ``name`` current again, unless it is revoked or expired."""
        with self._writing():
            manifest = load_manifest(self.layout)
            previous = load_leaf(self.layout, name, "previous")
            entry, issuer = self._find(manifest, previous.cert.serial_number)
            if entry is None or not entry.live(self.clock()):
                raise PKIStateError(f"{previous.directory}: the previous certificate of {name!r} is revoked, expired "
                                    f"or from a retired CA; issue a new one with coloan-gw certs rotate {name}")
            swap_back(self.layout, name)
            return _issued(name, previous.cert, issuer, previous.directory)

    def revoke(self, target: str, *, reason: str = "unspecified") -> Revoked:
        """Revoke the current certificate of leaf ``target``, or the certificate with serial ``target``."""
        if reason not in REASONS:
            raise ProfileError(f"revocation reason {reason!r} is unknown; use one of {', '.join(REASONS)}")
        with self._writing():
            manifest = load_manifest(self.layout)
            entry, issuer_id = self._find(manifest, self._serial(target))
            if entry is None:
                raise PKIStateError(f"{target}: no active issuing CA issued this certificate; see coloan-gw certs list")
            now = self.clock()
            updated = ledger(self.layout, issuer_id)
            if entry.revoked_at is None:
                updated = updated.revoke(entry.serial, now, reason)
            # Re-signed even when already revoked, so re-running repairs an interrupted revoke.
            sign_crl(self.layout, load_authority(self.layout, issuer_id), updated, now)
            publish_trust(self.layout, manifest)
            return Revoked(entry.name, entry.serial, issuer_id, already=entry.revoked_at is not None)

    def refresh_crls(self) -> list[str]:
        """Re-sign the CRL of every active issuing CA (run daily: a CRL is valid for a week)."""
        with self._writing():
            manifest = load_manifest(self.layout)
            for issuer_id in manifest.issuers:
                issuer = load_authority(self.layout, issuer_id)
                sign_crl(self.layout, issuer, ledger(self.layout, issuer_id), self.clock())
            publish_trust(self.layout, manifest)
            return list(manifest.issuers)

    def ca_rotate(self, *, new_root: bool = True) -> Rollover:
        """Create a new issuing CA (and root) and trust it beside the old one; the old CA keeps issuing until
        ``ca_activate``, so no party sees a certificate from the new root before it has the new bundle."""
        with self._writing():
            manifest = load_manifest(self.layout)
            if manifest.pending is not None:
                raise PKIStateError(f"{self.layout.manifest}: {manifest.pending} is already pending; "
                                    "deliver trust/bundle.pem, then run coloan-gw certs ca activate")
            now = self.clock()
            root, issuer = create_generation(self.layout, manifest, manifest.trust_domain, now, new_root=new_root)
            manifest = manifest.with_pending(issuer.id, root)
            publish_trust(self.layout, manifest)
            save_manifest(self.layout, manifest)
            return Rollover(issuer.id, root, ())

    def ca_activate(self, *, reissue: bool = True) -> Rollover:
        """Make the pending CA the issuing one and re-issue every leaf from it (once every party has the bundle)."""
        with self._writing():
            manifest = load_manifest(self.layout)
            if manifest.pending is None:
                raise PKIStateError(f"{self.layout.manifest}: no CA is pending; run coloan-gw certs ca rotate first")
            manifest = manifest.activated()
            save_manifest(self.layout, manifest)
            names = self.layout.leaf_names() if reissue else []
            done = [self._issue(manifest, profile_of(load_leaf(self.layout, n).cert)) for n in names]
            return Rollover(manifest.issuing, manifest.issuers[manifest.issuing], tuple(done))

    def ca_retire(self, *, revoke_superseded: bool = False) -> list[str]:
        """Stop trusting every CA but the issuing one, refusing while an unexpired, unrevoked leaf depends on one."""
        with self._writing():
            manifest = load_manifest(self.layout)
            if manifest.pending is not None:
                raise PKIStateError(f"{self.layout.manifest}: {manifest.pending} is pending, nothing can be retired "
                                    "yet; run coloan-gw certs ca activate first")
            if revoke_superseded:
                self._revoke_superseded(manifest)
            found = blockers(self.layout, manifest, self.clock())
            if found:
                raise PKIStateError(f"{self.layout.manifest}: {describe_blockers(found)}")
            retired = old_issuers(manifest)
            kept = manifest.without(retired)
            publish_trust(self.layout, kept, removing=True)
            save_manifest(self.layout, kept)
            drop_keys(self.layout, retired + [r for r in manifest.roots if r not in kept.roots])
            return retired + [r for r in manifest.roots if r not in kept.roots]

    def status(self) -> list[StatusRow]:
        """One row per root, issuing CA, CRL and leaf, with its state at the clock's time."""
        return status_rows(self.layout, load_manifest(self.layout), self.clock())

    def verify(self, pem: bytes, source: str = "<chain>") -> VerifiedChain:
        """Validate a PEM chain (leaf first) against the trust bundle and CRLs; ``ChainInvalid`` says why not."""
        load_manifest(self.layout)
        return verify_chain(self.layout, pem, source, self.clock())

    def _writing(self) -> AbstractContextManager[None]:
        """The write lock of an existing PKI (a directory without one gets no lock file, just the error)."""
        load_manifest(self.layout)
        return exclusive(self.layout.lock)

    def _issue(self, manifest: Manifest, profile: LeafProfile) -> Issued:
        issuer = load_authority(self.layout, manifest.issuing)
        cert, key = issue_leaf(profile, manifest.trust_domain, issuer, self.clock())
        save_ledger_entry(self.layout, issuer.id, _entry(profile.name, cert))
        leaf = write_leaf(self.layout, profile.name, cert, key, issuer)
        return _issued(profile.name, cert, issuer.id, leaf.directory)

    def _clear(self, force: bool) -> None:
        layout = self.layout
        leftovers = [p for p in (layout.manifest, layout.ca, layout.trust, layout.leaves) if p.exists()]
        if leftovers and not force:
            what = "a PKI" if layout.manifest.exists() else f"{leftovers[0].name}/ without pki.json (interrupted init?)"
            raise PKIStateError(f"{layout.root} already holds {what}; pass --force to replace it (its keys are lost)")
        for path in leftovers:
            remove_tree(path)

    def _serial(self, target: str) -> int:
        if re.fullmatch(r"[a-z0-9-]{1,63}", target) and has_leaf(self.layout, target):
            return load_leaf(self.layout, target).cert.serial_number
        if not _SERIAL.fullmatch(target.lower()):
            raise PKIStateError(f"{self.layout.leaves / target}: no leaf named {target!r}, and it is not a hex serial; "
                                "see coloan-gw certs list")
        return int(target.lower().removeprefix("0x").replace(":", ""), 16)

    def _find(self, manifest: Manifest, serial: int) -> tuple[Entry | None, str]:
        for issuer_id in manifest.issuers:
            entry = ledger(self.layout, issuer_id).find(serial)
            if entry is not None:
                return entry, issuer_id
        return None, ""

    def _revoke_superseded(self, manifest: Manifest) -> None:
        now = self.clock()
        for issuer_id in old_issuers(manifest):
            old = superseded(self.layout, issuer_id, now)
            if old:
                updated = ledger(self.layout, issuer_id)
                for entry in old:
                    updated = updated.revoke(entry.serial, now, "superseded")
                sign_crl(self.layout, load_authority(self.layout, issuer_id), updated, now)
        publish_trust(self.layout, manifest)


def _entry(name: str, cert: x509.Certificate) -> Entry:
    return Entry(cert.serial_number, name, str(spiffe_of(cert)), cert.not_valid_after_utc)


def _issued(name: str, cert: x509.Certificate, issuer: str, directory: Path) -> Issued:
    return Issued(name, str(spiffe_of(cert)), cert.serial_number, cert.not_valid_after_utc, issuer, directory)
