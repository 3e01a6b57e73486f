"""Cost of the signing protocol per operation, Ed25519 beside ECDSA P-256, in one run.

Usage: python bench/bench_signing.py [--rounds N]

Prints µs per operation (best of several repeats, which filters out noise from
other work on the host) and the P-256 / Ed25519 ratio. The full paths include
SHA-256 of a ~2 KB body, metadata parsing and the in-memory nonce store.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cryptography
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from gateway.signing import (
    Algorithm,
    ManualClock,
    PublicKeySet,
    RequestVerifier,
    SigningKey,
    countersign,
    sign_request,
)

NOW_MS = 1_780_000_000_000
METHOD = "/coloan.v1.CreditService/AssessCredit"
BODY = bytes(range(256)) * 8  # 2048 bytes, about a serialized LoanApplication
ALGORITHMS: tuple[Algorithm, ...] = ("ed25519", "ecdsa-p256")
REPEATS = 5


@dataclass(frozen=True)
class Row:
    """One operation's cost per algorithm, in µs per operation."""

    operation: str
    micros: dict[str, float]


def _per_op(runs: dict[str, Callable[[int], None]], rounds: int) -> dict[str, float]:
    """Best-of-``REPEATS`` µs per operation for each run, interleaved so both algorithms see the same host load."""
    best = {name: float("inf") for name in runs}
    for _ in range(REPEATS):
        for name, run in runs.items():
            best[name] = min(best[name], _timed(run, rounds) / rounds / 1_000)
    return best


def _timed(run: Callable[[int], None], rounds: int) -> int:
    start = time.perf_counter_ns()
    run(rounds)
    return time.perf_counter_ns() - start


def _loop(op: Callable[[], object]) -> Callable[[int], None]:
    def run(rounds: int) -> None:
        for _ in range(rounds):
            op()

    return run


def _verify_path(key: SigningKey, rounds: int) -> Callable[[int], None]:
    """Verify ``rounds`` distinct pre-signed requests with a fresh verifier and nonce store each repeat."""
    signed = [sign_request(key, METHOD, BODY, now_ms=NOW_MS) for _ in range(rounds)]
    keys = PublicKeySet.of(key)

    def run(_: int) -> None:
        verifier = RequestVerifier("platform", keys, clock=ManualClock(NOW_MS))
        for headers in signed:
            verifier.verify(METHOD, BODY, headers)

    return run


def _operations(alg: Algorithm, rounds: int) -> Iterator[tuple[str, Callable[[int], None]]]:
    key = SigningKey.generate("platform/20260601-1", alg)
    gateway = SigningKey.generate("gateway/20260601-1", alg)
    public = key.public_key()
    data = b"x" * 200  # about the size of a signature input
    sig = key.sign(data)
    verified = RequestVerifier("platform", PublicKeySet.of(key), clock=ManualClock(NOW_MS)).verify(
        METHOD, BODY, sign_request(key, METHOD, BODY, now_ms=NOW_MS)
    )
    yield "sign (raw, 200 B)", _loop(lambda: key.sign(data))
    yield "verify (raw, 200 B)", _loop(lambda: public.verify(sig, data))
    yield "sign_request (2 KB body)", _loop(lambda: sign_request(key, METHOD, BODY, now_ms=NOW_MS))
    yield "RequestVerifier.verify (2 KB, nonce store)", _verify_path(key, rounds)
    yield "countersign (2 KB forwarded)", _loop(lambda: countersign(gateway, BODY, verified, now_ms=NOW_MS))


def _random_k_ecdsa() -> Callable[[int], None]:
    """P-256 signing with a random nonce (what most libraries do), for comparison with RFC 6979."""
    key = ec.generate_private_key(ec.SECP256R1())
    algorithm = ec.ECDSA(hashes.SHA256())
    return _loop(lambda: key.sign(b"x" * 200, algorithm))


def measure(rounds: int) -> list[Row]:
    """Every operation for every algorithm, measured side by side in this process."""
    by_algorithm = {alg: dict(_operations(alg, rounds)) for alg in ALGORITHMS}
    rows = [
        Row(name, _per_op({alg: ops[name] for alg, ops in by_algorithm.items()}, rounds))
        for name in by_algorithm[ALGORITHMS[0]]
    ]
    rows.append(Row("sign (raw, random-k ECDSA, reference)", _per_op({"ecdsa-p256": _random_k_ecdsa()}, rounds)))
    return rows


def render(rows: list[Row]) -> str:
    head = f"{'operation':<46}{'ed25519 µs':>12}{'p256 µs':>12}{'p256/ed25519':>14}"
    lines = [head, "-" * len(head)]
    for row in rows:
        ed, p256 = row.micros.get("ed25519"), row.micros.get("ecdsa-p256")
        ratio = f"{p256 / ed:.2f}x" if ed and p256 else "-"
        lines.append(f"{row.operation:<46}{_fmt(ed):>12}{_fmt(p256):>12}{ratio:>14}")
    return "\n".join(lines)


def _fmt(micros: float | None) -> str:
    return "-" if micros is None else f"{micros:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2_000, help="operations per repeat (default 2000)")
    rounds = parser.parse_args().rounds
    print(f"python {platform.python_version()}, cryptography {cryptography.__version__}, {platform.machine()}")
    print(f"{rounds} operations x best of {REPEATS} repeats\n")
    print(render(measure(rounds)))


if __name__ == "__main__":
    main()
