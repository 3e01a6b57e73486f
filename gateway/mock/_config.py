"""``bank.toml`` / ``platform.toml``: a mock partner's address, PKI, keys and the gateway it talks through.

Example (relative paths resolve against the file's directory)::

    [mock]
    role = "bank"                                   # bank or platform
    name = "bank"                                   # its certificate and signing key in the PKI
    listen = "127.0.0.1:7101"
    gateway = "127.0.0.1:7443"                      # where it publishes events / drives applications
    pki_dir = "pki"
    signing_key = "signing/bank.key.pem"
    signing_key_id = "bank/20260101-1"
    key_material = "export/bank.keys.json"          # coloan-gw keys export --audience BANK
    token_key = "secrets/bank-token.key"            # bank: key of its borrower tokens (32+ bytes)
    record = "logs/platform-events.jsonl"           # platform: where received events are recorded
    apr_cap_bps = 2400

    [gateway_keys]
    "gateway/20260101-1" = "signing/gateway.pub.pem"

``load`` reports every problem at once, as ``gateway.errors.ConfigError``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coloan.policy.v1 import options_pb2 as opts
from gateway._files import atomic_output
from gateway._workspace import Workspace
from gateway.errors import ConfigError, ConfigProblem
from gateway.signing import PublicKeySet, SigningKey
from masking import Keyring

ROLES = {"bank": opts.BANK, "platform": opts.PLATFORM}
_REQUIRED = ("role", "name", "listen", "gateway", "pki_dir", "signing_key", "signing_key_id", "key_material")


@dataclass(frozen=True)
class MockConfig:
    """A mock partner's settings; every path is absolute."""

    source: Path
    role: str
    name: str
    listen: str
    gateway: str
    pki_dir: Path
    signing_key: Path
    signing_key_id: str
    key_material: Path
    gateway_keys: dict[str, Path]
    token_key: Path | None = None
    record: Path | None = None
    apr_cap_bps: int = 2_400

    @property
    def audience(self) -> int:
        return ROLES[self.role]

    def own_key(self) -> SigningKey:
        return SigningKey.from_pem_file(self.signing_key_id, self.signing_key)

    def gateway_public_keys(self) -> PublicKeySet:
        return PublicKeySet.from_pem_files(self.gateway_keys)


def _problems(file: Path, mock: dict[str, Any], keys: Any) -> list[ConfigProblem]:
    out = [ConfigProblem(str(file), f"mock.{k}", "is missing or not a non-empty string", f'add {k} = "..."')
           for k in _REQUIRED if not isinstance(mock.get(k), str) or not mock[k]]
    if isinstance(mock.get("role"), str) and mock["role"] not in ROLES:
        out.append(ConfigProblem(str(file), "mock.role", "is neither bank nor platform", "use bank or platform"))
    if not isinstance(keys, dict) or not keys or not all(isinstance(v, str) for v in keys.values()):
        out.append(ConfigProblem(str(file), "gateway_keys", "is missing or empty",
                                 'add [gateway_keys] with "<key id>" = "<gateway public key PEM>"'))
    cap = mock.get("apr_cap_bps", 2_400)
    if not isinstance(cap, int) or isinstance(cap, bool) or not 0 < cap <= 10_000:
        out.append(ConfigProblem(str(file), "mock.apr_cap_bps", "is not within 1-10000", "give basis points"))
    return out


def _build(file: Path, mock: dict[str, Any], keys: dict[str, str]) -> MockConfig:
    def path(value: str | None) -> Path | None:
        return None if value is None else (file.parent / value).resolve()

    return MockConfig(
        source=file, role=mock["role"], name=mock["name"], listen=mock["listen"], gateway=mock["gateway"],
        pki_dir=path(mock["pki_dir"]) or Path(), signing_key=path(mock["signing_key"]) or Path(),
        signing_key_id=mock["signing_key_id"], key_material=path(mock["key_material"]) or Path(),
        gateway_keys={k: path(v) or Path() for k, v in keys.items()}, token_key=path(mock.get("token_key")),
        record=path(mock.get("record")), apr_cap_bps=mock.get("apr_cap_bps", 2_400),
    )


def _missing_files(config: MockConfig) -> list[ConfigProblem]:
    wanted = [("mock.pki_dir", config.pki_dir, True), ("mock.signing_key", config.signing_key, False),
              ("mock.key_material", config.key_material, False),
              *((f"gateway_keys.{k}", p, False) for k, p in config.gateway_keys.items())]
    if config.role == "bank":
        wanted.append(("mock.token_key", config.token_key or config.source.parent / "<unset>", False))
    return [ConfigProblem(str(config.source), key, f"{p} does not exist", "fix the path or create the file")
            for key, p, is_dir in wanted if not (p.is_dir() if is_dir else p.is_file())]


def load(file: Path) -> MockConfig:
    """The mock config at ``file``; ``ConfigError`` listing every problem if it is not usable."""
    file = file.resolve()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError([ConfigProblem(str(file), "-", exc.strerror or "cannot be read", "check the path")]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigProblem(str(file), "-", f"is not valid TOML ({exc})", "fix the syntax")]) from None
    mock, keys = data.get("mock", {}), data.get("gateway_keys")
    problems = _problems(file, mock if isinstance(mock, dict) else {}, keys)
    if problems:
        raise ConfigError(problems)
    config = _build(file, mock, keys)  # type: ignore[arg-type]
    problems = _missing_files(config)
    if problems:
        raise ConfigError(problems)
    return config


def _write(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path, mode) as out:
        out.write(data)


def write_config(ws: Workspace, role: str, *, listen: str, gateway: str, apr_cap_bps: int = 2_400) -> Path:
    """``<role>.toml`` in the workspace, with the role's exported key material (and the bank's token key)."""
    (ws.root / "export").mkdir(mode=0o700, exist_ok=True)
    Keyring.load(ws.keys_dir).export(ROLES[role], ws.root / "export" / f"{role}.keys.json")
    lines = ["[mock]", f'role = "{role}"', f'name = "{role}"', f'listen = "{listen}"', f'gateway = "{gateway}"',
             'pki_dir = "pki"', f'signing_key = "signing/{role}.key.pem"', f'signing_key_id = "{ws.key_id(role)}"',
             f'key_material = "export/{role}.keys.json"', f"apr_cap_bps = {apr_cap_bps}"]
    if role == "bank":
        token_key = ws.root / "secrets" / "bank-token.key"
        if not token_key.exists():
            _write(token_key, os.urandom(32), 0o600)
        lines.append('token_key = "secrets/bank-token.key"')
    else:
        lines.append('record = "logs/platform-events.jsonl"')
    lines += ["", "[gateway_keys]", f'"{ws.key_id("gateway")}" = "signing/gateway.pub.pem"', ""]
    path = ws.root / f"{role}.toml"
    _write(path, "\n".join(lines).encode())
    return path
