"""The health of a PKI at a point in time: one row per root, issuing CA, CRL and leaf."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cryptography import x509

from certs._ca import name_cn
from certs._errors import PKIError
from certs._issue import uri_sans
from certs._layout import Layout, Manifest
from certs._pem import crls_from, read
from certs._profiles import RENEW_FRACTION
from certs._store import ledger, load_authority, load_key, load_leaf


class State(StrEnum):
    """How a certificate or CRL stands; anything but ``ok`` needs the security team."""

    OK = "ok"
    RENEW_SOON = "renew soon"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_YET_VALID = "not yet valid"
    BROKEN = "broken"


@dataclass(frozen=True)
class StatusRow:
    """One line of ``coloan-gw certs status``; ``detail`` says what is wrong when the state is not ok."""

    kind: str
    name: str
    spiffe_id: str
    serial: str
    issuer: str
    not_after: datetime | None
    days_left: float | None
    state: State
    detail: str = ""

    @property
    def healthy(self) -> bool:
        return self.state is State.OK


def validity_state(not_before: datetime, not_after: datetime, now: datetime) -> State:
    """ok, renew soon (less than a third of the lifetime left), expired or not yet valid."""
    if now < not_before:
        return State.NOT_YET_VALID
    if now >= not_after:
        return State.EXPIRED
    return State.RENEW_SOON if not_after - now < (not_after - not_before) * RENEW_FRACTION else State.OK


def status_rows(layout: Layout, manifest: Manifest, now: datetime) -> list[StatusRow]:
    """Every active root, issuing CA and its CRL, then every leaf by name."""
    rows = [_ca_row(layout, "root", root, now) for root in manifest.roots]
    for issuer in manifest.issuers:
        kind = {manifest.issuing: "issuing CA", manifest.pending: "pending CA"}.get(issuer, "old CA")
        rows += [_ca_row(layout, kind, issuer, now), _crl_row(layout, issuer, now)]
    return rows + [_leaf_row(layout, manifest, name, now) for name in layout.leaf_names()]


def _ca_row(layout: Layout, kind: str, ca_id: str, now: datetime) -> StatusRow:
    try:
        cert = load_authority(layout, ca_id, need_key=False).cert
    except PKIError as exc:
        return StatusRow(kind, ca_id, "-", "-", "-", None, None, State.BROKEN, str(exc))
    return _cert_row(kind, ca_id, "-", cert, now, _cert_state(cert, now))


def _crl_row(layout: Layout, issuer: str, now: datetime) -> StatusRow:
    path = layout.ca_dir(issuer) / "crl.pem"
    try:
        crl = crls_from(read(path), path)[0]
    except (PKIError, IndexError) as exc:
        return StatusRow("CRL", issuer, "-", "-", "-", None, None, State.BROKEN, str(exc) or f"{path}: empty")
    next_update = crl.next_update_utc or now
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    state = validity_state(crl.last_update_utc, next_update, now)
    days = _days(next_update - now)
    return StatusRow("CRL", issuer, "-", f"#{number}", name_cn(crl.issuer), next_update, days, state)


def _leaf_row(layout: Layout, manifest: Manifest, name: str, now: datetime) -> StatusRow:
    try:
        leaf = load_leaf(layout, name)
        load_key(leaf.directory / "key.pem", leaf.cert)
        spiffe = _spiffe(leaf.cert)
    except PKIError as exc:
        return StatusRow("leaf", name, "-", "-", "-", None, None, State.BROKEN, str(exc))
    cert = leaf.cert
    issuer = next((i for i in manifest.issuers if _subject(layout, i) == cert.issuer), None)
    entry = ledger(layout, issuer).find(cert.serial_number) if issuer else None
    if issuer is None:
        return _cert_row("leaf", name, spiffe, cert, now, State.BROKEN, "issued by a CA that is not active; rotate it")
    if entry is not None and entry.revoked_at is not None:
        return _cert_row("leaf", name, spiffe, cert, now, State.REVOKED, f"revoked, still deployed; rotate {name}")
    return _cert_row("leaf", name, spiffe, cert, now, _cert_state(cert, now))


def _cert_row(kind: str, name: str, spiffe: str, cert: x509.Certificate, now: datetime, state: State,
              detail: str = "") -> StatusRow:
    not_after = cert.not_valid_after_utc
    return StatusRow(kind, name, spiffe, f"{cert.serial_number:x}", name_cn(cert.issuer), not_after,
                     _days(not_after - now), state, detail)


def _cert_state(cert: x509.Certificate, now: datetime) -> State:
    return validity_state(cert.not_valid_before_utc, cert.not_valid_after_utc, now)


def _subject(layout: Layout, ca_id: str) -> x509.Name | None:
    try:
        return load_authority(layout, ca_id, need_key=False).cert.subject
    except PKIError:
        return None


def _spiffe(cert: x509.Certificate) -> str:
    uris = uri_sans(cert)
    return uris[0] if len(uris) == 1 else "-"


def _days(delta: timedelta) -> float:
    return delta / timedelta(days=1)


