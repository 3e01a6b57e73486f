"""``coloan-gw bench``: a quick run deploys the four modes as processes, prints the tables, writes JSON.

No timing is asserted (the host is shared); only that every mode ran, every call
succeeded, the audit log was written by the full gateway alone, and the report says
what the issue asks for.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import json
import math
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway._workspace import create
from gateway.audit import AuditLog
from gateway.bench import MODES, BenchError, Level, Options, Report, Sample, to_json
from gateway.bench._deploy import gateway_config
from gateway.bench._gateway import load
from gateway.bench._model import AUDIT_FSYNC, percentile
from gateway.bench._procs import cpu_seconds, spawn
from gateway.bench._report import ratios_table, verdicts
from gateway.cli import cli


def _sample(mode: str, level: int, rps: float, p50: float) -> Sample:
    return Sample(mode, level, 1.0, (p50,) * int(rps), 0, {"client": 0.1})


def _level(level: int, rps: dict[str, float], p50: dict[str, float]) -> Level:
    return Level(level, {m: _sample(m, level, rps[m], p50[m]) for m in MODES})


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile((1.0, 2.0, 3.0, 4.0), 0.5) == 2.5
    assert percentile((5.0,), 0.99) == 5.0
    assert math.isnan(percentile((), 0.5))


def test_process_cpu_time_is_read_from_proc_and_grows_with_work() -> None:
    before = cpu_seconds(os.getpid())
    end = time.process_time() + 0.05
    while time.process_time() < end:
        pass
    assert cpu_seconds(os.getpid()) > before


def test_verdicts_state_each_target_as_met_not_met_or_not_run() -> None:
    one = _level(1, {"direct": 100, "passthrough": 90, "full": 80, "full-noaudit": 85},
                 {"direct": 1.0, "passthrough": 1.5, "full": 3.5, "full-noaudit": 3.0})
    eight = _level(8, {"direct": 100, "passthrough": 100, "full": 80, "full-noaudit": 90},
                   {"direct": 1, "passthrough": 1, "full": 1, "full-noaudit": 1})
    assert [v.met for v in verdicts([one, eight])] == [True, False]
    assert [v.met for v in verdicts([eight])] == [True, None]


def test_audit_on_over_off_is_a_ratio_row_and_in_the_json() -> None:
    lv = _level(8, {"direct": 400, "passthrough": 300, "full": 150, "full-noaudit": 200},
                {"direct": 1.0, "passthrough": 1.5, "full": 4.0, "full-noaudit": 3.25})
    rows = dict(zip(ratios_table([lv]).columns[0].cells, ratios_table([lv]).columns[1].cells, strict=True))
    assert rows["full (audit on) / full (audit off) requests/s"] == "0.75"
    assert rows["full (audit on) p50 over audit off"] == "+0.75 ms"
    data = to_json(Report(Options(levels=(8,)), (lv,), verdicts([lv]), {}))
    assert data["levels"][0]["ratios"]["full_over_full_noaudit"] == 0.75
    assert data["levels"][0]["audit_added_p50_ms"] == 0.75
    assert data["audit"]["fsync"] == "batch"


def test_the_stated_fsync_policy_is_the_audit_logs_default_which_the_gateway_opens_it_with() -> None:
    assert inspect.signature(AuditLog).parameters["fsync"].default == AUDIT_FSYNC


def test_each_gateway_process_has_its_own_config_access_log_and_audit_dir(tmp_path: Path) -> None:
    ws = create(tmp_path / "ws")
    names = ("full", "full-noaudit", "full-profiled")
    configs = {name: load(gateway_config(ws, name, "127.0.0.1:2")) for name in names}
    audit_dirs = {c.audit.dir for c in configs.values() if c.audit is not None}
    assert audit_dirs == {ws.root / "audit" / name for name in configs}
    assert len({c.access_log for c in configs.values()}) == len(configs)
    off = load(ws.root / "full-noaudit.toml", audit=False)
    assert off.audit is None
    assert dataclasses.replace(off, audit=configs["full-noaudit"].audit) == configs["full-noaudit"]


@pytest.mark.integration
def test_quick_bench_prints_four_modes_and_ratios_and_writes_json(tmp_path: Path) -> None:
    out, png = tmp_path / "bench.json", tmp_path / "bench.png"
    result = CliRunner().invoke(cli, ["bench", "--quick", "--requests", "12", "--json", str(out), "--plot", str(png),
                                      "--workdir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for text in ("direct", "pass-through", "full", "full, audit off", "full / pass-through requests/s",
                 "full / direct requests/s", "full (audit on) / full (audit off) requests/s",
                 "full (audit on) p50 over audit off", "target: ",
                 "note: audit: group commit, a record is acknowledged after its batch's fdatasync"):
        assert text in result.stdout
    data = json.loads(out.read_text())
    assert [lv["concurrency"] for lv in data["levels"]] == [1, 8, 32]
    for lv in data["levels"]:
        assert set(lv["modes"]) == set(MODES)
        assert all(m["errors"] == 0 and m["requests"] == 12 for m in lv["modes"].values())
        assert lv["modes"]["direct"]["cpu_us_per_call"]["gateway"] is None
        assert lv["ratios"]["full_over_passthrough"] > 0
        assert lv["ratios"]["full_over_full_noaudit"] > 0
    assert [t["met"] in (True, False) for t in data["targets"]] == [True, True]
    (ws,) = tmp_path.glob("bench-*")
    assert sorted(p.name for p in (ws / "audit").iterdir()) == ["full"]  # audit off and pass-through write none
    records = sum(len(f.read_bytes().splitlines()) for f in (ws / "audit" / "full").glob("records-*.jsonl"))
    assert records == data["options"]["warmup"] + 3 * 12  # one record per call of the full mode, none of the others
    if importlib.util.find_spec("matplotlib") is None:
        assert "matplotlib is not installed" in result.stderr and not png.exists()
    else:
        assert png.read_bytes().startswith(b"\x89PNG")


def test_a_process_that_never_gets_ready_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BenchError, match=r"bench nothing process did not start: .*No module named"):
        spawn("nothing", "gateway.bench._no_such_module", [], tmp_path / "nothing.log")
