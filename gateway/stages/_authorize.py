"""Authorize: deny by default; the method's allowed roles must include the caller's role."""

from __future__ import annotations

from collections.abc import Mapping

from gateway._call import Call
from gateway._config import Partner
from gateway.errors import PermissionDenied


class Authorize:
    """Checks the caller's role and resolves the receiving partner (the one serving the method's service)."""

    def __init__(self, receivers: Mapping[int, Partner]) -> None:
        self._receivers = dict(receivers)

    async def __call__(self, call: Call) -> None:
        assert call.caller is not None
        if call.caller.role not in call.method.policy.allowed_roles:
            raise PermissionDenied("role_not_allowed", "the caller's role may not call this method")
        call.receiver = self._receivers[call.method.served_by]
