"""The keyring on disk: versioned, atomic, private; missing or unreadable keys are named."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from coloan.policy.v1 import options_pb2 as opts
from masking import KINDS, Engine, Keyring, KeyringError


def test_init_writes_every_kind_with_mode_0600_in_a_0700_directory(tmp_path: Path) -> None:
    ring = Keyring.init(tmp_path / "keys")
    assert [k.kind for k in ring.keysets()] == list(KINDS)
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    for kind in KINDS:
        assert stat.S_IMODE((tmp_path / "keys" / f"{kind}.json").stat().st_mode) == 0o600
    assert not [p for p in (tmp_path / "keys").iterdir() if p.name.startswith(".")]


def test_init_leaves_existing_keys_alone(tmp_path: Path) -> None:
    first = Keyring.init(tmp_path)
    again = Keyring.init(tmp_path)
    assert first.active("join").material == again.active("join").material


def test_rotate_adds_an_active_version_and_keeps_the_old(tmp_path: Path) -> None:
    when = datetime(2026, 12, 1, tzinfo=UTC)
    ring = Keyring.init(tmp_path).rotate("encrypt-log", clock=lambda: when)
    loaded = Keyring.load(tmp_path)
    keyset = loaded.keyset("encrypt-log")
    assert keyset.active == 2 and [k.version for k in keyset.versions] == [1, 2]
    assert loaded.active("encrypt-log") == ring.active("encrypt-log")
    assert loaded.active("encrypt-log").created == "2026-12-01T00:00:00Z"
    assert loaded.active("join").version == 1


def test_key_material_never_appears_in_repr(tmp_path: Path) -> None:
    key = Keyring.init(tmp_path).active("join")
    assert key.material.hex() not in repr(key) and str(key.material) not in repr(key)


def test_a_missing_directory_is_named_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match=r"keyring .*nowhere does not exist; fix: coloan-gw keys init"):
        Keyring.load(tmp_path / "nowhere")


def test_a_key_a_plan_needs_is_named_when_missing(tmp_path: Path) -> None:
    Keyring.init(tmp_path)
    (tmp_path / "encrypt-bank.json").unlink()
    engine = Engine(Keyring.load(tmp_path))
    with pytest.raises(KeyringError, match="key encrypt-bank is missing"):
        engine.plan("coloan.v1.LoanApplication", opts.BANK)
    engine.plan("coloan.v1.LoanApplication", opts.LOG)  # LOG needs only the join key
    with pytest.raises(KeyringError, match="key encrypt-bank is missing"):
        engine.warm()


def test_a_corrupt_key_file_is_named(tmp_path: Path) -> None:
    Keyring.init(tmp_path)
    (tmp_path / "join.json").write_text("{not json")
    os.chmod(tmp_path / "join.json", 0o600)
    with pytest.raises(KeyringError, match=r"join\.json: not a key file"):
        Keyring.load(tmp_path)


def test_a_wrong_key_length_is_refused(tmp_path: Path) -> None:
    Keyring.init(tmp_path)
    doc = json.loads((tmp_path / "join.json").read_text())
    doc["versions"][0]["key"] = "AAAA"
    (tmp_path / "join.json").write_text(json.dumps(doc))
    with pytest.raises(KeyringError, match="malformed"):
        Keyring.load(tmp_path)


def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    Keyring.init(tmp_path)
    os.chmod(tmp_path / "join.json", 0o644)
    with pytest.raises(KeyringError, match="chmod 600"):
        Keyring.load(tmp_path)


def test_an_unreadable_key_file_is_named(tmp_path: Path) -> None:
    Keyring.init(tmp_path)
    (tmp_path / "join.json").unlink()
    (tmp_path / "join.json").mkdir(mode=0o700)  # unreadable as a file, even for root
    with pytest.raises(KeyringError, match=r"join\.json: cannot read key file"):
        Keyring.load(tmp_path)


def test_an_unknown_kind_is_refused(keyring: Keyring) -> None:
    with pytest.raises(KeyringError, match="unknown key kind"):
        keyring.rotate("signing")


def test_export_holds_only_that_audiences_encryption_key(keyring: Keyring) -> None:
    doc = json.loads(keyring.export(opts.BANK))
    assert doc["kind"] == "encrypt-bank" and doc["audience"] == "BANK"
    join = keyring.active("join").material
    assert __import__("base64").b64encode(join).decode() not in keyring.export(opts.BANK).decode()
