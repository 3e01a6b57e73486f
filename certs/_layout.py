"""Where everything lives under a PKI directory, and ``pki.json``, the manifest of which CAs are active.

    DIR/pki.json                         trust domain, active roots and issuing CAs, which one issues, which is pending
    DIR/ca/root-N/{cert,key}.pem         a root CA (the key may be moved offline after use)
    DIR/ca/issuing-N/{cert,key,crl}.pem  an issuing CA, its CRL, and ledger.json of what it issued
    DIR/trust/bundle.pem                 every trusted root (old and new during a rollover)
    DIR/trust/intermediates.pem          every active issuing CA
    DIR/trust/crl.pem                    the CRLs of every active issuing CA, concatenated
    DIR/leaves/NAME/current -> VERSION   symlink swapped atomically on rotate
    DIR/leaves/NAME/previous -> VERSION  the pair before, kept for rollback
    DIR/leaves/NAME/VERSION/{cert,chain,key}.pem
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from certs._atomic import write_file
from certs._errors import PKIFileError, PKIStateError

FORMAT = 1


@dataclass(frozen=True)
class Layout:
    """The paths of a PKI directory; the leaf for NAME and the trust files follow from the directory alone."""

    root: Path

    @property
    def manifest(self) -> Path:
        return self.root / "pki.json"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    @property
    def ca(self) -> Path:
        return self.root / "ca"

    @property
    def trust(self) -> Path:
        return self.root / "trust"

    @property
    def bundle(self) -> Path:
        return self.trust / "bundle.pem"

    @property
    def intermediates(self) -> Path:
        return self.trust / "intermediates.pem"

    @property
    def crl(self) -> Path:
        return self.trust / "crl.pem"

    @property
    def leaves(self) -> Path:
        return self.root / "leaves"

    def ca_dir(self, ca_id: str) -> Path:
        return self.ca / ca_id

    def leaf_dir(self, name: str) -> Path:
        return self.leaves / name

    def current(self, name: str) -> Path:
        return self.leaf_dir(name) / "current"

    def previous(self, name: str) -> Path:
        return self.leaf_dir(name) / "previous"

    def chain(self, name: str) -> Path:
        return self.current(name) / "chain.pem"

    def key(self, name: str) -> Path:
        return self.current(name) / "key.pem"

    def leaf_names(self) -> list[str]:
        """Every leaf with a current certificate, sorted."""
        if not self.leaves.is_dir():
            return []
        return sorted(p.name for p in self.leaves.iterdir() if (p / "current").exists())


@dataclass(frozen=True)
class Manifest:
    """Which roots and issuing CAs are trusted (``issuers`` maps issuing CA to root), which one issues, which is next.

    A pending CA is trusted (its root is in the bundle) but does not issue yet: parties first need the new bundle.
    """

    trust_domain: str
    issuing: str
    roots: tuple[str, ...]
    issuers: dict[str, str] = field(hash=False)
    pending: str | None = None

    def next_id(self, layout: Layout, kind: str) -> str:
        """A CA id never used before in this directory, e.g. ``root-3``."""
        suffixes = [p.name.removeprefix(f"{kind}-") for p in layout.ca.glob(f"{kind}-*")]
        used = [int(s) for s in suffixes if s.isdigit()]
        return f"{kind}-{max(used, default=0) + 1}"

    def with_pending(self, issuer: str, root: str) -> Manifest:
        """This manifest with ``issuer`` (under ``root``) trusted and pending."""
        roots = self.roots if root in self.roots else (*self.roots, root)
        return replace(self, pending=issuer, roots=roots, issuers={**self.issuers, issuer: root})

    def activated(self) -> Manifest:
        """This manifest with the pending CA made the issuing one."""
        assert self.pending is not None
        return replace(self, issuing=self.pending, pending=None)

    def without(self, issuers: list[str]) -> Manifest:
        """This manifest with ``issuers`` retired, and every root no remaining issuer uses."""
        kept = {i: r for i, r in self.issuers.items() if i not in issuers}
        return replace(self, roots=tuple(r for r in self.roots if r in kept.values()), issuers=kept)


def load_manifest(layout: Layout) -> Manifest:
    """The manifest of ``layout``; a directory without one is not a PKI."""
    try:
        raw = json.loads(layout.manifest.read_bytes())
    except FileNotFoundError:
        raise PKIStateError(
            f"{layout.root} holds no PKI ({layout.manifest.name} is missing); "
            f"run coloan-gw certs init --dir {layout.root}, or pass the right --dir"
        ) from None
    except ValueError:
        raise PKIFileError(layout.manifest, "is not valid JSON", "restore it from a backup") from None
    return _manifest_from(raw, layout.manifest)


def save_manifest(layout: Layout, manifest: Manifest) -> None:
    """Write the manifest atomically."""
    raw = {"format": FORMAT, "trust_domain": manifest.trust_domain, "issuing": manifest.issuing,
           "pending": manifest.pending, "roots": list(manifest.roots), "issuers": manifest.issuers}
    write_file(layout.manifest, (json.dumps(raw, indent=2) + "\n").encode())


def _manifest_from(raw: object, path: Path) -> Manifest:
    bad = PKIFileError(path, f"is not a format-{FORMAT} PKI manifest", "restore it from a backup")
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise bad
    try:
        pending = raw.get("pending")
        manifest = Manifest(str(raw["trust_domain"]), str(raw["issuing"]), tuple(map(str, raw["roots"])),
                            {str(k): str(v) for k, v in raw["issuers"].items()}, str(pending) if pending else None)
    except (KeyError, TypeError, AttributeError):
        raise bad from None
    known = {manifest.issuing, manifest.pending or manifest.issuing}
    if not known <= set(manifest.issuers) or not set(manifest.issuers.values()) <= set(manifest.roots):
        raise bad
    return manifest
