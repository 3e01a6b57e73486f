"""The user errors the command line turns into one line and a non-zero exit."""

from __future__ import annotations

from certs import PKIError
from gateway.audit import AuditError
from gateway.errors import StartupError
from gateway.signing import SigningError
from gateway.state import StateConfigError
from masking import MaskingError

USER_ERRORS: tuple[type[Exception], ...] = (
    StartupError, AuditError, StateConfigError, MaskingError, PKIError, SigningError, OSError,
)


def format_error(exc: Exception) -> str:
    """One line for ``exc``; OS errors name the file and the reason, never a traceback."""
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    return str(exc)
