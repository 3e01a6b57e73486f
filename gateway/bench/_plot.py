"""The latency plot for the README: p50 and p99 per mode against concurrency, and requests/s (needs matplotlib)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gateway.bench._model import MODES, Level

MISSING = "no plot written: matplotlib is not installed (pip install 'matplotlib>=3.8')"


def plot(levels: Sequence[Level], path: Path) -> str | None:
    """Write the PNG; returns why not (one line) when matplotlib is missing, else None."""
    try:
        import matplotlib  # type: ignore[import-not-found, unused-ignore]

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return MISSING
    x = [lv.level for lv in levels]
    fig, (lat, rps) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    for mode in MODES:
        samples = [lv.samples[mode] for lv in levels]
        line = lat.plot(x, [s.p50_ms for s in samples], marker="o", label=f"{mode} p50")[0]
        lat.plot(x, [s.p99_ms for s in samples], marker="x", linestyle="--", color=line.get_color(),
                 label=f"{mode} p99")
        rps.plot(x, [s.rps for s in samples], marker="o", color=line.get_color(), label=mode)
    for ax, label in ((lat, "latency (ms)"), (rps, "requests/s")):
        ax.set_xscale("log", base=2)
        ax.set_xticks(x, [str(n) for n in x])
        ax.set_xlabel("concurrent calls")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle("coloan-gw bench: AssessCredit, direct vs pass-through vs full gateway (audit on and off)")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return None
