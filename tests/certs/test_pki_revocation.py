"""Revocation: recorded in the ledger, listed in a freshly signed CRL with nextUpdate, seen by every checker."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import timedelta

import pytest
from cryptography import x509

from certs import CRL_LIFETIME, ChainInvalid, FrozenClock, PeerChecker, PeerRejected, Pki, PKIStateError, ProfileError

OpensslVerify = Callable[..., subprocess.CompletedProcess[str]]


def _crls(pki: Pki) -> list[x509.CertificateRevocationList]:
    data = pki.layout.crl.read_bytes()
    return [x509.load_pem_x509_crl(b"-----BEGIN" + block) for block in data.split(b"-----BEGIN")[1:]]


def _serial(pki: Pki, name: str) -> int:
    return x509.load_pem_x509_certificates(pki.layout.chain(name).read_bytes())[0].serial_number


def _issuer(pki: Pki) -> x509.Certificate:
    return x509.load_pem_x509_certificates(pki.layout.intermediates.read_bytes())[-1]


def test_revoking_a_name_lists_its_serial_with_the_reason_in_a_new_crl(pki: Pki, clock: FrozenClock) -> None:
    serial = _serial(pki, "bank")
    revoked = pki.revoke("bank", reason="keyCompromise")
    [crl] = _crls(pki)
    entry = crl.get_revoked_certificate_by_serial_number(serial)
    assert revoked.serial == serial
    assert entry is not None
    assert entry.revocation_date_utc == clock()
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason is x509.ReasonFlags.key_compromise


def test_the_crl_is_signed_by_the_issuing_ca_numbered_and_has_a_next_update(pki: Pki, clock: FrozenClock) -> None:
    before = _crls(pki)[0].extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    pki.revoke("ops")
    [crl] = _crls(pki)
    assert crl.is_signature_valid(_issuer(pki).public_key())  # type: ignore[arg-type]
    assert crl.issuer == _issuer(pki).subject
    assert crl.next_update_utc == clock() + CRL_LIFETIME
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == before + 1


def test_revoking_by_hex_serial_with_colons_or_prefix_works(pki: Pki) -> None:
    serial = _serial(pki, "platform")
    text = f"{serial:x}"
    assert pki.revoke(":".join(text[i:i + 2] for i in range(0, len(text), 2))).name == "platform"
    assert pki.revoke(f"0x{text}").already


def test_openssl_refuses_a_revoked_leaf_with_the_crl(
        pki: Pki, clock: FrozenClock, openssl_verify: OpensslVerify) -> None:
    chain = pki.layout.chain("bank").read_bytes()
    pki.revoke("bank", reason="keyCompromise")
    result = openssl_verify(pki, chain, clock())
    assert result.returncode != 0
    assert "revoked" in result.stdout + result.stderr


def test_verify_explains_that_a_leaf_is_revoked(pki: Pki) -> None:
    chain = pki.layout.chain("bank").read_bytes()
    pki.revoke("bank")
    with pytest.raises(ChainInvalid, match=r"serial [0-9a-f]+ was revoked"):
        pki.verify(chain)


def test_the_peer_checker_sees_a_revocation_without_being_recreated(pki: Pki) -> None:
    checker = PeerChecker(pki.layout.root, clock=pki.clock)
    cert = (pki.layout.current("bank") / "cert.pem").read_bytes()
    assert checker.check(cert).name == "bank"
    pki.revoke("bank")
    with pytest.raises(PeerRejected) as info:
        checker.check(cert)
    assert info.value.reason == "revoked"


def test_revoked_entries_leave_the_crl_once_the_certificate_has_expired(pki: Pki, clock: FrozenClock) -> None:
    serial = _serial(pki, "bank")
    pki.revoke("bank")
    clock.advance(timedelta(days=31))
    pki.refresh_crls()
    assert _crls(pki)[0].get_revoked_certificate_by_serial_number(serial) is None


def test_refreshing_crls_moves_next_update_forward(pki: Pki, clock: FrozenClock) -> None:
    clock.advance(timedelta(days=6))
    assert pki.refresh_crls() == ["issuing-1"]
    assert _crls(pki)[0].next_update_utc == clock() + CRL_LIFETIME


def test_an_unknown_serial_or_name_is_refused(pki: Pki) -> None:
    with pytest.raises(PKIStateError, match="no active issuing CA issued"):
        pki.revoke("deadbeefdeadbeef")
    with pytest.raises(PKIStateError, match="no leaf named 'nobody'"):
        pki.revoke("nobody")


def test_an_unknown_reason_is_refused(pki: Pki) -> None:
    with pytest.raises(ProfileError, match="reason"):
        pki.revoke("bank", reason="bored")
