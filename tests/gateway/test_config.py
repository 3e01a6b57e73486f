"""``gateway.toml``: every problem is reported with file, key and fix; ``config check`` exits 1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway import _config
from gateway._workspace import Workspace
from gateway.cli import cli
from gateway.errors import ConfigError


def test_workspace_config_loads(workspace: Workspace) -> None:
    config = _config.load(workspace.config)
    assert [p.name for p in config.partners] == ["platform", "bank", "ops"]
    assert config.pki_dir == workspace.pki_dir
    assert config.partner("bank").upstream == "127.0.0.1:1"
    result = CliRunner().invoke(cli, ["config", "check", str(workspace.config)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace('role = "bank"', 'role = "lender"'), "partners[1].role: has an invalid value"),
        (lambda t: t.replace('audience = "BANK"', 'audience = "bank"'), "partners[1].audience: has an invalid value"),
        (lambda t: t.replace('spiffe_id = "spiffe://coloan.local/bank/bank"', 'spiffe_id = "bank"'),
         "partners[1].spiffe_id: has an invalid value"),
        (lambda t: t.replace('name = "ops"', 'name = "bank"'), "partners: name 'bank' is registered twice"),
        (lambda t: t.replace("clock_window_s = 60", "clock_window_s = 0"),
         "gateway.clock_window_s: has an invalid value"),
        (lambda t: t.replace('keys_dir = "keys"', 'keys_dir = "no-such-dir"'), "gateway.keys_dir: directory"),
        (lambda t: t.replace('"signing/bank.pub.pem"', '"signing/missing.pem"'), "partners[1].signing_keys."),
        (lambda t: t.replace('signing_key = "signing/gateway.key.pem"\n', ""), "gateway.signing_key: is missing"),
        (lambda t: t + "\n[limits]\nrate_per_s = 5\nburst_size = 9\n", "limits.burst_size: is not a known setting"),
        (lambda t: t + "\n[retries]\nattempts = -1\n", "retries.attempts: has an invalid value"),
        (lambda t: t.replace("[gateway]", "[gateway]\nmax_message_bytes = \"big\""),
         "gateway.max_message_bytes: has an invalid value (str)"),
    ],
)
def test_each_problem_names_file_key_and_fix(config_text: str, write: Callable[[str], Path],
                                              edit: Callable[[str], str], expected: str) -> None:
    path = write(edit(config_text))
    problems = [str(p) for p in _config.check(path)]
    assert any(p.startswith(f"{path.resolve()}: {expected}") and "; fix: " in p for p in problems), problems
    with pytest.raises(ConfigError):
        _config.load(path)


def test_a_partner_may_have_its_own_limits(config_text: str, write: Callable[[str], Path]) -> None:
    text = config_text.replace('role = "bank"', 'role = "bank"\nrate_per_s = 20\nmax_in_flight = 4', 1)
    config = _config.load(write(text + "\n[limits]\nrate_per_s = 300\n"))
    bank, platform = config.partner("bank"), config.partner("platform")
    assert [config.limit(bank, k) for k in ("rate_per_s", "burst", "max_in_flight")] == [20, 1_000, 4]
    assert [config.limit(platform, k) for k in ("rate_per_s", "burst", "max_in_flight")] == [300, 1_000, 128]
    problems = _config.check(write(config_text.replace('role = "bank"', 'role = "bank"\nburst = 0', 1)))
    assert [p.key for p in problems] == ["partners[1].burst"]


def test_all_problems_are_reported_at_once(config_text: str, write: Callable[[str], Path]) -> None:
    text = config_text.replace('role = "bank"', 'role = "x"').replace('audience = "PLATFORM"', 'audience = "y"')
    path = write(text)
    assert len(_config.check(path)) == 2
    result = CliRunner().invoke(cli, ["config", "check", str(path)])
    assert result.exit_code == 1
    assert len([line for line in result.output.splitlines() if line.startswith("error: ")]) == 2


def test_broken_toml_is_one_line(write: Callable[[str], Path]) -> None:
    path = write("[gateway\nname = ")
    result = CliRunner().invoke(cli, ["config", "check", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {path}: -: is not valid TOML")


def test_serve_refuses_a_broken_config_in_one_line(config_text: str, write: Callable[[str], Path]) -> None:
    path = write(config_text.replace('role = "bank"', 'role = "x"'))
    result = CliRunner().invoke(cli, ["serve", "--config", str(path)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "partners[1].role" in result.stderr
