"""Search by keyed hash: found with the key, not without it; the searched value never appears anywhere."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.audit import SearchKeyError, create_search_key, load_search_key, search
from gateway.cli import cli

from .conftest import SEARCH_KEY, open_log, record

RESIDENT = "110105194912310020"


@pytest.fixture
def searchable_log(tmp_path: Path) -> Path:
    directory = tmp_path / "audit"
    with open_log(directory) as log:
        for i in range(6):
            value = RESIDENT if i % 3 == 0 else f"44030119900101{i:04d}"
            log.append(record(i) | log.searchable({"profile.resident_id": value, "profile.mobile": "13800138000"}))
    return directory


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "search.key"
    path.write_bytes(SEARCH_KEY)
    path.chmod(0o600)
    return path


def test_records_are_found_by_the_hash_of_a_value_in_a_field(searchable_log: Path) -> None:
    found = list(search(searchable_log, SEARCH_KEY, "profile.resident_id", RESIDENT))
    assert [rid.split("-")[0] for rid, _ in found] == ["0", "3"]


def test_the_same_value_in_another_field_or_under_another_key_finds_nothing(searchable_log: Path) -> None:
    assert list(search(searchable_log, SEARCH_KEY, "profile.mobile", RESIDENT)) == []
    assert list(search(searchable_log, bytes(32), "profile.resident_id", RESIDENT)) == []


def test_the_cli_prints_matching_records_and_never_the_value(searchable_log: Path, key_file: Path) -> None:
    result = CliRunner().invoke(cli, ["audit", "search", str(searchable_log), "--field", "profile.resident_id",
                                      "--value", RESIDENT, "--key", str(key_file)])
    assert result.exit_code == 0
    out = result.output.splitlines()
    assert [line.split(" ")[0].split("-")[0] for line in out[:-1]] == ["0", "3"]
    assert out[-1] == f"2 matching records in {searchable_log}"
    assert RESIDENT not in result.output
    stored = b"".join(p.read_bytes() for p in searchable_log.iterdir() if p.is_file())
    assert RESIDENT.encode() not in stored


def test_the_cli_prompts_for_the_value_without_echoing_it(searchable_log: Path, key_file: Path) -> None:
    result = CliRunner().invoke(cli, ["audit", "search", str(searchable_log), "--field", "profile.resident_id",
                                      "--key", str(key_file)], input=RESIDENT + "\n")
    assert result.exit_code == 0 and RESIDENT not in result.output and "2 matching records" in result.output


def test_a_malformed_field_path_is_a_usage_error(searchable_log: Path, key_file: Path) -> None:
    result = CliRunner().invoke(cli, ["audit", "search", str(searchable_log), "--field", "profile..x",
                                      "--value", "v", "--key", str(key_file)])
    assert result.exit_code == 2 and "dot-separated identifiers" in result.output


def test_init_key_writes_32_private_bytes_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "audit-search.key"
    first = CliRunner().invoke(cli, ["audit", "init-key", str(path)])
    assert first.exit_code == 0 and stat.S_IMODE(path.stat().st_mode) == 0o600
    key = load_search_key(path)
    assert len(key) == 32
    second = CliRunner().invoke(cli, ["audit", "init-key", str(path)])
    assert second.exit_code == 1 and second.output.startswith("coloan-gw: error: ")
    assert path.read_bytes() == key


def test_a_search_key_readable_by_others_or_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k"
    create_search_key(path)
    path.chmod(0o644)
    with pytest.raises(SearchKeyError, match="chmod 600"):
        load_search_key(path)
    path.chmod(0o600)
    path.write_bytes(b"short")
    with pytest.raises(SearchKeyError, match="32 bytes"):
        load_search_key(path)
