"""What a plan did to one message: one decision per touched field, never a value."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple


class Decision(NamedTuple):
    """One touched field: its path (``profile.mobile``, ``schedule[2].due_at``), the action, the key used."""

    path: str
    action: str
    key_version: str | None


class Receipt:
    """The immutable record of one application of a plan; iterate it for its decisions."""

    __slots__ = ("_records",)
    _records: tuple[tuple[str, tuple[str, str, str | None]], ...]

    def __init__(self, records: tuple[tuple[str, tuple[str, str, str | None]], ...] = ()) -> None:
        object.__setattr__(self, "_records", records)

    @property
    def _decisions(self) -> tuple[Decision, ...]:
        return tuple(Decision(prefix + rest, action, key) for prefix, (rest, action, key) in self._records)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a Receipt is immutable")

    def __iter__(self) -> Iterator[Decision]:
        return iter(self._decisions)

    def __len__(self) -> int:
        return len(self._records)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Receipt) and self._decisions == other._decisions

    def __hash__(self) -> int:
        return hash(self._decisions)

    def __repr__(self) -> str:
        return f"Receipt({list(self)!r})"

    def counts(self) -> dict[str, int]:
        """How many fields each action touched, e.g. ``{"encrypt": 3, "drop": 1}``, for access logs."""
        return dict(Counter(rec[1] for _, rec in self._records))
