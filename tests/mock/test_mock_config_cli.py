"""Mock configs (written for a workspace, loaded with every problem at once) and the two commands."""

from __future__ import annotations

import asyncio
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Configs

from gateway import _config
from gateway._server import Gateway
from gateway.cli import cli
from gateway.errors import ConfigError
from gateway.mock import BankApp, load


def test_written_configs_load_with_absolute_paths_and_private_keys(configs: Configs) -> None:
    bank, platform, ws = configs.bank, configs.platform, configs.ws
    assert (bank.role, bank.name, platform.role) == ("bank", "bank", "platform")
    assert bank.gateway == platform.gateway and bank.listen != platform.listen
    assert bank.pki_dir == ws.pki_dir and bank.signing_key_id == ws.key_id("bank")
    assert set(bank.gateway_keys) == {ws.key_id("gateway")}
    assert bank.token_key is not None and platform.record is not None and platform.token_key is None
    for secret in (bank.key_material, bank.token_key, bank.signing_key):
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600, secret
    assert len(bank.token_key.read_bytes()) == 32
    assert bank.own_key().key_id == ws.key_id("bank")
    gateway_key = ws.signing_key("gateway")
    bank.gateway_public_keys().verify(gateway_key.key_id, gateway_key.sign(b"forward"), b"forward")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mock.toml"
    path.write_text(text)
    return path


def test_every_problem_of_a_config_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, '[mock]\nrole = "broker"\nlisten = ""\napr_cap_bps = 0\n')
    with pytest.raises(ConfigError) as raised:
        load(path)
    keys = [p.key for p in raised.value.problems]
    assert keys == ["mock.name", "mock.listen", "mock.gateway", "mock.pki_dir", "mock.signing_key",
                    "mock.signing_key_id", "mock.key_material", "mock.role", "gateway_keys", "mock.apr_cap_bps"]
    assert all(p.file == str(path.resolve()) and p.fix for p in raised.value.problems)


def test_files_that_do_not_exist_are_named(configs: Configs, tmp_path: Path) -> None:
    text = configs.bank.source.read_text().replace('"pki"', '"no-such-pki"').replace("bank-token.key", "gone.key")
    path = configs.ws.root / "broken-bank.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load(path)
    assert [p.key for p in raised.value.problems] == ["mock.pki_dir", "mock.token_key"]


def test_a_file_that_is_not_toml_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load(write(tmp_path, "[mock\n"))


def test_mock_bank_refuses_a_platform_config_in_one_line(configs: Configs) -> None:
    result = CliRunner().invoke(cli, ["mock-bank", "--config", str(configs.platform.source)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"coloan-gw: error: {configs.platform.source}: mock.role: is platform; "
        "fix: run coloan-gw mock-platform with it"]


@pytest.fixture
def gateway_and_bank(configs: Configs) -> Iterator[None]:
    """The gateway and the mock bank on a background loop, so the command under test owns the main thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def up() -> tuple[Gateway, BankApp]:
        gateway, bank = Gateway(_config.load(configs.ws.config)), BankApp(configs.bank)
        await gateway.start()
        await bank.start()
        return gateway, bank

    gateway, bank = asyncio.run_coroutine_threadsafe(up(), loop).result(30)

    async def down() -> None:
        await bank.stop(0)
        await gateway.stop(0)

    try:
        yield
    finally:
        asyncio.run_coroutine_threadsafe(down(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


@pytest.mark.integration
@pytest.mark.usefixtures("gateway_and_bank")
def test_mock_platform_client_mode_drives_applications_and_waits_for_their_events(configs: Configs) -> None:
    result = CliRunner().invoke(cli, ["mock-platform", "--config", str(configs.platform.source), "--drive", "6",
                                      "--seed", "5"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "AssessCredit OK: 6" in out
    assert "checks: " in out and " failed" not in out
    events = next(line for line in out.splitlines() if line.startswith("events: "))
    received, expected = events.removeprefix("events: ").removesuffix(" received").split(" of ")
    assert received == expected and int(expected) > 0
    assert "coloan-gw mock-platform: stats" in result.stderr
