"""Each package's public surface is exactly what its ``__all__`` says, and importable."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("name", ["gateway", "masking", "certs", "gateway.validation", "gateway.fake",
                                  "gateway.signing", "gateway.sdk", "gateway.state", "gateway.audit",
                                  "gateway.stages", "gateway.mock", "gateway.demo", "gateway.bench"])
def test_all_names_are_importable(name: str) -> None:
    module = importlib.import_module(name)
    assert len(set(module.__all__)) == len(module.__all__)
    for attr in module.__all__:
        assert getattr(module, attr) is not None, f"{name}.{attr}"


@pytest.mark.parametrize("name", ["masking", "certs"])
def test_standalone_packages_do_not_import_grpc_or_gateway(name: str) -> None:
    import subprocess
    import sys

    code = f"import sys, {name}; bad = [m for m in sys.modules if m.split('.')[0] in ('grpc', 'gateway')]; print(bad)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_readme_test_command_is_what_ci_runs() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    readme, ci = (root / "README.md").read_text(), (root / ".ci" / "run").read_text()
    command = next(line for line in ci.splitlines() if line.endswith("pytest"))
    assert command in readme
