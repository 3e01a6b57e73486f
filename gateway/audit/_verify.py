"""Offline verification of a log directory: recompute the tree, check every checkpoint, say where it breaks.

The signed checkpoints are the authority: a root that does not match the records
proves tampering. The ``index`` and ``prev`` fields each line carries only locate
the damage (which record was modified, deleted, inserted or moved), since whoever
edits the file could rewrite them too, but could not re-sign the roots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from gateway.audit._checkpoint import Checkpoint
from gateway.audit._errors import ProofError
from gateway.audit._merkle import CompactRange, leaf_hash
from gateway.audit._proof import InclusionProof
from gateway.audit._records import GENESIS, parse
from gateway.audit._segments import CHECKPOINTS, RawLine, raw_lines, segments, split_lines
from gateway.signing import PublicKeySet


@dataclass(frozen=True)
class Finding:
    """One problem (``error``: tampering or loss) or caveat (``warning``), with where it is."""

    severity: Literal["error", "warning"]
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify_log`` found: counts, how far the signed checkpoints vouch, and every finding."""

    records: int
    checkpoints: int
    verified: int
    root: str | None
    findings: tuple[Finding, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


@dataclass(frozen=True)
class _Scanned:
    raw: RawLine
    leaf: bytes
    index: int | None
    prev: str | None


_Located = tuple[int, Finding]  # a finding and the position (line number across segments) it is about


def _scan(directory: Path) -> tuple[list[_Scanned], list[_Located]]:
    lines: list[_Scanned] = []
    findings: list[_Located] = []
    last = max((p for _, p in segments(directory)), default=None)
    for raw in raw_lines(directory):
        if raw.torn:
            findings.append((raw.position, _torn(raw, raw.segment == last)))
            continue
        try:
            parsed = parse(raw.data)
            lines.append(_Scanned(raw, leaf_hash(raw.data), parsed.index, parsed.prev))
        except ValueError:
            lines.append(_Scanned(raw, leaf_hash(raw.data), None, None))
            findings.append((raw.position, Finding("error", raw.where, "not a canonical record line: the record "
                                                                       "was modified")))
    return lines, findings


def _torn(raw: RawLine, last: bool) -> Finding:
    if last:
        return Finding("warning", raw.where, f"torn final line ({len(raw.data)} bytes, no newline): a write "
                                             "interrupted by a crash; the gateway cuts it when it next starts")
    return Finding("error", raw.where, "a line without its newline inside the log: the segment was cut or edited")


def _sequence(lines: Sequence[_Scanned]) -> list[_Located]:
    """Locate inserted, reordered and deleted records: one finding at each line out of sequence."""
    claimed = {s.index for s in lines if s.index is not None}
    findings: list[_Located] = []
    seen: set[int] = set()
    highest = -1
    for position, s in enumerate(lines):
        expected = highest + 1
        index = expected if s.index is None else s.index  # an unreadable line is taken to be in its place
        if index != expected:
            message = _out_of_sequence(index, expected, highest, seen, claimed)
            findings.append((position, Finding("error", s.raw.where, message)))
        seen.add(index)
        highest = max(highest, index)
    return findings


def _out_of_sequence(index: int, expected: int, highest: int, seen: set[int], claimed: set[int]) -> str:
    if index in seen:
        return f"repeats record {index}: a line was inserted"
    if index < expected:
        return f"record {index} comes after record {highest}: records were reordered"
    if not any(i in claimed for i in range(expected, index)):
        return f"{_span(expected, index - 1)} missing before this line: deleted"
    return f"record {index} where record {expected} belongs: records were reordered or a line inserted"


def _span(first: int, last: int) -> str:
    return f"record {first}" if first == last else f"records {first}..{last}"


def _chain(lines: Sequence[_Scanned]) -> list[_Located]:
    """A record whose successor chains to a different hash was modified (found even between checkpoints)."""
    findings: list[_Located] = []
    for position, s in enumerate(lines):
        before = lines[position - 1] if position else None
        if s.index is None or s.prev is None:
            continue
        if before is None:
            expected = GENESIS if s.index == 0 else None
        else:
            expected = before.leaf.hex() if before.index is not None and before.index + 1 == s.index else None
        if expected is None or s.prev == expected:
            continue
        if before is None:
            findings.append((0, Finding("error", s.raw.where, "record 0 does not start the chain: modified")))
        else:
            findings.append((position - 1, Finding("error", before.raw.where, f"record {before.index} was modified: "
                                                   f"record {s.index} chains to a different hash")))
    return findings


def _read_checkpoints(path: Path, keys: PublicKeySet) -> tuple[list[tuple[str, Checkpoint]], list[Finding]]:
    """Every checkpoint of ``path`` whose signature verifies under ``keys``, and a finding for each that does not.

    ``path`` is the log's checkpoints file, a file of checkpoint lines kept elsewhere, or a proof file.
    """
    data = path.read_bytes()
    if data.startswith(b"{"):
        data = f"{_proof_checkpoint(path, data)}\n".encode("ascii")
    lines, rest = split_lines(data)
    good: list[tuple[str, Checkpoint]] = []
    findings: list[Finding] = []
    last = -1
    for number, line in enumerate(lines, 1):
        where = f"{path.name} line {number}"
        try:
            checkpoint = Checkpoint.parse(line.decode("ascii", "replace"))
            checkpoint.verify(keys)
        except ProofError as exc:
            findings.append(Finding("error", where, _refused(exc)))
            continue
        if checkpoint.tree_size < last:
            findings.append(Finding("error", where, f"size {checkpoint.tree_size} after size {last}: checkpoints "
                                                    "were reordered"))
        last = max(last, checkpoint.tree_size)
        good.append((where, checkpoint))
    if rest:
        findings.append(Finding("warning", f"{path.name} line {len(lines) + 1}", "torn final checkpoint (no "
                                "newline): a crash while checkpointing; ignored"))
    return good, findings


def _proof_checkpoint(path: Path, data: bytes) -> str:
    return InclusionProof.from_json(data.decode("utf-8", "replace")).checkpoint


def _refused(exc: ProofError) -> str:
    return {"malformed": "not a well-formed checkpoint line: forged or altered",
            "unknown_key": "signed by a key not among the trusted keys (forged, or pass its public key)",
            "bad_signature": "the signature does not verify: forged or altered checkpoint"}.get(exc.reason, str(exc))


def _roots(leaves: Sequence[bytes], sizes: set[int]) -> dict[int, bytes]:
    tree, roots = CompactRange(), {}
    if 0 in sizes:
        roots[0] = tree.root()
    for leaf in leaves:
        tree.append(leaf)
        if tree.size in sizes:
            roots[tree.size] = tree.root()
    return roots


def _check(checkpoints: list[tuple[str, Checkpoint]], leaves: Sequence[bytes], located: list[Finding],
           in_place: bool) -> tuple[int, str | None, list[Finding]]:
    """Compare each signed root with the records'; returns how far the log is vouched for, the root, findings."""
    n, roots = len(leaves), _roots(leaves, {c.tree_size for _, c in checkpoints})
    within = sorted((wc for wc in checkpoints if wc[1].tree_size <= n), key=lambda wc: wc[1].tree_size)
    bad = [wc for wc in within if roots[wc[1].tree_size] != wc[1].root]
    limit = bad[0][1].tree_size if bad else n + 1
    good = [cp for _, cp in within if cp.tree_size < limit]
    verified = good[-1].tree_size if good else 0
    findings = []
    if bad:
        (where, cp), more = bad[0], f" (and {len(bad) - 1} later checkpoints)" if len(bad) > 1 else ""
        hint = f"first problem at {located[0].where}" if located else (
            f"a record in {verified}..{cp.tree_size - 1} was modified")
        findings.append(Finding("error", where, f"the signed root at size {cp.tree_size} does not match the "
                                                f"records{more}; {hint}"))
    beyond = sorted((wc for wc in checkpoints if wc[1].tree_size > n), key=lambda wc: wc[1].tree_size)
    if beyond:
        where, cp = beyond[-1]
        lost = f"{_span(n, cp.tree_size - 1)} were cut from the tail" if in_place else (
            f"{cp.tree_size - n} records are missing")
        findings.append(Finding("error", where, f"covers {cp.tree_size} records but only {n} are present: {lost}"))
    return verified, good[-1].root.hex() if good else None, findings


def verify_log(directory: Path, keys: PublicKeySet, *, witnesses: Sequence[Path] = ()) -> VerifyReport:
    """Verify the log in ``directory`` against ``keys`` (and checkpoints held elsewhere: ``witnesses``)."""
    lines, located = _scan(directory)
    located = sorted(located + _sequence(lines) + _chain(lines), key=lambda pf: pf[0])
    findings = [f for _, f in located]
    path = directory / CHECKPOINTS
    sources = [path, *witnesses] if path.exists() else list(witnesses)
    if not path.exists():
        findings.append(Finding("error", CHECKPOINTS, f"missing: none of the {len(lines)} records can be verified"))
    checkpoints: list[tuple[str, Checkpoint]] = []
    for source in sources:
        good, problems = _read_checkpoints(source, keys)
        checkpoints += good
        findings += problems
    if path.exists() and not any(w.startswith(f"{CHECKPOINTS} ") for w, _ in checkpoints):
        findings.append(Finding("error", CHECKPOINTS, "no checkpoint verifies: none of the records can be verified"))
    leaves = [s.leaf for s in lines]
    in_place = all(s.index == position for position, s in enumerate(lines))
    errors = [f for _, f in located if f.severity == "error"]
    verified, root, problems = _check(checkpoints, leaves, errors, in_place)
    findings += problems
    if len(leaves) > verified and all(f.severity == "warning" for f in findings):
        findings.append(Finding("warning", "records", f"unverified: {len(leaves) - verified} records after the "
                                                      f"last checkpoint (size {verified})"))
    return VerifyReport(len(leaves), len(checkpoints), verified, root, tuple(findings))
