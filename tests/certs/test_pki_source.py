"""The credential source: consistent snapshots, cheap when nothing changed, never a mismatched pair."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from certs import Credentials, CredentialSource, FrozenClock, Pki, PKIError, load_credentials


def _leaf(creds: Credentials) -> x509.Certificate:
    return x509.load_pem_x509_certificates(creds.chain_pem)[0]


def _matches(creds: Credentials) -> bool:
    key = serialization.load_pem_private_key(creds.key_pem, None)
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    return bool(key.public_key().public_bytes(der, spki) == _leaf(creds).public_key().public_bytes(der, spki))


def _rename_into(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.new")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def test_a_snapshot_holds_chain_key_bundle_crl_and_identity(pki: Pki) -> None:
    creds = CredentialSource(pki.layout.root, "gateway").current()
    chain = x509.load_pem_x509_certificates(creds.chain_pem)
    assert [c.subject.rfc4514_string() for c in chain][1:] == ["CN=coloan.local Issuing CA issuing-1,O=coloan.local"]
    assert creds.key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert _matches(creds)
    assert x509.load_pem_x509_certificates(creds.trust_bundle_pem)[0].subject == chain[1].issuer
    assert creds.crl_pem.startswith(b"-----BEGIN X509 CRL-----")
    assert creds.spiffe_id == "spiffe://coloan.local/gateway/gateway"
    assert creds.not_after == chain[0].not_valid_after_utc
    assert len(creds.version) == 64
    assert "PRIVATE" not in repr(creds)


def test_nothing_is_reloaded_while_nothing_changes(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    source = CredentialSource(pki.layout.root, "gateway")
    first = source.current()
    monkeypatch.setattr("certs._source.load_credentials", _fail)
    assert all(source.current() is first for _ in range(100))


def _fail(*_: object) -> Credentials:
    raise AssertionError("reloaded although nothing changed")


def test_current_costs_a_few_stat_calls(pki: Pki) -> None:
    source = CredentialSource(pki.layout.root, "gateway")
    source.current()
    start = time.perf_counter()
    for _ in range(2000):
        source.current()
    assert (time.perf_counter() - start) / 2000 < 0.001


def test_a_rotation_is_picked_up_through_the_symlink_swap(pki: Pki) -> None:
    source = CredentialSource(pki.layout.root, "bank")
    before = source.current()
    issued = pki.rotate("bank")
    after = source.current()
    assert after.version != before.version
    assert _leaf(after).serial_number == issued.serial
    assert _matches(after)


def test_a_revocation_changes_the_version_through_the_crl(pki: Pki) -> None:
    source = CredentialSource(pki.layout.root, "gateway")
    before = source.current()
    pki.revoke("bank")
    after = source.current()
    assert after.version != before.version
    assert after.crl_pem != before.crl_pem
    assert after.chain_pem == before.chain_pem


def test_atomic_renames_are_picked_up_and_a_half_replaced_pair_is_never_returned(pki: Pki) -> None:
    source = CredentialSource(pki.layout.root, "bank")
    before = source.current()
    pki.rotate("ops")
    new_dir = pki.layout.current("ops")
    _rename_into(pki.layout.chain("bank"), (new_dir / "chain.pem").read_bytes())
    assert source.current() is before
    assert "does not match" in str(source.last_error)
    assert "keeping the previous good version" in str(source.last_error)
    _rename_into(pki.layout.key("bank"), (new_dir / "key.pem").read_bytes())
    after = source.current()
    expected = x509.load_pem_x509_certificates((new_dir / "chain.pem").read_bytes())[0]
    assert _leaf(after).serial_number == expected.serial_number
    assert _matches(after)
    assert source.last_error is None


def test_a_kubernetes_style_data_symlink_swap_is_picked_up(pki: Pki, tmp_path: Path) -> None:
    mount = tmp_path / "secret"
    first, second = mount / "..2026_01_01", mount / "..2026_02_01"
    for version, name in ((first, "bank"), (second, "ops")):
        version.mkdir(parents=True)
        for file in ("chain.pem", "key.pem"):
            (version / file).write_bytes((pki.layout.current(name) / file).read_bytes())
    (mount / "..data").symlink_to(first.name)
    for file in ("chain.pem", "key.pem"):
        (mount / file).symlink_to(f"..data/{file}")
    current = pki.layout.current("bank")
    current.unlink()
    current.symlink_to(mount)
    source = CredentialSource(pki.layout.root, "bank")
    assert source.current().spiffe_id.endswith("/bank/bank")
    (mount / "..data_tmp").symlink_to(second.name)
    os.replace(mount / "..data_tmp", mount / "..data")
    assert source.current().spiffe_id.endswith("/ops/ops")


def test_a_corrupt_file_keeps_the_previous_snapshot_and_says_which_file(pki: Pki) -> None:
    source = CredentialSource(pki.layout.root, "bank")
    before = source.current()
    chain = pki.layout.chain("bank")
    good = chain.read_bytes()
    chain.write_bytes(good[: len(good) // 2])
    assert source.current() is before
    assert "chain.pem: is not a valid PEM certificate" in str(source.last_error)
    chain.write_bytes(good + b"\n")
    assert source.current().version == before.version
    assert source.last_error is None


def test_a_chain_not_signed_by_a_trusted_root_is_not_taken(pki: Pki, other_pki: Pki) -> None:
    source = CredentialSource(pki.layout.root, "bank")
    before = source.current()
    pki.layout.bundle.write_bytes(other_pki.layout.bundle.read_bytes())
    assert source.current() is before
    assert "not signed by the next certificate or a trusted root" in str(source.last_error)


def test_without_any_good_snapshot_current_raises_and_later_recovers(tmp_path: Path, clock: FrozenClock) -> None:
    source = CredentialSource(tmp_path / "pki", "bank")
    with pytest.raises(PKIError, match="does not exist"):
        source.current()
    assert source.last_error is not None
    Pki.init(tmp_path / "pki", clock=clock)
    assert source.current().spiffe_id.endswith("/bank/bank")


def test_an_invalid_name_is_refused_up_front(pki: Pki) -> None:
    with pytest.raises(PKIError, match="name"):
        CredentialSource(pki.layout.root, "../ca")


def test_concurrent_readers_never_see_a_mismatched_pair_during_rotations(pki: Pki) -> None:
    source = CredentialSource(pki.layout.root, "bank")
    seen: set[str] = set()
    bad: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            creds = source.current()
            seen.add(creds.version)
            if not _matches(creds):
                bad.append(creds.version)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    for _ in range(15):
        pki.rotate("bank")
    stop.set()
    for t in readers:
        t.join()
    assert not bad
    assert len(seen) > 1


def test_load_credentials_reads_one_snapshot_directly(pki: Pki) -> None:
    assert load_credentials(pki.layout.root, "ops").spiffe_id == "spiffe://coloan.local/ops/ops"
