"""RFC 6962 hashing against the certificate-transparency known answers, and proofs that fail when corrupted."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.audit import ProofError
from gateway.audit._merkle import (
    EMPTY_ROOT,
    CompactRange,
    LeafHashes,
    consistency_path,
    inclusion_path,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

V: dict[str, Any] = json.loads((Path(__file__).parent / "vectors" / "rfc6962.json").read_text(encoding="utf-8"))
LEAVES = [leaf_hash(bytes.fromhex(h)) for h in V["leaves_hex"]]
ROOTS = [bytes.fromhex(h) for h in V["roots"]]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def _path(case: dict[str, Any]) -> list[bytes]:
    return [bytes.fromhex(h) for h in case["path"]]


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 written as the recursion it states, to check the iterative code against."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


def test_leaf_node_and_empty_hashes_are_the_published_ones() -> None:
    h = V["hashes"]
    assert EMPTY_ROOT.hex() == h["empty_root"] == hashlib.sha256(b"").hexdigest()
    assert leaf_hash(b"").hex() == h["empty_leaf"]
    assert leaf_hash(h["leaf"]["data_ascii"].encode()).hex() == h["leaf"]["hash"]
    assert node_hash(h["node"]["left_ascii"].encode(), h["node"]["right_ascii"].encode()).hex() == h["node"]["hash"]


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    left, right = leaf_hash(b"Hello"), leaf_hash(b"World")
    assert node_hash(left, right) != leaf_hash(left + right)
    assert node_hash(left, right) != node_hash(right, left)


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_of_the_reference_leaves(size: int) -> None:
    assert root_of(LEAVES[:size]).hex() == V["roots"][size - 1]
    assert root_of(LeafHashes(LEAVES), 0, size) == ROOTS[size - 1]


@pytest.mark.parametrize("case", V["inclusion"], ids=lambda c: f"{c['index']}-of-{c['size']}")
def test_inclusion_paths_are_the_reference_paths_and_verify(case: dict[str, Any]) -> None:
    index, size = case["index"], case["size"]
    assert inclusion_path(LEAVES, index, size) == _path(case)
    verify_inclusion(index, size, LEAVES[index], _path(case), ROOTS[size - 1])


def _inclusion_corruptions(index: int, size: int, path: list[bytes], leaf: bytes, root: bytes) -> list[Any]:
    out: list[Any] = [
        (index + 1, size, leaf, path, root), (index ^ 2, size, leaf, path, root),
        (index, size * 2, leaf, path, root), (index, size // 2, leaf, path, root),
        (index, size, leaf_hash(b"WrongLeaf"), path, root), (index, size, leaf, path, EMPTY_ROOT),
        (index, size, leaf, path, SOME_HASH), (index, size, leaf, [*path, root], root),
        (index, size, leaf, [root, *path], root), (index, size, leaf, [*path, b""], root),
    ]
    if index:
        out.append((index - 1, size, leaf, path, root))
    for i in range(len(path)):
        flipped = list(path)
        flipped[i] = bytes([path[i][0] ^ 8]) + path[i][1:]
        out.append((index, size, leaf, flipped, root))
    if path:
        out.append((index, size, leaf, path[:-1], root))
    if len(path) > 1:
        out.append((index, size, leaf, [path[0], SOME_HASH, *path[1:]], root))
    return out


@pytest.mark.parametrize("case", V["inclusion"][1:], ids=lambda c: f"{c['index']}-of-{c['size']}")
def test_every_corruption_of_a_reference_inclusion_proof_fails(case: dict[str, Any]) -> None:
    index, size = case["index"], case["size"]
    probes = _inclusion_corruptions(index, size, _path(case), LEAVES[index], ROOTS[size - 1])
    for probe in probes:
        with pytest.raises(ProofError):
            verify_inclusion(*probe)


@pytest.mark.parametrize("case", V["consistency"], ids=lambda c: f"{c['size1']}-to-{c['size2']}")
def test_consistency_paths_are_the_reference_paths_and_verify(case: dict[str, Any]) -> None:
    size1, size2 = case["size1"], case["size2"]
    assert consistency_path(LEAVES, size1, size2) == _path(case)
    verify_consistency(size1, size2, ROOTS[size1 - 1], ROOTS[size2 - 1], _path(case))


@pytest.mark.parametrize("case", V["consistency"][1:], ids=lambda c: f"{c['size1']}-to-{c['size2']}")
def test_every_corruption_of_a_reference_consistency_proof_fails(case: dict[str, Any]) -> None:
    m, n, path = case["size1"], case["size2"], _path(case)
    r1, r2 = ROOTS[m - 1], ROOTS[n - 1]
    probes = [(m - 1, n, r1, r2, path), (m + 1, n, r1, r2, path), (m ^ 2, n, r1, r2, path),
              (m, n * 2, r1, r2, path), (m, n // 2, r1, r2, path), (m, n, SOME_HASH, r2, path),
              (m, n, r1, SOME_HASH, path), (m, n, r2, r1, path), (m, n, r1, r2, []),
              (m, n, r1, r2, [*path, r1]), (m, n, r1, r2, [r2, *path]), (m, n, r1, r2, path[:-1])]
    for i in range(len(path)):
        probes.append((m, n, r1, r2, [*path[:i], bytes([path[i][0] ^ 16]) + path[i][1:], *path[i + 1:]]))
    for probe in probes:
        with pytest.raises(ProofError):
            verify_consistency(*probe)


def test_consistency_with_the_empty_tree_needs_an_empty_proof() -> None:
    verify_consistency(0, 5, EMPTY_ROOT, ROOTS[4], [])
    with pytest.raises(ProofError):
        verify_consistency(0, 5, EMPTY_ROOT, ROOTS[4], [EMPTY_ROOT])
    with pytest.raises(ProofError):
        verify_consistency(3, 3, ROOTS[2], ROOTS[3], [])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=0, max_size=40))
def test_compact_range_root_is_the_recursive_definition(data: list[bytes]) -> None:
    leaves = [leaf_hash(d) for d in data]
    tree = CompactRange()
    for leaf in leaves:
        tree.append(leaf)
    assert tree.root() == _mth(leaves) == root_of(LeafHashes(leaves))


@pytest.mark.parametrize("size", range(1, 18))
def test_every_inclusion_and_consistency_proof_of_small_trees_verifies(size: int) -> None:
    leaves = [leaf_hash(str(i).encode()) for i in range(size)]
    root = _mth(leaves)
    for index in range(size):
        verify_inclusion(index, size, leaves[index], inclusion_path(leaves, index, size), root)
    for size1 in range(1, size + 1):
        verify_consistency(size1, size, _mth(leaves[:size1]), root, consistency_path(leaves, size1, size))


def test_packed_leaf_hashes_behave_as_a_sequence() -> None:
    packed = LeafHashes(LEAVES)
    assert len(packed) == 8 and packed[-1] == LEAVES[-1] and list(packed[2:4]) == LEAVES[2:4]
    snapshot = packed.snapshot(3)
    packed.append(SOME_HASH)
    assert len(snapshot) == 3 and len(packed) == 9
    with pytest.raises(IndexError):
        packed[9]
