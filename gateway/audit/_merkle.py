"""RFC 6962 / RFC 9162 Merkle tree hashing: leaf and node hashes, roots, inclusion and consistency proofs.

Leaves are ``SHA-256(0x00 || data)``, interior nodes ``SHA-256(0x01 || left || right)``,
and a tree of ``n`` leaves splits at the largest power of two below ``n`` (RFC 6962
§2.1), so roots and proofs interoperate with certificate-transparency tooling.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import overload

from gateway.audit._errors import ProofError

HASH_BYTES = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


class LeafHashes(Sequence[bytes]):
    """Leaf hashes packed 32 bytes apiece (a million records take 32 MB), appended by one writer."""

    __slots__ = ("_data",)

    def __init__(self, hashes: Iterable[bytes] = ()) -> None:
        self._data = bytearray(b"".join(hashes))

    def __len__(self) -> int:
        return len(self._data) // HASH_BYTES

    @overload
    def __getitem__(self, index: int) -> bytes: ...
    @overload
    def __getitem__(self, index: slice) -> LeafHashes: ...
    def __getitem__(self, index: int | slice) -> bytes | LeafHashes:
        if isinstance(index, slice):
            return LeafHashes(self[i] for i in range(*index.indices(len(self))))
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        start = (index % len(self)) * HASH_BYTES
        return bytes(self._data[start:start + HASH_BYTES])

    def append(self, leaf: bytes) -> None:
        self._data += leaf

    def snapshot(self, size: int) -> LeafHashes:
        """A copy of the first ``size`` hashes, which later appends do not change."""
        copy = LeafHashes()
        copy._data = self._data[: size * HASH_BYTES]
        return copy


class CompactRange:
    """The roots of the perfect subtrees of a growing tree: O(log n) to append a leaf or compute the root."""

    __slots__ = ("_stack", "size")

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []
        self.size = 0

    def append(self, leaf: bytes) -> None:
        """Add the next leaf hash, merging equal-sized subtrees as a binary counter carries."""
        size, node = 1, leaf
        while self._stack and self._stack[-1][0] == size:
            left = self._stack.pop()[1]
            size, node = size * 2, node_hash(left, node)
        self._stack.append((size, node))
        self.size += 1

    def root(self) -> bytes:
        """The RFC 6962 root of the leaves appended so far (the hash of the empty string for none)."""
        if not self._stack:
            return EMPTY_ROOT
        node = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            node = node_hash(left, node)
        return node


def root_of(leaves: Sequence[bytes], start: int = 0, end: int | None = None) -> bytes:
    """The root of the leaf hashes ``leaves[start:end]``."""
    tree = CompactRange()
    for i in range(start, len(leaves) if end is None else end):
        tree.append(leaves[i])
    return tree.root()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n`` > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_path(leaves: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """RFC 6962 ``PATH(index, D[0:size])``: the sibling hashes from the leaf up to the root."""
    if not 0 <= index < size <= len(leaves):
        raise ValueError(f"no leaf {index} in a tree of {size}")
    path: list[bytes] = []
    lo, hi, m = 0, size, index
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            path.append(root_of(leaves, lo + k, hi))
            hi = lo + k
        else:
            path.append(root_of(leaves, lo, lo + k))
            lo, m = lo + k, m - k
    return path[::-1]


def consistency_path(leaves: Sequence[bytes], size1: int, size2: int) -> list[bytes]:
    """RFC 6962 ``PROOF(size1, D[0:size2])``: what proves the tree at ``size1`` is a prefix of ``size2``."""
    if not 0 < size1 <= size2 <= len(leaves):
        raise ValueError(f"no consistency proof from {size1} to {size2}")
    path: list[bytes] = []
    lo, hi, m, whole = 0, size2, size1, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            path.append(root_of(leaves, lo + k, hi))
            hi = lo + k
        else:
            path.append(root_of(leaves, lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        path.append(root_of(leaves, lo, hi))
    return path[::-1]


def _check_hashes(*hashes: bytes) -> None:
    if any(len(h) != HASH_BYTES for h in hashes):
        raise ProofError("malformed", "a hash is not 32 bytes")


def _shift_while_even(fn: int, sn: int) -> tuple[int, int]:
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def root_from_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    """The root that ``path`` proves ``leaf`` is at ``index`` under (RFC 9162 §2.1.3.2); raises if it cannot be."""
    _check_hashes(leaf, *path)
    if not 0 <= index < size:
        raise ProofError("bad_index", f"index {index} is not below tree size {size}")
    fn, sn, node = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            raise ProofError("bad_path", "the path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            node = node_hash(sibling, node)
            fn, sn = _shift_while_even(fn, sn)
        else:
            node = node_hash(node, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("bad_path", "the path is shorter than the tree is deep")
    return node


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes) -> None:
    """Return if ``path`` proves ``leaf`` at ``index`` in the tree of ``size`` with ``root``; raise otherwise."""
    _check_hashes(root)
    if root_from_inclusion(index, size, leaf, path) != root:
        raise ProofError("root_mismatch", "the path does not lead to the checkpoint's root")


def verify_consistency(size1: int, size2: int, root1: bytes, root2: bytes, path: Sequence[bytes]) -> None:
    """Return if ``path`` proves the tree ``(size1, root1)`` is a prefix of ``(size2, root2)`` (RFC 9162 §2.1.4.2)."""
    if not 0 <= size1 <= size2:
        raise ProofError("bad_size", f"size {size1} is not within 0..{size2}")
    if size1 == 0 or size1 == size2:
        if path or (size1 == size2 and root1 != root2):
            raise ProofError("root_mismatch", "equal or empty trees need an empty proof and equal roots")
        return
    _check_hashes(root1, root2, *path)
    if not path:
        raise ProofError("bad_path", "the proof is empty")
    seeds = [root1, *path] if size1 & (size1 - 1) == 0 else list(path)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    first = second = seeds[0]
    for node in seeds[1:]:
        if sn == 0:
            raise ProofError("bad_path", "the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            first, second = node_hash(node, first), node_hash(node, second)
            fn, sn = _shift_while_even(fn, sn)
        else:
            second = node_hash(second, node)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or first != root1 or second != root2:
        raise ProofError("root_mismatch", "the proof does not connect the two roots")
