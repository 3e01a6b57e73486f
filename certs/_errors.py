"""Errors of the certs package.

    PKIError               every failure of the PKI; its message names the file and what to do
"""

from __future__ import annotations


class PKIError(Exception):
    """A PKI operation failed; the message names the file or certificate and the fix."""
