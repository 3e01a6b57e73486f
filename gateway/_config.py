"""``gateway.toml``: the gateway's listen address, PKI, keys, partner registry and limits.

Relative paths are resolved against the directory of the config file. ``check``
returns every problem at once (file, key, what is wrong, how to fix it); ``load``
raises ``ConfigError`` with them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coloan.policy.v1 import options_pb2 as opts
from gateway.errors import ConfigError, ConfigProblem

PARTNER_LIMITS = ("rate_per_s", "burst", "max_in_flight")  # [limits] settings a partner may override
ROLES = {"platform": opts.ROLE_PLATFORM, "bank": opts.ROLE_BANK, "ops": opts.ROLE_OPS}
AUDIENCES = {"BANK": opts.BANK, "PLATFORM": opts.PLATFORM, "LOG": opts.LOG}


@dataclass(frozen=True)
class Partner:
    """A registered partner: who it is (SPIFFE id), what it may do (role) and see (audience)."""

    name: str
    role: int
    audience: int
    spiffe_id: str
    signing_keys: dict[str, Path]
    upstream: str | None
    limits: dict[str, int] = field(default_factory=dict)  # this partner's own rate_per_s, burst, max_in_flight


@dataclass(frozen=True)
class Deadlines:
    default_ms: int = 5_000
    max_ms: int = 30_000
    margin_ms: int = 50


@dataclass(frozen=True)
class Retries:
    """Upstream retries for methods marked safe_to_retry: extra attempts and the base backoff."""

    attempts: int = 2
    backoff_ms: int = 50


@dataclass(frozen=True)
class Limits:
    """Per-partner admission limits and the upstream circuit breaker's thresholds."""

    rate_per_s: int = 500
    burst: int = 1_000
    max_in_flight: int = 128
    breaker_failures: int = 5
    breaker_reset_s: int = 10


@dataclass(frozen=True)
class AuditConfig:
    """Where the tamper-evident audit log lives and how long a call may wait for its record."""

    dir: Path
    search_key: Path
    deadline_ms: int = 500
    checkpoint_every: int = 256
    checkpoint_seconds: int = 5


@dataclass(frozen=True)
class GatewayConfig:
    source: Path
    name: str
    listen: str
    pki_dir: Path
    keys_dir: Path
    signing_key: Path
    signing_key_id: str
    access_log: Path | None
    state: str  # replay and idempotency stores: sqlite:///file (relative to the config), redis://..., memory:
    clock_window_s: int
    max_message_bytes: int
    apr_cap_bps: int
    deadlines: Deadlines
    partners: tuple[Partner, ...]
    retries: Retries = Retries()
    limits: Limits = Limits()
    audit: AuditConfig | None = None  # None only in configs built by hand for tests of other parts

    def partner(self, name: str) -> Partner:
        return next(p for p in self.partners if p.name == name)

    def limit(self, partner: Partner, name: str) -> int:
        """One of the partner's admission limits: its own setting, else the [limits] default."""
        return int(partner.limits.get(name, getattr(self.limits, name)))


class _Reader:
    """Reads typed values from the parsed TOML, collecting problems instead of stopping at the first."""

    def __init__(self, file: Path, data: dict[str, Any]) -> None:
        self.file, self.data, self.problems = file, data, list[ConfigProblem]()

    def problem(self, key: str, problem: str, fix: str) -> None:
        self.problems.append(ConfigProblem(str(self.file), key, problem, fix))

    def get(self, table: dict[str, Any], where: str, key: str, kind: type, default: Any = ..., *,
            check: Callable[[Any], bool] = lambda _: True, fix: str = "") -> Any:
        full = f"{where}.{key}" if where else key
        if key not in table:
            if default is ...:
                self.problem(full, "is missing", fix or f"add {key} = ...")
            return None if default is ... else default
        value = table[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int) or not check(value):
            self.problem(full, f"has an invalid value ({type(value).__name__})", fix or f"give a valid {kind.__name__}")
            return None
        return value

    def path(self, value: str | None) -> Path | None:
        return None if value is None else (self.file.parent / value).resolve()


def _partner(r: _Reader, i: int, table: dict[str, Any]) -> Partner | None:
    where = f"partners[{i}]"
    name = r.get(table, where, "name", str, check=bool)
    role = r.get(table, where, "role", str, check=lambda v: v in ROLES, fix="use platform, bank or ops")
    audience = r.get(table, where, "audience", str, check=lambda v: v in AUDIENCES, fix="use BANK, PLATFORM or LOG")
    spiffe = r.get(table, where, "spiffe_id", str, check=lambda v: v.startswith("spiffe://"),
                   fix="use the partner certificate's URI SAN, spiffe://<trust-domain>/<role>/<name>")
    keys = r.get(table, where, "signing_keys", dict, check=bool,
                 fix="add [partners.signing_keys] with \"<key id>\" = \"<public key PEM path>\"")
    upstream = r.get(table, where, "upstream", str, None)
    own = {k: r.get(table, where, k, int, None, check=lambda v: v > 0) for k in PARTNER_LIMITS}
    if None in (name, role, audience, spiffe, keys):
        return None
    paths = {k: r.path(v) or Path() for k, v in keys.items()}
    return Partner(name, ROLES[role], AUDIENCES[audience], spiffe, paths, upstream,
                   {k: v for k, v in own.items() if v is not None})


def _files(r: _Reader, config: GatewayConfig) -> None:
    for key, path in (("gateway.pki_dir", config.pki_dir), ("gateway.keys_dir", config.keys_dir)):
        if not path.is_dir():
            r.problem(key, f"directory {path} does not exist", "run coloan-gw certs init / keys init, or fix the path")
    if config.audit is not None and not config.audit.search_key.is_file():
        r.problem("audit.search_key", f"file {config.audit.search_key} does not exist",
                  f"run coloan-gw audit init-key {config.audit.search_key}")
    if not config.signing_key.is_file():
        r.problem("gateway.signing_key", f"file {config.signing_key} does not exist", "point it at a PEM private key")
    for i, p in enumerate(config.partners):
        for key_id, path in p.signing_keys.items():
            if not path.is_file():
                r.problem(f"partners[{i}].signing_keys.{key_id}", f"file {path} does not exist",
                          "point it at the partner's PEM public key")


def _unique(r: _Reader, partners: list[Partner]) -> None:
    for attr in ("name", "spiffe_id"):
        values = [getattr(p, attr) for p in partners]
        for dup in sorted({v for v in values if values.count(v) > 1}):
            r.problem("partners", f"{attr} {dup!r} is registered twice", f"give every partner its own {attr}")


def _audit(r: _Reader) -> AuditConfig:
    table = r.get(r.data, "", "audit", dict, {})
    numbers = {k: r.get(table, "audit", k, int, v, check=lambda x: x > 0)
               for k, v in (("deadline_ms", 500), ("checkpoint_every", 256), ("checkpoint_seconds", 5))}
    for key in sorted(set(table) - {"dir", "search_key", *numbers}):
        r.problem(f"audit.{key}", "is not a known setting", "use dir, search_key, deadline_ms, checkpoint_every "
                                                            "or checkpoint_seconds")
    return AuditConfig(dir=r.path(r.get(table, "audit", "dir", str, "audit")) or Path(),
                       search_key=r.path(r.get(table, "audit", "search_key", str, "audit-search.key")) or Path(),
                       **{k: v for k, v in numbers.items() if v is not None})


def _section(r: _Reader, name: str, cls: type[Any]) -> Any:
    """A table of non-negative integers with defaults, e.g. [deadlines] or [limits]."""
    table = r.get(r.data, "", name, dict, {})
    values = {k: r.get(table, name, k, int, v, check=lambda x: x >= 0) for k, v in vars(cls()).items()}
    for key in sorted(set(table) - set(values)):
        r.problem(f"{name}.{key}", "is not a known setting", f"use one of {', '.join(sorted(values))}")
    return cls(**{k: v for k, v in values.items() if v is not None})


def _build(r: _Reader) -> GatewayConfig | None:
    gw = r.get(r.data, "", "gateway", dict, fix="add a [gateway] table") or {}
    sections = {name: _section(r, name, cls) for name, cls in (("deadlines", Deadlines), ("retries", Retries),
                                                                 ("limits", Limits))}
    raw_partners = r.get(r.data, "", "partners", list, check=bool, fix="add [[partners]] entries") or []
    partners = [p for i, t in enumerate(raw_partners) if (p := _partner(r, i, t if isinstance(t, dict) else {}))]
    _unique(r, partners)
    config = GatewayConfig(
        source=r.file, name=r.get(gw, "gateway", "name", str, "gateway"),
        listen=r.get(gw, "gateway", "listen", str, "127.0.0.1:7443"),
        pki_dir=r.path(r.get(gw, "gateway", "pki_dir", str)) or Path(),
        keys_dir=r.path(r.get(gw, "gateway", "keys_dir", str)) or Path(),
        signing_key=r.path(r.get(gw, "gateway", "signing_key", str)) or Path(),
        signing_key_id=r.get(gw, "gateway", "signing_key_id", str) or "",
        access_log=r.path(log) if (log := r.get(gw, "gateway", "access_log", str, "-")) != "-" else None,
        state=r.get(gw, "gateway", "state", str, "sqlite:///state.db",
                    check=lambda v: v.partition(":")[0] in ("sqlite", "redis", "rediss", "unix", "memory"),
                    fix="use sqlite:///state.db, redis://127.0.0.1:6379/0 or memory:"),
        clock_window_s=r.get(gw, "gateway", "clock_window_s", int, 60, check=lambda v: 1 <= v <= 600),
        max_message_bytes=r.get(gw, "gateway", "max_message_bytes", int, 4 << 20, check=lambda v: v > 0),
        apr_cap_bps=r.get(r.data.get("validation", {}), "validation", "apr_cap_bps", int, 2_400,
                          check=lambda v: 0 < v <= 10_000),
        deadlines=sections["deadlines"], retries=sections["retries"], limits=sections["limits"],
        audit=_audit(r),
        partners=tuple(partners),
    )
    if not r.problems:
        _files(r, config)
    return config


def check(path: Path) -> list[ConfigProblem]:
    """Every problem of the config file at ``path`` (empty when it is usable)."""
    return _load(path)[1]


def load(path: Path) -> GatewayConfig:
    config, problems = _load(path)
    if problems or config is None:
        raise ConfigError(problems)
    return config


def _load(path: Path) -> tuple[GatewayConfig | None, list[ConfigProblem]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return None, [ConfigProblem(str(path), "-", exc.strerror or "cannot be read", "check the path and permissions")]
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return None, [ConfigProblem(str(path), "-", f"is not valid TOML ({exc})", "fix the syntax")]
    reader = _Reader(path.resolve(), data)
    config = _build(reader)
    return config, reader.problems
