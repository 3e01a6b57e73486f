"""The signing package's surface: ``__all__`` complete, no grpc, reasons documented for partners."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import gateway.signing
from gateway.signing import REASONS

PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "PROTOCOL.md"


def test_all_names_are_importable_and_unique() -> None:
    names = gateway.signing.__all__
    assert len(set(names)) == len(names)
    for name in names:
        assert getattr(gateway.signing, name) is not None, name


def test_every_public_name_is_in_all() -> None:
    public = {name for name in vars(gateway.signing) if not name.startswith("_") and name != "annotations"}
    assert public == set(gateway.signing.__all__)


def test_the_package_does_not_import_grpc() -> None:
    code = "import sys, gateway.signing; print([m for m in sys.modules if m.split('.')[0] == 'grpc'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_reason_codes_are_the_documented_set() -> None:
    assert {
        "missing_signature",
        "malformed",
        "unknown_key",
        "bad_signature",
        "stale_timestamp",
        "future_timestamp",
        "replayed_nonce",
    } == REASONS
    text = PROTOCOL.read_text(encoding="utf-8")
    for reason in REASONS:
        assert f"`{reason}`" in text, reason
