"""Verdicts against the targets, the printed tables and the JSON form of a bench run."""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import grpc
from rich import box
from rich.console import Console
from rich.table import Table

from gateway.bench._model import AUDIT_ACK, AUDIT_FSYNC, MODES, PROCESSES, Level, Profile, Report, Sample, Verdict

THROUGHPUT_TARGET = 0.75  # full >= 0.75 x pass-through requests/s at concurrency 8
ADDED_P50_TARGET_MS = 2.0  # full p50 - direct p50 at concurrency 1
LABELS = {"direct": "direct", "passthrough": "pass-through", "full": "full", "full-noaudit": "full, audit off"}


def _at(levels: Sequence[Level], n: int) -> Level | None:
    return next((level for level in levels if level.level == n), None)


def verdicts(levels: Sequence[Level]) -> tuple[Verdict, ...]:
    """The issue's two targets, met or not in this run (not run: ``met`` is None)."""
    eight, one = _at(levels, 8), _at(levels, 1)
    ratio = eight.throughput_ratio("full", "passthrough") if eight else math.nan
    added = one.added_p50_ms("full", "direct") if one else math.nan
    return (
        Verdict(f"full >= {THROUGHPUT_TARGET} x pass-through requests/s at concurrency 8",
                f"{ratio:.2f} x" if eight else "concurrency 8 not run", ratio >= THROUGHPUT_TARGET if eight else None),
        Verdict(f"added p50 latency over direct at concurrency 1 <= {ADDED_P50_TARGET_MS:g} ms",
                f"{added:+.2f} ms" if one else "concurrency 1 not run", added <= ADDED_P50_TARGET_MS if one else None),
    )


def filesystem(path: Path) -> str:
    """The type of the filesystem holding ``path`` (where the audit log fsyncs), from /proc/mounts; "unknown"."""
    try:
        mounts = [line.split()[1:3] for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return "unknown"
    where = str(path.resolve())
    held = [(point, kind) for point, kind in mounts if where == point or where.startswith(point.rstrip("/") + "/")]
    return max(held, key=lambda m: len(m[0]))[1] if held else "unknown"


def environment(workspace: Path | None = None) -> dict[str, str]:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    out = {"python": platform.python_version(), "grpcio": grpc.__version__, "cpus": str(os.cpu_count()),
           "machine": platform.machine(), "load_average": load}
    return out if workspace is None else {**out, "workspace_filesystem": filesystem(workspace)}


def _us(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _row(sample: Sample) -> list[str]:
    cpu = [_us(sample.cpu_us_per_call(p)) for p in PROCESSES]
    errors = str(sample.errors) if sample.errors else ""
    return [str(sample.level), LABELS[sample.mode], str(sample.requests), f"{sample.rps:,.0f}",
            f"{sample.best_rps:,.0f}", f"{sample.p50_ms:.2f}", f"{sample.p99_ms:.2f}", *cpu, errors]


def results_table(levels: Sequence[Level]) -> Table:
    table = Table(title="AssessCredit on loopback (mTLS), same Faker applications in every mode; req/s overall "
                        "and in the best round; CPU in µs per call of each process", box=box.SIMPLE_HEAD)
    for name in ("conc.", "mode", "calls", "req/s", "best", "p50 ms", "p99 ms", *PROCESSES, "errors"):
        table.add_column(name, justify="left" if name == "mode" else "right")
    for level in levels:
        for mode in MODES:
            table.add_row(*_row(level.samples[mode]), end_section=mode == MODES[-1])
    return table


RATIOS: tuple[tuple[str, Callable[[Level], str]], ...] = (
    ("full / pass-through requests/s", lambda lv: f"{lv.throughput_ratio('full', 'passthrough'):.2f}"),
    ("full / direct requests/s", lambda lv: f"{lv.throughput_ratio('full', 'direct'):.2f}"),
    ("pass-through / direct requests/s", lambda lv: f"{lv.throughput_ratio('passthrough', 'direct'):.2f}"),
    ("full p50 over direct", lambda lv: f"{lv.added_p50_ms('full', 'direct'):+.2f} ms"),
    ("pass-through p50 over direct", lambda lv: f"{lv.added_p50_ms('passthrough', 'direct'):+.2f} ms"),
    ("gateway CPU/call full / pass-through", lambda lv: f"{lv.cpu_ratio('gateway', 'full', 'passthrough'):.2f}"),
    ("full (audit on) / full (audit off) requests/s", lambda lv: f"{lv.throughput_ratio('full', 'full-noaudit'):.2f}"),
    ("full (audit on) p50 over audit off", lambda lv: f"{lv.added_p50_ms('full', 'full-noaudit'):+.2f} ms"),
    ("gateway CPU/call audit on / off", lambda lv: f"{lv.cpu_ratio('gateway', 'full', 'full-noaudit'):.2f}"),
)


def ratios_table(levels: Sequence[Level]) -> Table:
    table = Table(title="Ratios (requests/s of each mode's best round) and latency added", box=box.SIMPLE_HEAD)
    table.add_column("at concurrency")
    for lv in levels:
        table.add_column(str(lv.level), justify="right")
    for name, cell in RATIOS:
        table.add_row(name, *(cell(lv) for lv in levels))
    return table


def profile_table(profile: Profile, by: str) -> Table:
    entries = profile.by_self if by == "self" else profile.by_cumulative
    table = Table(title=f"Gateway profile, full path, {profile.requests} calls at concurrency {profile.level}, "
                        f"top {len(entries)} by {by} time (cProfile, event-loop thread)", box=box.SIMPLE_HEAD,
                  caption="calls counts each resumption of a coroutine; µs/call is per profiled request")
    for name in ("function", "calls", "self s", "cumulative s", f"{by} µs/call"):
        table.add_column(name, justify="left" if name == "function" else "right")
    for e in entries:
        per_call = (e.self_s if by == "self" else e.cumulative_s) / max(profile.requests, 1) * 1e6
        table.add_row(e.function, f"{e.calls:,}", f"{e.self_s:.3f}", f"{e.cumulative_s:.3f}", f"{per_call:,.1f}")
    return table


def render(report: Report, console: Console) -> None:
    """Print the results, ratios, verdicts, notes and (when run) the profile."""
    console.print(results_table(report.levels))
    console.print(ratios_table(report.levels))
    for v in report.verdicts:
        state = "not run" if v.met is None else "met" if v.met else "not met"
        console.print(f"target: {v.target}: {v.observed}: [bold]{state}[/bold]")
    for level in report.levels:
        for sample in level.samples.values():
            if sample.errors:
                console.print(f"[red]{sample.errors} {LABELS[sample.mode]} calls failed at concurrency "
                              f"{sample.level}, first: {sample.first_error}[/red]")
    for note in report.notes:
        console.print(f"note: {note}", highlight=False, soft_wrap=True)
    if report.profile is not None:
        console.print(profile_table(report.profile, "self"))
        console.print(profile_table(report.profile, "cumulative"))


def _sample_json(s: Sample) -> dict[str, Any]:
    return {"requests": s.requests, "errors": s.errors, "first_error": s.first_error, "wall_s": round(s.wall_s, 4),
            "requests_per_s": round(s.rps, 1), "requests_per_s_best_round": round(s.best_rps, 1),
            "requests_per_s_rounds": [round(r, 1) for r in s.round_rps],
            "p50_ms": round(s.p50_ms, 3), "p99_ms": round(s.p99_ms, 3),
            "cpu_us_per_call": {p: None if (v := s.cpu_us_per_call(p)) is None else round(v, 1) for p in PROCESSES}}


def _level_json(lv: Level) -> dict[str, Any]:
    return {"concurrency": lv.level, "modes": {m: _sample_json(lv.samples[m]) for m in MODES},
            "ratios": {"full_over_passthrough": round(lv.throughput_ratio("full", "passthrough"), 4),
                       "full_over_direct": round(lv.throughput_ratio("full", "direct"), 4),
                       "passthrough_over_direct": round(lv.throughput_ratio("passthrough", "direct"), 4),
                       "gateway_cpu_full_over_passthrough": round(lv.cpu_ratio("gateway", "full", "passthrough"), 4),
                       "full_over_full_noaudit": round(lv.throughput_ratio("full", "full-noaudit"), 4),
                       "gateway_cpu_full_over_full_noaudit": round(lv.cpu_ratio("gateway", "full", "full-noaudit"), 4)},
            "added_p50_ms": {"full": round(lv.added_p50_ms("full", "direct"), 3),
                             "passthrough": round(lv.added_p50_ms("passthrough", "direct"), 3),
                             "full_noaudit": round(lv.added_p50_ms("full-noaudit", "direct"), 3)},
            "audit_added_p50_ms": round(lv.added_p50_ms("full", "full-noaudit"), 3)}


def _profile_json(p: Profile) -> dict[str, Any]:
    def rows(entries: Sequence[Any]) -> list[dict[str, Any]]:
        return [{"function": e.function, "calls": e.calls, "self_s": round(e.self_s, 6),
                 "cumulative_s": round(e.cumulative_s, 6)} for e in entries]
    return {"requests": p.requests, "concurrency": p.level, "by_self": rows(p.by_self),
            "by_cumulative": rows(p.by_cumulative), "stats_file": str(p.stats_file) if p.stats_file else None}


def to_json(report: Report) -> dict[str, Any]:
    """The whole run as plain JSON values (NaN never appears: ratios of an empty phase are null)."""
    o = report.options
    out: dict[str, Any] = _finite({
        "options": {"levels": list(o.levels), "requests": {str(n): o.requests_at(n) for n in o.levels},
                    "rounds": o.rounds, "warmup": o.warmup, "messages": o.messages, "seed": o.seed, "quick": o.quick,
                    "state": o.state},
        "environment": dict(report.environment),
        "audit": {"fsync": AUDIT_FSYNC, "acknowledged": AUDIT_ACK},
        "levels": [_level_json(lv) for lv in report.levels],
        "targets": [{"target": v.target, "observed": v.observed, "met": v.met} for v in report.verdicts],
        "notes": list(report.notes),
        "profile": _profile_json(report.profile) if report.profile else None,
    })
    return out


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
