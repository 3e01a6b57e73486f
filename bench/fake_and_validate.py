"""Cost of generating Faker borrower records and of validating them, side by side in one run.

Usage: python bench/fake_and_validate.py [--n 100000] [--quick] [--tracemalloc]

Generation: ``coloan-gw fake applications -o FILE`` (generate -> jsonl writer -> a
file, streamed) against a baseline that builds the whole list of records first and
then writes it; each variant runs in its own subprocess, so its peak RSS is its own.
tracemalloc (opt-in, ~4x slower) sees only Python objects, not the upb arenas that
hold the messages: peak RSS growth is the figure to read.

Validation: ``Validator().validate()`` against protovalidate with the same checks
written as ``buf.validate`` rules on the same message shape (bench/protos, compiled
at run time against the validate.proto the installed protovalidate carries), on the
first records of the streamed file copied field by field; and against the standard
rules alone, to show what the CEL rules cost. Then records that each break one named
rule show which checks each engine catches.

protovalidate is optional (``pip install 'protovalidate>=2.1,<3'``, never a project
dependency); without it that part is skipped with a one-line note. 1.x runs CEL in
pure Python, has no ``substring`` and needs a ``buf.validate`` module PyPI does not
ship. What the rules cannot say as the compact module does: the limits (terms, score
and age ranges, bank partner) are fixed in the schema, not read from
``ValidationPolicy``; cross-field checks (resident ID against birth date and gender,
age) are message-level CEL, so they point at the message, not at ``resident_id``; the
age rule checks the date's shape, not that it is a real date. Timings are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.metadata as metadata
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from google.protobuf import (
    descriptor_pb2,
    descriptor_pool,
    duration_pb2,
    field_mask_pb2,
    json_format,
    message_factory,
    timestamp_pb2,
)
from google.protobuf.internal import api_implementation
from google.protobuf.message import Message

from coloan.v1 import credit_pb2
from gateway._files import atomic_output
from gateway.cli._fake import fake as fake_command
from gateway.fake import FORMATS, MUTATIONS, CoLendingFaker, generate, today_utc
from gateway.validation import Validator

KIND = "applications"
PROTOS = Path(__file__).resolve().parent / "protos"
# Message type -> what its rules cover; both files are compiled at run time from PROTOS.
BENCH_MESSAGES = {
    "coloanbench.v1.LoanApplication": "all checks",
    "coloanbench.standard.v1.LoanApplication": "standard rules only, no CEL",
}
BENCH_PROTOS = ("coloanbench/v1/application.proto", "coloanbench/v1/application_standard.proto")
VARIANTS = {"stream": "streaming: coloan-gw fake -o FILE", "list": "baseline: whole list, then write"}
REPEATS = 5
PROBE = 50  # messages timed first, to size the passes of a slow engine
BUDGET_S = 20.0  # per validator; of 10,000 messages only an engine slower than 400 µs/msg gets fewer
MB = 1024 * 1024


# --- generation, one subprocess per variant -------------------------------------------------


@dataclass(frozen=True)
class Generation:
    """One variant's run: how many records, how long, how much memory it grew by, what it wrote."""

    variant: str
    records: int
    seconds: float
    cpu_seconds: float
    rss_mb: float
    traced_mb: float | None
    file_mb: float
    sha256: str

    @property
    def rate(self) -> float:
        return self.records / self.seconds

    @property
    def cpu_rate(self) -> float:
        return self.records / self.cpu_seconds


def _stream(n: int, seed: int, as_of: str, path: Path) -> None:
    """The command testers run, in-process: records are written as they are made."""
    fake_command.main([KIND, "-n", str(n), "--seed", str(seed), "--as-of", as_of, "-o", str(path)],
                      standalone_mode=False)


def _whole_list(n: int, seed: int, as_of: str, path: Path) -> None:
    """The same records and sink, but every record is built and kept before the first is written."""
    fake = CoLendingFaker(seed, as_of=_as_of_datetime(as_of))
    records = list(generate(KIND, n, fake))
    write = FORMATS["jsonl"]
    with atomic_output(path) as out:
        for record in records:
            write(record.message, out)


def _as_of_datetime(as_of: str) -> datetime:
    return datetime.fromisoformat(as_of).replace(tzinfo=UTC)


RUNS: dict[str, Callable[[int, int, str, Path], None]] = {"stream": _stream, "list": _whole_list}


def _child(variant: str, n: int, seed: int, as_of: str, path: Path, trace: bool) -> None:
    """Run one variant after a warm-up and print its measurements as one JSON line."""
    for _ in generate(KIND, 50, CoLendingFaker(seed + 1)):
        pass  # Faker loads providers lazily: pay that before the clock starts, in both variants
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    start, cpu = time.perf_counter(), time.process_time()
    RUNS[variant](n, seed, as_of, path)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    traced = tracemalloc.get_traced_memory()[1] / MB if trace else None
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024  # ru_maxrss is KiB on Linux
    with path.open("rb") as written:
        digest = hashlib.file_digest(written, "sha256").hexdigest()
    print(json.dumps({"variant": variant, "records": n, "seconds": seconds, "cpu_seconds": cpu, "rss_mb": grown,
                      "traced_mb": traced, "file_mb": path.stat().st_size / MB, "sha256": digest}))


def measure_generation(n: int, seed: int, as_of: str, tmp: Path, trace: bool) -> list[Generation]:
    """Each variant in a fresh interpreter, one after the other (never in parallel: the cores are shared)."""
    results = []
    for variant in VARIANTS:
        args = [sys.executable, __file__, "--child", variant, "--n", str(n), "--seed", str(seed),
                "--as-of", as_of, "--out", str(tmp / f"{variant}.jsonl"), *(["--tracemalloc"] if trace else [])]
        done = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            sys.exit(f"bench: the {variant} variant failed:\n{done.stderr}")
        results.append(Generation(**json.loads(done.stdout.splitlines()[-1])))
    return results


# --- validation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throughput:
    """The fastest pass of one validator over ``messages`` messages, and how many violations it found."""

    name: str
    messages: int
    seconds: float
    violations: int

    @property
    def rate(self) -> float:
        return self.messages / self.seconds


def load_applications(path: Path, limit: int) -> list[Message]:
    """The first ``limit`` records of a jsonl file written by the generator, parsed back."""
    with path.open("rb") as lines:
        return [json_format.Parse(line, credit_pb2.LoanApplication()) for _, line in zip(range(limit), lines,
                                                                                       strict=False)]


@dataclass(frozen=True)
class Candidate:
    """A validator to time: its name, its call, and the messages of the shape it checks."""

    name: str
    check: Callable[[Message], Sequence[object]]
    messages: list[Message]


def usable(candidate: Candidate) -> Candidate:
    """Warm ``candidate`` up (the first call compiles its rules) and cut its list if it is too slow for the budget."""
    candidate.check(candidate.messages[0])
    probe = candidate.messages[:PROBE]
    per_message = _timed_pass(candidate.check, probe)[0] / len(probe)
    count = max(len(probe), int(BUDGET_S / REPEATS / per_message))
    return Candidate(candidate.name, candidate.check, candidate.messages[:count])


def compare(candidates: list[Candidate]) -> list[Throughput]:
    """The fastest of ``REPEATS`` passes each, passes interleaved so a burst of load on the host hits them all."""
    best = {c.name: (float("inf"), 0) for c in candidates}
    for _ in range(REPEATS):
        for c in candidates:
            best[c.name] = min(best[c.name], _timed_pass(c.check, c.messages))
    return [Throughput(c.name, len(c.messages), *best[c.name]) for c in candidates]


def _timed_pass(check: Callable[[Message], Sequence[object]], messages: list[Message]) -> tuple[float, int]:
    start = time.perf_counter()
    found = sum(len(check(m)) for m in messages)
    return time.perf_counter() - start, found


def copy_fields(src: Message, dst: Message) -> Message:
    """Copy ``src`` into a message of another type with the same field names (enums become ints)."""
    for fd, value in src.ListFields():
        if fd.message_type is not None and fd.message_type.full_name.startswith("coloan.") and not fd.is_repeated:
            copy_fields(value, getattr(dst, fd.name))
        elif fd.is_repeated:
            getattr(dst, fd.name).extend(value)
        elif fd.message_type is not None:
            getattr(dst, fd.name).CopyFrom(value)
        else:
            setattr(dst, fd.name, value)
    return dst


# --- protovalidate ---------------------------------------------------------------------------


def _validate_proto() -> descriptor_pb2.FileDescriptorProto:
    """buf/validate/validate.proto as the installed protovalidate knows it (2.x embeds it; 1.x imports it)."""
    proto = descriptor_pb2.FileDescriptorProto()
    try:
        from buf.validate import validate_pb2  # type: ignore[import-not-found]

        proto.MergeFromString(validate_pb2.DESCRIPTOR.serialized_pb)
    except ImportError:
        from protovalidate._gen.buf.validate import validate_pb  # type: ignore[import-not-found, unused-ignore]

        proto.MergeFromString(validate_pb._DESC.proto.to_binary())
    return proto


def compile_bench_messages() -> dict[str, type[Message]]:
    """Compile bench/protos with protoc against the installed validate.proto; load them into the default pool."""
    from grpc_tools import protoc

    validate = _validate_proto()
    deps = descriptor_pb2.FileDescriptorSet()
    for module in (descriptor_pb2, duration_pb2, field_mask_pb2, timestamp_pb2):
        deps.file.add().MergeFromString(module.DESCRIPTOR.serialized_pb)
    deps.file.append(validate)
    with tempfile.TemporaryDirectory() as tmp:
        dep_set, out = Path(tmp, "deps.pb"), Path(tmp, "bench.pb")
        dep_set.write_bytes(deps.SerializeToString())
        if protoc.main(["protoc", f"-I{PROTOS}", f"--descriptor_set_in={dep_set}",
                        f"--descriptor_set_out={out}", *BENCH_PROTOS]) != 0:
            sys.exit(f"bench: protoc could not compile {', '.join(BENCH_PROTOS)} under {PROTOS} (see above)")
        compiled = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName(validate.name)
    except KeyError:
        pool.Add(validate)
    for file in compiled.file:
        pool.Add(file)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(name)) for name in BENCH_MESSAGES}


def protovalidate_runtime(module: Any) -> str:
    """Which engine and CEL implementation the installed protovalidate runs on."""
    requires = ", ".join(sorted({r.split(";")[0].strip() for r in metadata.requires("protovalidate") or []}))
    try:
        native = importlib.import_module("protovalidate._protovalidate")
    except ImportError:
        cel = f"cel-python {metadata.version('cel-python')}" if _has("celpy") else "unknown"
        return f"pure Python, CEL: {cel}; requires {requires}"
    blob = Path(native.__file__ or "").read_bytes()
    cel = next((name for name in ("cel-cpp", "cel-go", "cel-rust") if f"third_party/{name}/".encode() in blob),
               "unknown")
    regex = "RE2" if b"third_party/re2/" in blob else "unknown"
    return (f"native extension {Path(native.__file__ or '').name} ({len(blob) / MB:.1f} MB), CEL: {cel}, "
            f"regex: {regex}; validates google.protobuf messages in place; requires {requires}")


def _has(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def _path(violation: Any) -> str:
    return ".".join(e.field_name for e in violation.proto.field.elements)


# --- records broken on purpose ---------------------------------------------------------------


@dataclass(frozen=True)
class Caught:
    """How many records breaking ``rule`` each engine reported (by rule id, or by the broken field's path)."""

    rule: str
    field: str
    records: int = 0
    compact: int = 0
    protovalidate: int = 0
    errors: int = 0


def agreement(count: int, seed: int, check: Callable[[Message], list[Any]] | None,
              bench_type: type[Message] | None) -> list[Caught]:
    """Break one rule per record and count, per rule, which engine reported it (or failed to evaluate it)."""
    compact, table = Validator(), {(m.rule, m.field): Caught(m.rule, m.field) for m in MUTATIONS[KIND]}
    for record in generate(KIND, count, CoLendingFaker(seed, as_of=today_utc()), invalid_ratio=1.0):
        broken = record.broken
        assert broken is not None
        row = table[(broken.rule, broken.field)]
        hit_compact = any(v.rule == broken.rule and v.field == broken.field for v in compact.validate(record.message))
        hit_pv, error = False, False
        if check is not None and bench_type is not None:
            try:
                found = check(copy_fields(record.message, bench_type()))
                hit_pv = any(v.proto.rule_id == broken.rule or _path(v) == broken.field for v in found)
            except Exception:  # counted per rule: which checks the installed engine cannot evaluate
                error = True
        table[(broken.rule, broken.field)] = Caught(row.rule, row.field, row.records + 1, row.compact + hit_compact,
                                                    row.protovalidate + hit_pv, row.errors + error)
    return list(table.values())


# --- rendering -------------------------------------------------------------------------------


def render_generation(rows: list[Generation], trace: bool) -> str:
    head = f"{'variant':<36}{'records/s':>11}{'seconds':>9}{'CPU s':>8}{'peak RSS +MB':>14}"
    head += f"{'traced MB':>11}" if trace else ""
    lines = [head + f"{'file MB':>9}", "-" * (len(head) + 9)]
    for r in rows:
        traced = f"{r.traced_mb:>11.1f}" if trace and r.traced_mb is not None else ""
        lines.append(f"{VARIANTS[r.variant]:<36}{r.rate:>11,.0f}{r.seconds:>9.1f}{r.cpu_seconds:>8.1f}"
                     f"{r.rss_mb:>14.1f}{traced}{r.file_mb:>9.1f}")
    stream, whole = rows
    lines.append(f"streaming / list: {stream.rate / whole.rate:.2f}x records/s, "
                 f"{stream.cpu_rate / whole.cpu_rate:.2f}x records per CPU second")
    lines.append(f"list / streaming: {_times(whole.rss_mb, stream.rss_mb)} peak RSS growth"
                 + (f", {_times(whole.traced_mb, stream.traced_mb)} tracemalloc peak" if trace else ""))
    lines.append(f"outputs byte-identical: {'yes' if stream.sha256 == whole.sha256 else 'NO'}")
    return "\n".join(lines)


def _times(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "-"
    return f"{a:,.1f} MB vs {b:,.1f} MB" + (f" ({a / b:,.0f}x)" if b >= 0.05 else "")


def render_validation(rows: list[Throughput]) -> str:
    head = f"{'validator':<50}{'msgs':>7}{'msgs/s':>11}{'µs/msg':>10}{'violations':>12}"
    lines = [head, "-" * len(head)]
    lines += [f"{r.name:<50}{r.messages:>7,}{r.rate:>11,.0f}{r.seconds / r.messages * 1e6:>10,.1f}{r.violations:>12}"
              for r in rows]
    lines += [f"{r.name} / compact: {_speed(r.rate / rows[0].rate)} msgs/s" for r in rows[1:]]
    return "\n".join(lines)


def _speed(ratio: float) -> str:
    return f"{ratio:.2f}x" if ratio >= 0.01 else f"{ratio:.5f}x (1/{1 / ratio:,.0f})"


def render_agreement(rows: list[Caught], with_pv: bool) -> str:
    head = f"{'rule broken':<26}{'field':<38}{'records':>8}{'compact':>9}" + (f"{'protovalidate':>15}" if with_pv
                                                                              else "")
    lines = [head, "-" * len(head)]
    for r in rows:
        pv = f"{r.protovalidate:>15}" + (f"  ({r.errors} not evaluable)" if r.errors else "") if with_pv else ""
        lines.append(f"{r.rule:<26}{r.field:<38}{r.records:>8}{r.compact:>9}{pv}")
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------------


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="records per generation variant (default 100000)")
    parser.add_argument("--quick", action="store_true", help="CI-size run: 2000 records, 2000 validated")
    parser.add_argument("--validate-n", type=int, default=10_000, help="records validated (default 10000)")
    parser.add_argument("--broken", type=int, default=360, help="records breaking one rule each (default 360)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also report tracemalloc's peak (slows generation about 4x)")
    parser.add_argument("--child", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.n, args.validate_n, args.broken = 2_000, 2_000, 180
    return args


def _header(n: int, as_of: str) -> str:
    return (f"python {platform.python_version()}, protobuf {metadata.version('protobuf')} "
            f"({api_implementation.Type()}), Faker {metadata.version('faker')}, {platform.machine()}\n"
            f"generation: {n:,} {KIND}, jsonl, as of {as_of}, one subprocess per variant, run one after the other")


def _validation(path: Path, limit: int) -> tuple[list[Throughput], Any, type[Message] | None]:
    apps = load_applications(path, limit)
    candidates = [usable(Candidate("compact rules (gateway.validation)", Validator().validate, apps))]
    try:
        import protovalidate
    except ImportError:
        print("protovalidate: not importable (pip install 'protovalidate>=2.1,<3'), skipping its comparison")
        return compare(candidates), None, None
    types = compile_bench_messages()
    validator = protovalidate.Validator()
    version = metadata.version("protovalidate")
    print(f"protovalidate {version}: {protovalidate_runtime(protovalidate)}")
    for name, covers in BENCH_MESSAGES.items():
        copies = [copy_fields(app, types[name]()) for app in apps]
        try:
            candidates.append(usable(Candidate(f"protovalidate {version}, {covers}", validator.collect_violations,
                                               copies)))
        except Exception as exc:  # an engine that cannot evaluate a rule is a finding, not a crash
            print(f"protovalidate {version}, {covers}: cannot run: {_first_line(exc)}")
    print()
    return compare(candidates), protovalidate, types[next(iter(BENCH_MESSAGES))]


def _first_line(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:110]}{'...' if len(text) > 110 else ''}"


def main() -> None:
    args = _arguments()
    if args.child:
        _child(args.child, args.n, args.seed, args.as_of, args.out, args.tracemalloc)
        return
    began, as_of = time.perf_counter(), today_utc().date().isoformat()
    print(_header(args.n, as_of) + "\n")
    with tempfile.TemporaryDirectory(prefix="bench-fake-") as tmp:
        generated = measure_generation(args.n, args.seed, as_of, Path(tmp), args.tracemalloc)
        print(render_generation(generated, args.tracemalloc) + "\n")
        limit = min(args.validate_n, args.n)
        print(f"validation: up to the first {limit:,} streamed records, one thread, best of {REPEATS} passes "
              f"interleaved across validators (copying into the bench message is not timed)")
        rows, pv, bench_type = _validation(Path(tmp) / "stream.jsonl", limit)
    print(render_validation(rows) + "\n")
    print(f"records breaking one rule each: {args.broken} (caught = compact: that rule id at that field; "
          f"protovalidate: that rule id, or any violation at that field)")
    check = pv.Validator().collect_violations if pv is not None and bench_type is not None else None
    print(render_agreement(agreement(args.broken, args.seed, check, bench_type), check is not None))
    print(f"\ntotal {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
