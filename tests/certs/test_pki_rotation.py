"""Rotation: a new key and certificate with the same identity, swapped in atomically, the old pair kept."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from certs import Algorithm, FrozenClock, Pki, PKIStateError

CryptoVerify = Callable[..., list[x509.Certificate]]
OpensslVerify = Callable[..., subprocess.CompletedProcess[str]]


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificates(path.read_bytes())[0]


def _san(cert: x509.Certificate) -> x509.SubjectAlternativeName:
    return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value


def test_rotate_gives_a_new_key_and_serial_with_the_same_identity(pki: Pki) -> None:
    before = _cert(pki.layout.chain("bank"))
    old_key = (pki.layout.current("bank") / "key.pem").read_bytes()
    issued = pki.rotate("bank")
    after = _cert(pki.layout.chain("bank"))
    assert after.serial_number == issued.serial != before.serial_number
    assert (pki.layout.current("bank") / "key.pem").read_bytes() != old_key
    assert _san(after) == _san(before)
    assert after.subject == before.subject


def test_the_previous_pair_is_kept_beside_the_current_one(pki: Pki) -> None:
    before = _cert(pki.layout.chain("bank"))
    pki.rotate("bank")
    assert _cert(pki.layout.previous("bank") / "chain.pem") == before
    assert (pki.layout.previous("bank") / "key.pem").exists()


def test_only_current_and_previous_versions_stay_on_disk(pki: Pki) -> None:
    for _ in range(3):
        pki.rotate("bank")
    entries = sorted(p.name for p in pki.layout.leaf_dir("bank").iterdir())
    assert len(entries) == 4
    assert {"current", "previous"} <= set(entries)


def test_old_and_new_both_validate_until_the_old_one_expires(
        pki: Pki, clock: FrozenClock, crypto_verify: CryptoVerify, openssl_verify: OpensslVerify) -> None:
    old = pki.layout.chain("bank").read_bytes()
    clock.advance(timedelta(days=20))
    pki.refresh_crls()  # the daily cron job of the runbook
    pki.rotate("bank")
    new = pki.layout.chain("bank").read_bytes()
    for chain in (old, new):
        assert crypto_verify(pki.layout.bundle, chain, clock())
        assert openssl_verify(pki, chain, clock()).returncode == 0
    clock.advance(timedelta(days=11))
    assert crypto_verify(pki.layout.bundle, new, clock())
    assert openssl_verify(pki, old, clock(), crl=False).returncode != 0


def test_rotate_can_change_the_algorithm_and_lifetime(pki: Pki, clock: FrozenClock) -> None:
    pki.rotate("ops", algorithm=Algorithm.ED25519, days=10)
    cert = _cert(pki.layout.chain("ops"))
    assert cert.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert cert.not_valid_after_utc == clock() + timedelta(days=10)


def test_rotation_keeps_a_custom_lifetime(pki: Pki, clock: FrozenClock) -> None:
    pki.rotate("ops", days=10)
    pki.rotate("ops")
    assert _cert(pki.layout.chain("ops")).not_valid_after_utc == clock() + timedelta(days=10)


def test_current_is_a_symlink_swapped_to_a_complete_version_directory(pki: Pki) -> None:
    pki.rotate("gateway")
    link = pki.layout.current("gateway")
    assert link.is_symlink()
    target = pki.layout.leaf_dir("gateway") / os.readlink(link)
    assert sorted(p.name for p in target.iterdir()) == ["cert.pem", "chain.pem", "key.pem"]


def test_private_keys_are_mode_0600_and_no_temporaries_remain(pki: Pki) -> None:
    pki.rotate("gateway")
    keys = list(pki.layout.root.rglob("key.pem"))
    assert len(keys) >= 7
    assert {stat.S_IMODE(k.stat().st_mode) for k in keys} == {0o600}
    assert not [p for p in pki.layout.root.rglob(".*") if p.name != ".lock"]


def test_rollback_makes_the_previous_pair_current_again(pki: Pki) -> None:
    first = _cert(pki.layout.chain("bank"))
    second = pki.rotate("bank")
    back = pki.rollback("bank")
    assert back.serial == first.serial_number
    assert _cert(pki.layout.chain("bank")) == first
    assert _cert(pki.layout.previous("bank") / "chain.pem").serial_number == second.serial


def test_rollback_to_a_revoked_pair_is_refused(pki: Pki) -> None:
    old = _cert(pki.layout.chain("bank"))
    pki.rotate("bank")
    pki.revoke(f"{old.serial_number:x}", reason="keyCompromise")
    with pytest.raises(PKIStateError, match="revoked, expired"):
        pki.rollback("bank")


def test_rollback_without_a_previous_pair_names_the_leaf(pki: Pki) -> None:
    with pytest.raises(PKIStateError, match="no previous certificate named 'bank'"):
        pki.rollback("bank")


def test_issuing_a_name_that_exists_is_refused_in_favour_of_rotate(pki: Pki) -> None:
    from certs import LeafProfile, Role

    with pytest.raises(PKIStateError, match="certs rotate bank"):
        pki.issue(LeafProfile("bank", Role.BANK))
