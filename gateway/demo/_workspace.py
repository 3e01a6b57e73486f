"""The demo's workspace: made fresh on every run, marked as the demo's own, tidied up afterwards.

A directory is only ever deleted if it carries the demo's marker file, so pointing
``--dir`` at something else fails with one line instead of erasing it.
"""

from __future__ import annotations

import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

from gateway._workspace import Workspace, create
from gateway._workspace import write_config as write_gateway_config
from gateway.errors import StartupError
from gateway.mock import write_config as write_mock_config

MARKER = ".coloan-demo"
KEPT = frozenset({"logs", "audit", MARKER})


def free_address() -> str:
    """A loopback address whose port was free a moment ago (bound to port 0, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


@dataclass(frozen=True)
class Deployment:
    """Where everything of one demo run is: the workspace, each process's config and address."""

    ws: Workspace
    gateway: str
    bank: str
    platform: str
    bank_config: Path
    platform_config: Path

    @property
    def logs(self) -> Path:
        return self.ws.root / "logs"

    @property
    def events(self) -> Path:
        return self.logs / "platform-events.jsonl"


def _clear(root: Path) -> None:
    if not root.exists() or not any(root.iterdir()):
        return
    if not (root / MARKER).exists():
        raise StartupError(f"{root}: exists and is not a demo workspace; fix: give --dir a new or empty directory")
    shutil.rmtree(root)


def prepare(root: Path, *, apr_cap_bps: int = 2_400) -> Deployment:
    """A fresh workspace under ``root`` (a previous demo's is replaced) and every config, on free ports."""
    _clear(root)
    ws = create(root)
    (ws.root / MARKER).write_text("created by coloan-gw demo; deleted and recreated by its next run\n")
    gateway, bank, platform = free_address(), free_address(), free_address()
    write_gateway_config(ws, listen=gateway, upstreams={"bank": bank, "platform": platform})
    return Deployment(ws, gateway, bank, platform,
                      write_mock_config(ws, "bank", listen=bank, gateway=gateway, apr_cap_bps=apr_cap_bps),
                      write_mock_config(ws, "platform", listen=platform, gateway=gateway, apr_cap_bps=apr_cap_bps))


def tidy(root: Path) -> None:
    """Remove the keys, certificates and configs of a finished run; its logs stay."""
    for path in root.iterdir():
        if path.name in KEPT:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
