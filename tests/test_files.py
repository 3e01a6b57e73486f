from __future__ import annotations

import stat
from pathlib import Path

import pytest

from gateway._files import atomic_output


def test_output_appears_whole_with_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    with atomic_output(target, mode=0o600) as out:
        out.write(b"abc")
        assert not target.exists()
    assert target.read_bytes() == b"abc"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_failure_midway_keeps_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError), atomic_output(target) as out:
        out.write(b"half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"previous"
    assert list(tmp_path.iterdir()) == [target]


def test_missing_directory_names_the_target(tmp_path: Path) -> None:
    target = tmp_path / "nope" / "out.bin"
    with pytest.raises(OSError, match="No such file") as info, atomic_output(target):
        pass
    assert info.value.filename == str(target)
