"""CA rollover: a new CA trusted beside the old one, activation re-issuing every leaf, then retiring the old CA."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.x509.verification import VerificationError

from certs import ChainInvalid, FrozenClock, PeerChecker, PeerRejected, Pki, PKIFileError, PKIStateError

CryptoVerify = Callable[..., list[x509.Certificate]]
OpensslVerify = Callable[..., subprocess.CompletedProcess[str]]


def _roots(pki: Pki) -> list[str]:
    return [c.subject.rfc4514_string() for c in x509.load_pem_x509_certificates(pki.layout.bundle.read_bytes())]


def _manifest(pki: Pki) -> dict[str, object]:
    return dict(json.loads(pki.layout.manifest.read_text()))


def test_ca_rotate_publishes_old_and_new_roots_but_the_old_ca_keeps_issuing(pki: Pki) -> None:
    before = pki.layout.chain("bank").read_bytes()
    staged = pki.ca_rotate()
    assert (staged.issuer, staged.root, staged.reissued) == ("issuing-2", "root-2", ())
    assert len(_roots(pki)) == 2
    assert pki.layout.chain("bank").read_bytes() == before
    assert (_manifest(pki)["issuing"], _manifest(pki)["pending"]) == ("issuing-1", "issuing-2")
    assert pki.rotate("bank").issuer == "issuing-1"


def test_ca_activate_switches_the_issuer_and_reissues_every_leaf(pki: Pki) -> None:
    pki.ca_rotate()
    rollover = pki.ca_activate()
    assert (rollover.issuer, rollover.root) == ("issuing-2", "root-2")
    assert sorted(i.name for i in rollover.reissued) == ["bank", "gateway", "ops", "platform"]
    assert {i.issuer for i in rollover.reissued} == {"issuing-2"}
    assert (_manifest(pki)["issuing"], _manifest(pki)["pending"]) == ("issuing-2", None)


def test_rollover_steps_out_of_order_are_refused(pki: Pki) -> None:
    with pytest.raises(PKIStateError, match="no CA is pending; run coloan-gw certs ca rotate first"):
        pki.ca_activate()
    pki.ca_rotate()
    with pytest.raises(PKIStateError, match="issuing-2 is already pending"):
        pki.ca_rotate()
    with pytest.raises(PKIStateError, match="run coloan-gw certs ca activate first"):
        pki.ca_retire()


def test_old_and_new_leaves_both_validate_against_the_overlap_bundle(
        pki: Pki, clock: FrozenClock, crypto_verify: CryptoVerify, openssl_verify: OpensslVerify) -> None:
    old = pki.layout.chain("bank").read_bytes()
    pki.ca_rotate()
    pki.ca_activate()
    new = pki.layout.chain("bank").read_bytes()
    for chain in (old, new):
        assert crypto_verify(pki.layout.bundle, chain, clock())
        assert openssl_verify(pki, chain, clock()).returncode == 0
        assert pki.verify(chain)


def test_retire_is_refused_while_old_leaves_are_live_and_names_them(pki: Pki) -> None:
    pki.ca_rotate()
    pki.ca_activate()
    with pytest.raises(PKIStateError, match="refusing to retire: 4 unexpired") as info:
        pki.ca_retire()
    for name in ("bank", "gateway", "ops", "platform"):
        assert f"{name} (serial" in str(info.value)
    assert len(_roots(pki)) == 2


def test_after_retire_only_leaves_of_the_new_ca_validate(
        pki: Pki, clock: FrozenClock, crypto_verify: CryptoVerify, openssl_verify: OpensslVerify) -> None:
    old = pki.layout.chain("bank").read_bytes()
    pki.ca_rotate()
    pki.ca_activate()
    new = pki.layout.chain("bank").read_bytes()
    assert pki.ca_retire(revoke_superseded=True) == ["issuing-1", "root-1"]
    assert len(_roots(pki)) == 1
    assert crypto_verify(pki.layout.bundle, new, clock())
    assert openssl_verify(pki, new, clock()).returncode == 0
    with pytest.raises(VerificationError):
        crypto_verify(pki.layout.bundle, old, clock())
    assert openssl_verify(pki, old, clock(), crl=False).returncode != 0
    with pytest.raises(ChainInvalid):
        pki.verify(old)


def test_retire_waits_for_old_leaves_to_expire_instead_of_revoking_them(pki: Pki, clock: FrozenClock) -> None:
    from datetime import timedelta

    pki.ca_rotate()
    pki.ca_activate()
    clock.advance(timedelta(days=30, minutes=1))
    assert pki.ca_retire() == ["issuing-1", "root-1"]


def test_retire_refuses_while_a_current_leaf_still_comes_from_the_old_ca(pki: Pki) -> None:
    pki.ca_rotate()
    pki.ca_activate(reissue=False)
    with pytest.raises(PKIStateError, match="gateway"):
        pki.ca_retire(revoke_superseded=True)
    pki.rotate("gateway")
    with pytest.raises(PKIStateError, match="3 unexpired"):
        pki.ca_retire(revoke_superseded=True)


def test_retire_deletes_old_ca_keys_but_keeps_their_certificates(pki: Pki) -> None:
    pki.ca_rotate()
    pki.ca_activate()
    pki.ca_retire(revoke_superseded=True)
    assert not (pki.layout.ca_dir("issuing-1") / "key.pem").exists()
    assert not (pki.layout.ca_dir("root-1") / "key.pem").exists()
    assert (pki.layout.ca_dir("issuing-1") / "cert.pem").exists()
    assert pki.ca_retire() == []


def test_a_peer_from_a_retired_ca_is_an_unknown_issuer(pki: Pki) -> None:
    checker = PeerChecker(pki.layout.root, clock=pki.clock)
    old = (pki.layout.current("bank") / "cert.pem").read_bytes()
    pki.ca_rotate()
    pki.ca_activate()
    assert checker.check(old).name == "bank"
    pki.ca_retire(revoke_superseded=True)
    with pytest.raises(PeerRejected) as info:
        checker.check(old)
    assert info.value.reason == "unknown_issuer"


def test_intermediate_only_rotation_keeps_the_root(
        pki: Pki, clock: FrozenClock, crypto_verify: CryptoVerify) -> None:
    old = pki.layout.chain("bank").read_bytes()
    staged = pki.ca_rotate(new_root=False)
    assert (staged.issuer, staged.root) == ("issuing-2", "root-1")
    assert len(_roots(pki)) == 1
    pki.ca_activate()
    assert crypto_verify(pki.layout.bundle, old, clock())
    pki.ca_retire(revoke_superseded=True)
    assert crypto_verify(pki.layout.bundle, pki.layout.chain("bank").read_bytes(), clock())
    assert (pki.layout.ca_dir("root-1") / "key.pem").exists()


def test_intermediate_only_rotation_needs_the_root_key(pki: Pki) -> None:
    (pki.layout.ca_dir("root-1") / "key.pem").unlink()
    with pytest.raises(PKIFileError, match=r"root-1/key.pem: does not exist; put the CA key back"):
        pki.ca_rotate(new_root=False)


def test_issuing_and_revoking_work_with_the_root_key_offline(pki: Pki) -> None:
    (pki.layout.ca_dir("root-1") / "key.pem").unlink()
    pki.rotate("bank")
    pki.revoke("ops")
    assert pki.ca_rotate().root == "root-2"
    assert len(pki.ca_activate().reissued) == 4
