"""Regenerate the Python modules beside the .proto sources under proto/.

Usage: python scripts/genproto.py [--check]

With --check nothing is written; the command exits 1 and names every generated
file that differs from what the sources produce now (a stale checkout).
"""

from __future__ import annotations

import filecmp
import sys
import tempfile
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent / "proto"
SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def _sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*.proto"))


def _generate(out: Path) -> None:
    include = str(resources.files("grpc_tools") / "_proto")
    args = [
        "protoc",
        f"-I{ROOT}",
        f"-I{include}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        *_sources(),
    ]
    if protoc.main(args) != 0:
        sys.exit("genproto: protoc failed (see above)")


def _generated(base: Path) -> set[str]:
    return {str(p.relative_to(base)) for p in base.rglob("*") if p.name.endswith(SUFFIXES)}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        _generate(fresh)
        want, have = _generated(fresh), _generated(ROOT)
        stale = sorted(
            name
            for name in want | have
            if name not in want or name not in have or not filecmp.cmp(fresh / name, ROOT / name, shallow=False)
        )
        if check:
            for name in stale:
                print(f"genproto: proto/{name} is stale; run: python scripts/genproto.py")
            return 1 if stale else 0
        for name in sorted(have - want):
            (ROOT / name).unlink()
        for name in sorted(want):
            (ROOT / name).write_bytes((fresh / name).read_bytes())
        print(f"genproto: {len(want)} files under proto/ ({len(stale)} changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
