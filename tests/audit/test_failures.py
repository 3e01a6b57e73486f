"""Fail closed without hanging: every way the disk can refuse yields AuditUnavailable, and the log heals by itself.

Failures are real where this host allows it (a file removed or replaced while open,
a directory or file made unwritable, a full tmpfs) and simulated through the
``Disk`` seam otherwise (``FaultyDisk``: ENOSPC, EACCES, EIO after a short write; a
stalled disk). Made unwritable means ``chattr +i`` as root (root ignores modes) and
``chmod`` otherwise; a test the host cannot stage is skipped and says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.audit import AuditLog, AuditUnavailable, FaultyDisk, verify_log

from .conftest import KEYS, open_log, record

ROOT = os.geteuid() == 0
SEGMENT = "records-000000000000.jsonl"


@contextlib.contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """Make ``path`` refuse writes (file) or new entries (directory) for the duration."""
    if ROOT:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode:
            pytest.skip("needs chattr +i (root ignores file modes) on this file system")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        return
    mode = path.stat().st_mode
    path.chmod(0o500 if path.is_dir() else 0o400)
    try:
        yield
    finally:
        path.chmod(mode)


def _refused(log: AuditLog, n: int, reason: str = "audit_write_failed") -> AuditUnavailable:
    with pytest.raises(AuditUnavailable) as info:
        log.append(record(n), deadline_s=5)
    assert info.value.reason == reason
    return info.value


def _numbers(directory: Path) -> list[int]:
    return [json.loads(line)["record"]["n"] for p in sorted(directory.glob("records-*.jsonl"))
            for line in p.read_bytes().splitlines()]


def _all_verified(directory: Path, count: int) -> bool:
    report = verify_log(directory, KEYS)
    return report.ok and report.records == report.verified == count


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EIO])
def test_a_failing_write_refuses_leaves_no_partial_record_and_heals(log_dir: Path, code: int) -> None:
    disk = FaultyDisk()
    with open_log(log_dir, disk=disk) as log:
        log.append(record(0))
        before = (log_dir / SEGMENT).read_bytes()
        disk.fail(code, partial=25)
        error = _refused(log, 1)
        assert errno.errorcode[code] in str(error)
        assert log.size == 1
        disk.heal()
        assert (log_dir / SEGMENT).read_bytes() == before  # the short write was cut away before the next one
        assert log.append(record(2)).index == 1
    assert _numbers(log_dir) == [0, 2] and _all_verified(log_dir, 2)


def test_an_async_append_on_a_full_disk_raises_unavailable(log_dir: Path) -> None:
    disk = FaultyDisk()

    async def attempt(log: AuditLog) -> str:
        try:
            await log.append_async(record(0), deadline_s=5)
        except AuditUnavailable as exc:
            return exc.reason
        return "written"

    with open_log(log_dir, disk=disk) as log:
        disk.fail(errno.ENOSPC)
        assert asyncio.run(attempt(log)) == "audit_write_failed"
        disk.heal()
        assert asyncio.run(attempt(log)) == "written"


def test_a_stalled_disk_times_out_and_a_record_still_queued_is_dropped(log_dir: Path) -> None:
    disk = FaultyDisk()
    with open_log(log_dir, disk=disk) as log:
        disk.block()
        with pytest.raises(AuditUnavailable) as first:
            asyncio.run(log.append_async(record(0), deadline_s=1.0))  # taken by the writer, stuck in write
        assert first.value.reason == "audit_timeout"
        with pytest.raises(AuditUnavailable) as second:
            log.append(record(1), deadline_s=0.2)  # still queued when its deadline passes
        assert second.value.reason == "audit_timeout"
        disk.heal()
        assert log.append(record(2)).index == 1
    assert _numbers(log_dir) == [0, 2]  # the write under way completed; the cancelled one never started


def test_a_removed_segment_is_restored_from_the_open_file(log_dir: Path) -> None:
    with open_log(log_dir) as log:
        for i in range(5):
            log.append(record(i))
        (log_dir / SEGMENT).unlink()
        assert log.append(record(5)).index == 5
    assert _numbers(log_dir) == list(range(6)) and _all_verified(log_dir, 6)


def test_a_removed_segment_is_unavailable_while_the_directory_refuses_writes(log_dir: Path) -> None:
    with open_log(log_dir) as log:
        log.append(record(0))
        (log_dir / SEGMENT).unlink()
        with unwritable(log_dir):
            _refused(log, 1)
            _refused(log, 2)
        assert log.append(record(3)).index == 1
    assert _numbers(log_dir) == [0, 3] and _all_verified(log_dir, 2)


@pytest.mark.skipif(not ROOT, reason="an open descriptor keeps writing after chmod; chattr +i needs root")
def test_permission_lost_on_the_open_segment_refuses_until_it_returns(log_dir: Path) -> None:
    with open_log(log_dir) as log:
        log.append(record(0))
        with unwritable(log_dir / SEGMENT):
            error = _refused(log, 1)
        assert "EPERM" in str(error)
        assert log.append(record(2)).index == 1
    assert _numbers(log_dir) == [0, 2] and _all_verified(log_dir, 2)


def test_a_segment_replaced_by_another_file_is_left_alone_until_the_original_returns(log_dir: Path) -> None:
    segment, aside = log_dir / SEGMENT, log_dir / "moved-aside"
    with open_log(log_dir) as log:
        log.append(record(0))
        segment.rename(aside)
        segment.write_bytes(b"not the audit log\n")
        _refused(log, 1)
        assert segment.read_bytes() == b"not the audit log\n"
        aside.rename(segment)
        assert log.append(record(2)).index == 1
    assert _numbers(log_dir) == [0, 2] and _all_verified(log_dir, 2)


def test_a_segment_replaced_by_an_identical_copy_is_adopted(log_dir: Path) -> None:
    segment = log_dir / SEGMENT
    with open_log(log_dir) as log:
        log.append(record(0))
        shutil.copyfile(segment, log_dir / "copy")
        os.replace(log_dir / "copy", segment)
        assert log.append(record(1)).index == 1
    assert _numbers(log_dir) == [0, 1] and _all_verified(log_dir, 2)


def test_a_segment_cut_under_the_writer_refuses_until_its_bytes_are_back(log_dir: Path) -> None:
    segment = log_dir / SEGMENT
    with open_log(log_dir) as log:
        log.append(record(0))
        log.append(record(1))
        whole = segment.read_bytes()
        with segment.open("r+b") as f:
            f.truncate(len(whole) // 2)
        assert "shorter than the records already acknowledged" in str(_refused(log, 2))
        with segment.open("r+b") as f:
            f.write(whole)
        assert log.append(record(3)).index == 2
    assert _numbers(log_dir) == [0, 1, 3] and _all_verified(log_dir, 3)


def test_a_removed_checkpoints_file_is_restored(log_dir: Path) -> None:
    with open_log(log_dir) as log:
        log.append(record(0))
        log.checkpoint()
        (log_dir / "checkpoints").unlink()
        log.append(record(1))
        assert log.checkpoint().tree_size == 2
    assert len((log_dir / "checkpoints").read_text().splitlines()) == 3 and _all_verified(log_dir, 2)


@pytest.mark.skipif(not ROOT, reason="making the open checkpoints file unwritable needs chattr +i (root)")
def test_nothing_is_acknowledged_while_an_overdue_checkpoint_cannot_be_written(log_dir: Path) -> None:
    with open_log(log_dir) as log:
        log.append(record(0))
        with unwritable(log_dir / "checkpoints"):
            with pytest.raises(AuditUnavailable):
                log.checkpoint()
            _refused(log, 1)
        assert log.append(record(2)).index == 1
    assert _all_verified(log_dir, 2)


@contextlib.contextmanager
def tiny_tmpfs(path: Path) -> Iterator[Path]:
    path.mkdir()
    if not ROOT or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(path)],
                                  capture_output=True).returncode:
        pytest.skip("mounting a tmpfs needs root (FaultyDisk covers ENOSPC without it)")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def test_a_really_full_file_system_refuses_and_heals_when_space_returns(tmp_path: Path) -> None:
    with tiny_tmpfs(tmp_path / "small") as small:
        log_dir, filler = small / "audit", small / "filler"
        with open_log(log_dir) as log:
            log.append(record(0))
            with contextlib.suppress(OSError), filler.open("wb", buffering=0) as f:
                for _ in range(1024):  # bounded: 256 KiB of 4 KiB pages at most
                    f.write(b"\0" * 4096)
            big = {"n": 1, "pad": "x" * 8192}
            with pytest.raises(AuditUnavailable) as info:
                log.append(big)
            assert "ENOSPC" in str(info.value) and log.size == 1
            filler.unlink()
            assert log.append(record(2)).index == 1
        assert _numbers(log_dir) == [0, 2] and _all_verified(log_dir, 2)
