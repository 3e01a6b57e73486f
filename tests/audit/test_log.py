"""AuditLog behaviour: receipts, checkpoint cadence, recovery on reopen, group commit, backlog, closing."""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from gateway.audit import AuditLog, AuditLogError, AuditUnavailable, FaultyDisk, verify_log
from gateway.audit._merkle import root_of
from gateway.signing import ManualClock

from .conftest import KEY, KEYS, SEARCH_KEY, T0, fill, lines, open_log, record


def _eventually(check: Callable[[], bool]) -> bool:
    """Poll ``check`` for up to ~4 s (bounded), for what the writer thread does after answering."""
    for _ in range(200):
        if check():
            return True
        time.sleep(0.02)
    return check()


def _checkpoint_sizes(directory: Path) -> list[int]:
    return [int(line.split()[1]) for line in (directory / "checkpoints").read_text().splitlines()]


def test_receipts_number_records_in_order_and_name_them_by_index_and_hash(log: AuditLog) -> None:
    receipts = [log.append(record(i)) for i in range(5)]
    assert [r.index for r in receipts] == [0, 1, 2, 3, 4]
    assert all(r.record_id == f"{r.index}-{r.leaf_hash[:8]}" for r in receipts)
    assert log.size == 5


def test_each_line_chains_to_the_previous_leaf(log_dir: Path) -> None:
    receipts = fill(log_dir, 3)
    stored = [json.loads(line) for line in lines(log_dir)]
    assert [s["prev"] for s in stored] == ["0" * 64, receipts[0].leaf_hash, receipts[1].leaf_hash]
    assert [s["record"]["n"] for s in stored] == [0, 1, 2]


def test_a_new_log_starts_with_a_checkpoint_of_the_empty_tree(log: AuditLog) -> None:
    assert _checkpoint_sizes(log.directory) == [0]


def test_a_checkpoint_follows_every_n_records(log_dir: Path) -> None:
    with open_log(log_dir, checkpoint_every=4) as log:
        for i in range(9):
            log.append(record(i))
        assert _checkpoint_sizes(log_dir) == [0, 4, 8]
    assert _checkpoint_sizes(log_dir) == [0, 4, 8, 9]  # and closing checkpoints the rest


def test_a_checkpoint_follows_t_seconds_on_the_injected_clock(log_dir: Path) -> None:
    clock = ManualClock(T0)
    with open_log(log_dir, clock=clock, checkpoint_seconds=5.0) as log:
        log.append(record(0))
        clock.advance(4_999)
        log.append(record(1))
        assert _checkpoint_sizes(log_dir) == [0]
        clock.advance(1)
        log.append(record(2))
        assert _eventually(lambda: _checkpoint_sizes(log_dir) == [0, 3])  # written just after the batch
        log.append(record(3))  # the writer checkpoints a batch before it takes the next
        assert log.latest_checkpoint is not None and log.latest_checkpoint.time_ms == T0 + 5_000


def test_an_idle_writer_checkpoints_pending_records_when_t_seconds_pass(log_dir: Path) -> None:
    with AuditLog(log_dir, KEY, SEARCH_KEY, checkpoint_seconds=0.05) as log:
        log.append(record(0))
        assert _eventually(lambda: _checkpoint_sizes(log_dir)[-1] == 1)


def test_reopening_recovers_the_tree_and_adds_no_duplicate_checkpoint(log_dir: Path) -> None:
    receipts = fill(log_dir, 10)
    sizes = _checkpoint_sizes(log_dir)
    with open_log(log_dir) as log:
        assert log.size == 10 and log.recovery.records == 10
        assert log.append(record(10)).index == 10
        assert json.loads(lines(log_dir)[10])["prev"] == receipts[-1].leaf_hash
    assert _checkpoint_sizes(log_dir) == [*sizes, 11]


def test_a_torn_final_line_is_cut_on_reopen_and_the_log_verifies(log_dir: Path) -> None:
    fill(log_dir, 4)
    with (log_dir / "records-000000000000.jsonl").open("ab") as f:
        f.write(b'{"index":4,"logged_ms":1,"pr')
    with capture_logs() as logs, open_log(log_dir) as log:
        assert log.recovery.cut_record_bytes == len(b'{"index":4,"logged_ms":1,"pr')
        assert log.append(record(4)).index == 4
    assert any(entry["event"] == "audit_torn_tail_cut" for entry in logs)
    assert verify_log(log_dir, KEYS).ok


def test_garbage_after_the_last_checkpoint_is_cut(log_dir: Path) -> None:
    fill(log_dir, 4)
    with (log_dir / "records-000000000000.jsonl").open("ab") as f:
        f.write(b"\x00" * 300 + b"\n" + lines(log_dir)[0])
    with open_log(log_dir) as log:
        assert log.size == 4 and log.recovery.cut_record_bytes > 300
    report = verify_log(log_dir, KEYS)
    assert report.ok and report.records == 4


def test_a_torn_checkpoint_line_is_cut_on_reopen(log_dir: Path) -> None:
    fill(log_dir, 2)
    with (log_dir / "checkpoints").open("a") as f:
        f.write("coloan-audit-v1 2 ab")
    with open_log(log_dir) as log:
        assert log.recovery.cut_checkpoint_bytes == len("coloan-audit-v1 2 ab")
    assert verify_log(log_dir, KEYS).ok


def test_an_unreadable_last_checkpoint_line_is_cut_but_one_before_a_good_line_refuses(log_dir: Path) -> None:
    fill(log_dir, 2)
    checkpoints = log_dir / "checkpoints"
    good = checkpoints.read_bytes()
    checkpoints.write_bytes(good + b"\x00" * 40 + b"\n")
    with open_log(log_dir) as log:
        assert log.recovery.cut_checkpoint_bytes == 41
    checkpoints.write_bytes(b"\x00" * 40 + b"\n" + good)
    with pytest.raises(AuditLogError, match="checkpoints: line 1 is not a checkpoint"):
        open_log(log_dir)


def test_a_log_damaged_behind_a_checkpoint_refuses_to_open(log_dir: Path) -> None:
    fill(log_dir, 6, checkpoint_every=2)
    segment = log_dir / "records-000000000000.jsonl"
    segment.write_bytes(segment.read_bytes().replace(b'"n":1', b'"n":7'))
    with pytest.raises(AuditLogError, match=r"checkpoint at size 2 does not match.*audit verify"):
        open_log(log_dir)


def test_a_log_whose_tail_was_cut_behind_a_checkpoint_refuses_to_open(log_dir: Path) -> None:
    fill(log_dir, 6, checkpoint_every=2)
    segment = log_dir / "records-000000000000.jsonl"
    segment.write_bytes(b"".join(lines(log_dir)[:5]))
    with pytest.raises(AuditLogError, match="5 records but a checkpoint covers 6"):
        open_log(log_dir)


def test_a_second_writer_on_the_same_directory_is_refused(log: AuditLog) -> None:
    with pytest.raises(AuditLogError, match="in use by another process"):
        open_log(log.directory)


@pytest.mark.parametrize("bad", [{"when": object()}, {"ratio": math.nan}])
def test_a_record_json_cannot_carry_is_refused_before_anything_is_written(log: AuditLog,
                                                                          bad: dict[str, object]) -> None:
    with pytest.raises((TypeError, ValueError)):
        log.append(bad)
    assert log.size == 0 and log.append(record(0)).index == 0


def test_segments_roll_over_and_the_log_reads_back_across_them(log_dir: Path) -> None:
    fill(log_dir, 30, segment_bytes=1000)
    names = sorted(p.name for p in log_dir.glob("records-*.jsonl"))
    assert len(names) > 2 and names[1] != "records-000000000001.jsonl"
    with open_log(log_dir, segment_bytes=1000) as log:
        assert log.size == 30
        proof = log.prove(17)
    assert proof.tree_size == 30 and verify_log(log_dir, KEYS).ok


def test_concurrent_async_appends_share_fsyncs(log_dir: Path) -> None:
    disk = FaultyDisk()

    async def burst(log: AuditLog) -> list[int]:
        disk.block()  # the writer stalls on the first record; the rest queue behind it
        tasks = [asyncio.create_task(log.append_async(record(i), deadline_s=10)) for i in range(64)]
        await asyncio.sleep(0.05)
        disk.heal()
        return sorted(r.index for r in await asyncio.gather(*tasks))

    with open_log(log_dir, disk=disk, checkpoint_every=1000) as log:
        before = disk.syncs
        assert asyncio.run(burst(log)) == list(range(64))
        assert disk.syncs - before <= 3
    assert verify_log(log_dir, KEYS).ok


def test_fsync_always_syncs_once_per_record(log_dir: Path) -> None:
    disk = FaultyDisk()

    async def burst(log: AuditLog) -> None:
        await asyncio.gather(*(log.append_async(record(i), deadline_s=10) for i in range(20)))

    with open_log(log_dir, disk=disk, fsync="always", checkpoint_every=1000) as log:
        before = disk.syncs
        asyncio.run(burst(log))
        assert disk.syncs - before == 20


def test_waiting_for_the_disk_does_not_block_the_event_loop(log_dir: Path) -> None:
    disk = FaultyDisk()

    async def scenario(log: AuditLog) -> tuple[bool, int]:
        disk.block()
        stalled = asyncio.create_task(log.append_async(record(0), deadline_s=5))
        await asyncio.sleep(0.05)  # other coroutines run while the record waits for the disk
        waiting = not stalled.done()
        disk.heal()
        return waiting, (await stalled).index

    with open_log(log_dir, disk=disk) as log:
        assert asyncio.run(scenario(log)) == (True, 0)


def test_a_full_queue_refuses_at_once(log_dir: Path) -> None:
    disk = FaultyDisk()
    with open_log(log_dir, disk=disk, max_pending=3) as log:
        disk.block()
        futures = [log._writer.submit(b"{}")]
        for _ in range(500):  # bounded: until the writer holds it, stalled on the disk
            if not log._writer._pending:
                break
            time.sleep(0.01)
        futures += [log._writer.submit(b"{}") for _ in range(3)]
        with pytest.raises(AuditUnavailable) as info:
            log.append(record(9), deadline_s=5)
        assert info.value.reason == "audit_backlog"
        disk.heal()
        assert all(f.result(timeout=5) for f in futures)


def test_closing_checkpoints_and_later_appends_are_refused(log_dir: Path) -> None:
    log = open_log(log_dir)
    log.append(record(0))
    log.close()
    assert _checkpoint_sizes(log_dir)[-1] == 1
    with pytest.raises(AuditUnavailable) as info:
        log.append(record(1))
    assert info.value.reason == "audit_closed"


def test_the_in_process_proof_checkpoints_first_when_the_record_is_newer(log: AuditLog) -> None:
    for i in range(3):
        log.append(record(i))
    assert log.latest_checkpoint is not None and log.latest_checkpoint.tree_size == 0
    proof = log.prove(2)
    assert proof.tree_size == 3 and root_of(log._writer.state.leaves).hex() in proof.checkpoint


def test_searchable_values_are_stored_only_as_keyed_hashes(log: AuditLog) -> None:
    resident = "110105194912310020"
    log.append(record(0) | log.searchable({"profile.resident_id": resident}))
    log.checkpoint()
    stored = b"".join(p.read_bytes() for p in log.directory.iterdir() if p.is_file())
    assert resident.encode() not in stored
    assert b"hmac-sha256:" in stored
