"""Consent: a borrower profile travels only under a consent that covers this receiver and purpose."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from gateway._call import Call
from gateway.errors import FailedPrecondition


class CheckConsent:
    """For every profile in the request: consent present, unexpired, naming the receiver and the method's purpose."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now

    async def __call__(self, call: Call) -> None:
        assert call.message is not None
        assert call.receiver is not None
        for path in call.method.profile_paths:
            profile: Any = call.message
            for name in path:
                profile = getattr(profile, name)
            self._check(profile, call.receiver.name, call.method.policy.consent_purpose)
            call.consent_id = profile.consent.consent_id

    def _check(self, profile: Any, receiver: str, purpose: int) -> None:
        if not profile.HasField("consent"):
            raise FailedPrecondition("consent_missing", "the profile carries no consent")
        consent = profile.consent
        if consent.expires_at.ToDatetime(tzinfo=self._now().tzinfo) <= self._now():
            raise FailedPrecondition("consent_expired", "the borrower's consent has expired")
        if consent.recipient != receiver:
            raise FailedPrecondition("consent_recipient", "the consent does not name the receiving partner")
        if purpose and purpose not in consent.purposes:
            raise FailedPrecondition("consent_purpose", "the consent does not cover this purpose")
