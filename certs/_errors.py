"""Errors of the certs package.

    PKIError               every failure of the PKI; its message names the file and what to do
    ├── PKIFileError       a file is missing, corrupt, mismatched or unreadable (names the file and the fix)
    ├── ProfileError       a request is malformed: bad name, role, SAN, lifetime or algorithm
    ├── PKIStateError      refused in the PKI's current state: exists already, unknown name, still depended on
    ├── ChainInvalid       ``verify``: a chain does not validate against the trust bundle and CRL
    └── PeerRejected       per handshake: a peer certificate is refused, with a short machine reason code
"""

from __future__ import annotations

from pathlib import Path


class PKIError(Exception):
    """A PKI operation failed; the message names the file or certificate and the fix."""


class PKIFileError(PKIError):
    """A file of the PKI is missing, corrupt, mismatched or unreadable."""

    def __init__(self, path: Path | str, problem: str, fix: str) -> None:
        self.path = Path(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{path}: {problem}; {fix}")


class ProfileError(PKIError):
    """A certificate request does not fit the profile (name, role, SANs, lifetime, algorithm)."""


class PKIStateError(PKIError):
    """The operation is refused because of the PKI's current state; the message says what to do instead."""


class ChainInvalid(PKIError):
    """A certificate chain does not validate; ``reason`` says why in one line."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class PeerRejected(PKIError):
    """A peer certificate is refused after the handshake; ``reason`` is a short code such as ``revoked``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"peer certificate rejected: {reason}" + (f" ({detail})" if detail else ""))
