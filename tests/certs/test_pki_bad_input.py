"""Bad input: one clear error naming the file and the fix, and nothing half-written."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from certs import ChainInvalid, FrozenClock, LeafProfile, Pki, PKIFileError, PKIStateError, Role


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_corrupt_ca_certificate_names_the_file(pki: Pki) -> None:
    cert = pki.layout.ca_dir("issuing-1") / "cert.pem"
    cert.write_bytes(b"-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n")
    with pytest.raises(PKIFileError, match=r"issuing-1/cert.pem: is not a valid PEM certificate .*; replace it"):
        pki.rotate("bank")


def test_a_ca_key_that_does_not_match_its_certificate_names_the_file(pki: Pki) -> None:
    key = pki.layout.ca_dir("issuing-1") / "key.pem"
    key.write_bytes((pki.layout.ca_dir("root-1") / "key.pem").read_bytes())
    with pytest.raises(PKIFileError, match=r"issuing-1/key.pem: does not match the certificate beside it"):
        pki.issue(LeafProfile("new", Role.BANK))
    assert not pki.layout.leaf_dir("new").exists()


def test_a_corrupt_key_names_the_file(pki: Pki) -> None:
    (pki.layout.ca_dir("issuing-1") / "key.pem").write_bytes(b"not a key")
    with pytest.raises(PKIFileError, match=r"key.pem: is not a valid unencrypted PEM private key"):
        pki.revoke("bank")


def test_a_crl_signed_by_the_wrong_ca_fails_verify_naming_the_crl(pki: Pki, other_pki: Pki) -> None:
    pki.layout.crl.write_bytes(other_pki.layout.crl.read_bytes())
    with pytest.raises(PKIFileError, match=r"trust/crl.pem: holds a CRL from .* that no active issuing CA signed"):
        pki.verify(pki.layout.chain("bank").read_bytes())


def test_a_missing_crl_for_the_leafs_issuer_fails_verify(pki: Pki) -> None:
    pki.layout.crl.write_bytes(b"")
    with pytest.raises(ChainInvalid, match="has no CRL for"):
        pki.verify(pki.layout.chain("bank").read_bytes())


def test_an_expired_crl_fails_verify(pki: Pki, clock: FrozenClock) -> None:
    from datetime import timedelta

    clock.advance(timedelta(days=8))
    with pytest.raises(ChainInvalid, match=r"expired .* run coloan-gw certs crl"):
        pki.verify(pki.layout.chain("bank").read_bytes())


def test_a_corrupt_chain_given_to_verify_names_its_source(pki: Pki) -> None:
    with pytest.raises(PKIFileError, match=r"^upload.pem: is not a valid PEM certificate"):
        pki.verify(b"hello", "upload.pem")


def test_a_directory_without_a_pki_says_how_to_create_one(tmp_path: Path, clock: FrozenClock) -> None:
    with pytest.raises(PKIStateError, match=r"holds no PKI .* run coloan-gw certs init --dir"):
        Pki(tmp_path, clock=clock).status()


def test_init_refuses_to_overwrite_a_pki_and_replaces_it_with_force(pki: Pki, clock: FrozenClock) -> None:
    before = _files(pki.layout.root)
    with pytest.raises(PKIStateError, match="already holds a PKI; pass --force"):
        Pki.init(pki.layout.root, clock=clock)
    assert _files(pki.layout.root) == before
    Pki.init(pki.layout.root, clock=clock, force=True)
    assert _files(pki.layout.root).keys() != before.keys()
    assert all(r.healthy for r in pki.status())


def test_init_refuses_leftovers_of_an_interrupted_init(tmp_path: Path, clock: FrozenClock) -> None:
    (tmp_path / "ca").mkdir()
    with pytest.raises(PKIStateError, match=r"ca/ without pki\.json"):
        Pki.init(tmp_path, clock=clock)


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _files(pki.layout.root)

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError, match="No space"):
        pki.revoke("bank")
    monkeypatch.undo()
    assert _files(pki.layout.root) == before


def test_a_rotation_interrupted_before_the_swap_leaves_the_current_pair(pki: Pki,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    chain, key = pki.layout.chain("bank").read_bytes(), pki.layout.key("bank").read_bytes()

    def crash(*_: object) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr("certs._store.swap_symlink", crash)
    with pytest.raises(OSError, match="I/O error"):
        pki.rotate("bank")
    assert (pki.layout.chain("bank").read_bytes(), pki.layout.key("bank").read_bytes()) == (chain, key)


def test_an_unreadable_key_names_the_file_and_the_fix(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    original = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self.name == "key.pem":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(PKIFileError, match=r"issuing-1/key.pem: permission denied; run as the user that owns"):
        pki.rotate("bank")


def test_a_second_writer_is_told_to_wait(pki: Pki) -> None:
    from certs._atomic import exclusive

    with exclusive(pki.layout.lock), pytest.raises(PKIStateError, match="another coloan-gw certs command"):
        pki.rotate("bank")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_key_without_read_permission_names_the_file(pki: Pki) -> None:
    key = pki.layout.ca_dir("issuing-1") / "key.pem"
    key.chmod(0)
    try:
        with pytest.raises(PKIFileError, match=r"issuing-1/key.pem: permission denied"):
            pki.rotate("bank")
    finally:
        key.chmod(0o600)
