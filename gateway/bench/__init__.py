"""``coloan-gw bench``: what the gateway costs, side by side with a direct call and a bare extra hop.

Four modes in one run, on loopback with mTLS and the same Faker ``AssessCredit``
applications: ``direct`` (SDK client to the bank), ``passthrough`` (through a gateway
process with every policy stage off), ``full`` (every stage on, the gateway-only bank)
and ``full-noaudit`` (the same, with the audit log off: what the audit log costs).
Each server is its own process, so CPU per call is measured per process::

    report = run(quick_options())
    render(report, Console())
"""

from __future__ import annotations

from gateway.bench._bench import run
from gateway.bench._errors import BenchError
from gateway.bench._model import MODES, Level, Options, Profile, ProfileEntry, Report, Sample, Verdict, quick_options
from gateway.bench._plot import plot
from gateway.bench._report import render, to_json

__all__ = [
    "MODES",
    "BenchError",
    "Level",
    "Options",
    "Profile",
    "ProfileEntry",
    "Report",
    "Sample",
    "Verdict",
    "plot",
    "quick_options",
    "render",
    "run",
    "to_json",
]
