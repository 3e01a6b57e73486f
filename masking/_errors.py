"""Errors of the masking package.

    MaskingError
    ├── SchemaError        start-up: the schema's policy cannot be compiled (names field and fix)
    ├── KeyringError       start-up: a key a plan needs is missing or unreadable (names the key)
    ├── MessageError       per call: a message cannot be masked (names the type or line, never a value)
    └── DecryptError       per value: a ciphertext does not open (one opaque reason)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SchemaProblem:
    """One reason a schema is refused: the full field (or method) name, what is wrong, how to fix it."""

    path: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}; fix: {self.fix}"


class MaskingError(Exception):
    """Base of every error raised by the masking package."""


class SchemaError(MaskingError):
    """The schema's annotations are missing, malformed or would release data they must not."""

    def __init__(self, problems: list[SchemaProblem]) -> None:
        self.problems = tuple(problems)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}")


class KeyringError(MaskingError):
    """A key file or key a plan needs is missing, unreadable or malformed; the message names the key."""


class MessageError(MaskingError):
    """A message cannot be masked, e.g. it is not of the plan's type or cannot be parsed."""


class DecryptError(MaskingError):
    """A ciphertext does not open: wrong key, type, field path or audience, or it was altered."""

    def __init__(self) -> None:
        super().__init__("ciphertext does not open")
