"""The bench deployment on loopback: a fresh workspace, the bank process and three gateway processes.

The pass-through gateway, the full gateway and the full gateway with its audit log
off share one workspace and one bank process. Each gateway process has its own
config file (``<name>.toml``), writes its own access log (a real cost of the gateway)
and has its own audit directory (``audit/<name>``: a second writer on one directory
is refused by the log's lock); all run with admission limits raised far above what
the bench sends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from gateway._workspace import Workspace, create, write_config
from gateway.bench._errors import BenchError
from gateway.bench._model import GATEWAY_MODES
from gateway.bench._procs import Child, spawn, stop

LIMITS = {"rate_per_s": 1_000_000, "burst": 1_000_000, "max_in_flight": 4_096, "breaker_failures": 1_000,
          "breaker_reset_s": 1}
_UNUSED = "127.0.0.1:1"  # the platform's upstream: the bench never calls the platform
SWITCHES = {"passthrough": ["--passthrough"], "full-noaudit": ["--no-audit"]}  # gateway.bench._gateway flags


def gateway_config(ws: Workspace, name: str, bank: str, state: str | None = None) -> Path:
    """``<name>.toml``: the workspace's gateway config with its own access log and audit directory, the state
    store and the bench's limits (``name`` is the process's: its mode, ``-profiled`` for the profile's)."""
    text = write_config(ws, listen="127.0.0.1:0", upstreams={"bank": bank, "platform": _UNUSED}).read_text()
    if state is not None:
        text = text.replace("[gateway]\n", f'[gateway]\nstate = "{state}"\n', 1)
    log = 'access_log = "logs/access.jsonl"'
    if log not in text:
        raise BenchError(f"{ws.config}: no {log} line to give the {name} gateway its own access log")
    if "\n[audit]" in text:
        raise BenchError(f"{ws.config}: has an [audit] table; the bench sets each gateway's own audit directory")
    text = text.replace(log, f'access_log = "logs/{name}-access.jsonl"')
    table = "\n".join(f"{k} = {v}" for k, v in LIMITS.items())
    audit = f'dir = "audit/{name}"\nsearch_key = "{ws.audit_search_key.name}"'
    path = ws.root / f"{name}.toml"
    path.write_text(f"{text}\n[limits]\n{table}\n\n[audit]\n{audit}\n")
    return path


@dataclass(frozen=True)
class Stack:
    """Where each mode's client connects, and which processes serve it."""

    ws: Workspace
    bank: Child
    gateways: dict[str, Child]
    state: str | None = None

    def target(self, mode: str) -> str:
        if mode == "direct":
            return f"127.0.0.1:{self.bank.ports[0]}"
        return f"127.0.0.1:{self.gateways[mode].ports[0]}"

    def servers(self, mode: str) -> dict[str, Child]:
        """The server processes a call of ``mode`` runs through, by role."""
        return {"bank": self.bank} if mode == "direct" else {"gateway": self.gateways[mode], "bank": self.bank}

    @property
    def gated_bank(self) -> str:
        return gated_address(self.bank)


def gated_address(bank: Child) -> str:
    """The bank's gateway-only (countersignature-checking) address."""
    return f"127.0.0.1:{bank.ports[1]}"


def start_gateway(ws: Workspace, mode: str, bank: str, *, state: str | None = None,
                  profile: Path | None = None) -> Child:
    """A gateway process for ``mode`` (``passthrough``, ``full`` or ``full-noaudit``) in front of ``bank``."""
    name = mode + ("-profiled" if profile else "")
    args = [str(gateway_config(ws, name, bank, state)), *SWITCHES.get(mode, [])]
    args += ["--profile", str(profile)] if profile else []
    process = f"{mode}-gateway" + ("-profiled" if profile else "")
    return spawn(process, "gateway.bench._gateway", args, ws.root / "logs" / f"{process}.log")


@contextmanager
def deployed(root: Path, state: str | None = None) -> Iterator[Stack]:
    """Create the workspace under ``root``, start every process, and stop them all on the way out."""
    ws = create(root)
    with ExitStack() as stack:
        bank = spawn("bank", "gateway.bench._bank", [str(ws.root)], ws.root / "logs" / "bank.log")
        stack.callback(stop, bank)
        upstream = {"passthrough": f"127.0.0.1:{bank.ports[0]}"}
        gateways: dict[str, Child] = {}
        for mode in GATEWAY_MODES:
            gateways[mode] = start_gateway(ws, mode, upstream.get(mode, gated_address(bank)), state=state)
            stack.callback(stop, gateways[mode])
        yield Stack(ws, bank, gateways, state)
