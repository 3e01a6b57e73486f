"""The credentials of one party, read from the PKI directory and reloaded when they change on disk."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from certs._errors import PKIFileError
from certs._issue import spiffe_of
from certs._layout import Layout
from certs._pem import cert_pem, certs_from, crl_pem, crls_from, key_from, key_matches, key_pem, read
from certs._profiles import check_name
from certs._watch import Reloader


@dataclass(frozen=True)
class Credentials:
    """A consistent snapshot of one party's TLS material; ``version`` changes whenever any part does."""

    name: str
    chain_pem: bytes
    key_pem: bytes = field(repr=False)
    trust_bundle_pem: bytes
    crl_pem: bytes
    version: str
    not_after: datetime
    spiffe_id: str


def load_credentials(pki_dir: Path, name: str) -> Credentials:
    """Read and check ``name``'s chain and key (from one resolved version directory), trust bundle and CRLs."""
    layout = Layout(Path(pki_dir))
    version_dir = layout.current(check_name(name)).resolve()
    chain_path, key_path = version_dir / "chain.pem", version_dir / "key.pem"
    chain = certs_from(read(chain_path), chain_path)
    key = key_from(read(key_path), key_path)
    if not key_matches(key, chain[0]):
        raise PKIFileError(key_path, f"does not match the certificate in {chain_path}",
                           f"write both files again, or run coloan-gw certs rotate {name}")
    roots = certs_from(read(layout.bundle), layout.bundle)
    _check_chain(chain, roots, chain_path)
    crls = crls_from(layout.crl.read_bytes(), layout.crl) if layout.crl.exists() else []
    try:
        spiffe = str(spiffe_of(chain[0]))
    except ValueError as exc:
        fix = f"re-issue it with coloan-gw certs rotate {name}"
        raise PKIFileError(chain_path, f"leaf certificate {exc}", fix) from None
    parts = (cert_pem(*chain), key_pem(key), cert_pem(*roots), crl_pem(*crls))
    return Credentials(name, *parts, version=_digest(parts), not_after=chain[0].not_valid_after_utc, spiffe_id=spiffe)


class CredentialSource:
    """The last good :class:`Credentials` of ``name``; cheap enough (a few ``stat`` calls) for every handshake."""

    def __init__(self, pki_dir: Path, name: str) -> None:
        layout = Layout(Path(pki_dir))
        self.name = check_name(name)
        paths = [layout.chain(name), layout.key(name), layout.bundle, layout.crl]
        self._reloader = Reloader(paths, lambda: load_credentials(layout.root, name))

    @property
    def last_error(self) -> str | None:
        """Why the newest files on disk were not taken (``None`` when the current snapshot is the newest)."""
        return self._reloader.last_error

    def current(self) -> Credentials:
        """The current snapshot; ``PKIError`` only if no good snapshot was ever loaded."""
        return self._reloader.get()


def _check_chain(chain: list[x509.Certificate], roots: list[x509.Certificate], source: Path) -> None:
    for child, parent in itertools.pairwise(chain):
        _signed_by(child, [parent], source)
    _signed_by(chain[-1], roots, source)


def _signed_by(cert: x509.Certificate, issuers: list[x509.Certificate], source: Path) -> None:
    for issuer in issuers:
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return
    raise PKIFileError(source, f"{cert.subject.rfc4514_string()} is not signed by the next certificate or a trusted "
                               "root", "write the chain leaf first, then its issuing CA; check trust/bundle.pem")


def _digest(parts: tuple[bytes, ...]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()
