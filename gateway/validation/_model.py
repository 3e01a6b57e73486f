"""The validator's values: its configuration, the per-call context, and a violation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class ValidationPolicy:
    """Business limits the rules check; the gateway config may override each."""

    apr_cap_bps: int = 2400
    allowed_terms: frozenset[int] = field(default_factory=lambda: frozenset({3, 6, 9, 12, 18, 24, 36}))
    bank_partner: str = "bank"
    min_platform_share_bps: int = 3000
    min_age: int = 18
    max_age: int = 65
    min_score: int = 350
    max_score: int = 950
    skip: frozenset[str] = frozenset()  # rule ids another component enforces instead


@dataclass(frozen=True)
class Context:
    """What one validation needs besides the message: the policy and the time it runs at."""

    policy: ValidationPolicy
    now: datetime


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (a field path), which rule (a stable id), why. Never the value."""

    field: str
    rule: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.field}: {self.message} [{self.rule}]"
