"""The audit package's surface: ``__all__`` complete, errors in their trees, the format documented."""

from __future__ import annotations

from pathlib import Path

import gateway.audit
from gateway.audit import AuditError, AuditLogError, AuditUnavailable, ProofError, SearchKeyError
from gateway.errors import StartupError, Unavailable

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


def test_all_names_are_importable_unique_and_complete() -> None:
    names = gateway.audit.__all__
    assert len(set(names)) == len(names)
    assert all(getattr(gateway.audit, name) is not None for name in names)
    public = {n for n in vars(gateway.audit) if not n.startswith("_") and n != "annotations"}
    assert public == set(names)


def test_errors_join_the_gateway_trees_where_they_are_handled() -> None:
    assert issubclass(AuditUnavailable, Unavailable) and issubclass(AuditUnavailable, AuditError)
    assert issubclass(AuditLogError, StartupError) and issubclass(SearchKeyError, StartupError)
    assert issubclass(ProofError, AuditError) and not issubclass(ProofError, StartupError)
    assert AuditUnavailable("audit_timeout").code.name == "UNAVAILABLE"


def test_the_documentation_specifies_every_format_token() -> None:
    text = DOC.read_text(encoding="utf-8")
    for token in ["coloan-audit-v1", "coloan-audit-proof-v1", "coloan-audit-search-v1", "records-000000000000.jsonl",
                  "SHA-256(0x00", "SHA-256(0x01", "hmac-sha256:", "audit_timeout", "audit_write_failed",
                  "audit_backlog", "audit_closed", "fdatasync"]:
        assert token in text, token
