"""The bench's one error: a process of the bench deployment did not come up (a start-up problem)."""

from __future__ import annotations

from gateway.errors import StartupError


class BenchError(StartupError):
    """A bench process failed to start or the deployment cannot serve; the message says which and why."""
