"""A real workspace (PKI, masking keys, signing keys) shared by the gateway tests of a session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import Deployment

from gateway._workspace import Workspace, create, write_config


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = create(tmp_path_factory.mktemp("gw") / "ws")
    write_config(ws, listen="127.0.0.1:0", upstreams={"bank": "127.0.0.1:1", "platform": "127.0.0.1:2"})
    return ws


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Workspace:
    """A fresh workspace for one test module."""
    return create(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]) / "ws")


@pytest.fixture(scope="module")
def dep(ws: Workspace) -> Iterator[Deployment]:
    """Test bank, test platform and gateway on loopback for one test module."""
    deployment = Deployment(ws).start()
    yield deployment
    deployment.stop()


@pytest.fixture
def config_text(workspace: Workspace) -> str:
    return workspace.config.read_text()


@pytest.fixture
def write(workspace: Workspace, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a config beside the workspace (so its relative paths resolve) and return its path."""

    def put(text: str) -> Path:
        path = workspace.root / f"test-{tmp_path.name}.toml"
        path.write_text(text)
        return path

    return put
