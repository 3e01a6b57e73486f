"""mTLS channels from a PKI directory, rebuilt when the partner's client certificate rotates.

grpcio cannot reload a channel's client certificate in place, so ``PartnerChannel``
asks the credential source for its version before each call (a few ``stat`` calls)
and, when it changed, opens a new channel for that and later calls. The old channel
is closed ``grace_s`` seconds later, so calls already in flight on it can finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import grpc

from certs import Credentials, CredentialSource

ChannelOption = tuple[str, Any]
S = TypeVar("S")


class Source(Protocol):
    """Where credentials come from: ``certs.CredentialSource`` or anything with its ``current()``."""

    def current(self) -> Credentials: ...


def channel_credentials(credentials: Credentials) -> grpc.ChannelCredentials:
    """Client-side mTLS: present ``credentials``' chain and key, trust only its trust bundle."""
    return grpc.ssl_channel_credentials(
        root_certificates=credentials.trust_bundle_pem,
        private_key=credentials.key_pem,
        certificate_chain=credentials.chain_pem,
    )


def secure_channel(
    pki_dir: str | Path,
    name: str,
    target: str,
    *,
    interceptors: Sequence[Any] = (),
    options: Sequence[ChannelOption] = (),
) -> grpc.aio.Channel:
    """A ``grpc.aio`` channel to ``target`` with the current credentials of ``name``; it never rotates.

    Use ``PartnerChannel`` for a long-lived client, so a rotated certificate is picked up.
    """
    credentials = CredentialSource(Path(pki_dir), name).current()
    return _open(credentials, target, interceptors, options)


def _open(
    credentials: Credentials, target: str, interceptors: Sequence[Any], options: Sequence[ChannelOption]
) -> grpc.aio.Channel:
    return grpc.aio.secure_channel(
        target, channel_credentials(credentials), options=list(options), interceptors=list(interceptors)
    )


class PartnerChannel:
    """A channel to the gateway that follows certificate rotation; use it where a generated stub wants a channel.

    ``CreditServiceStub(partner)`` (or ``partner.stub(CreditServiceStub)``) works as
    usual: each call resolves the current channel when it is made. Only unary-unary
    methods are supported, which is every method of the co-lending schemas. Create and
    use it inside the event loop that runs the calls; ``await partner.close()`` (or
    ``async with``) when done.
    """

    def __init__(
        self,
        pki_dir: str | Path,
        name: str,
        target: str,
        *,
        interceptors: Sequence[Any] = (),
        options: Sequence[ChannelOption] = (),
        grace_s: float = 30.0,
        source: Source | None = None,
    ) -> None:
        self._source: Source = CredentialSource(Path(pki_dir), name) if source is None else source
        self._target = target
        self._interceptors = tuple(interceptors)
        self._options = tuple(options)
        self._grace = grace_s
        self._channel: grpc.aio.Channel | None = None
        self._version: str | None = None
        self._retiring: set[asyncio.Task[None]] = set()
        self.rebuilds = 0

    @property
    def version(self) -> str | None:
        """The credentials version of the channel in use (``None`` before the first call)."""
        return self._version

    def channel(self) -> grpc.aio.Channel:
        """The channel for a call made now: the current one, or a new one if the credentials changed."""
        credentials = self._source.current()
        if self._channel is None or credentials.version != self._version:
            old = self._channel
            self._channel = _open(credentials, self._target, self._interceptors, self._options)
            self._version = credentials.version
            if old is not None:
                self.rebuilds += 1
                self._retire(old)
        return self._channel

    def unary_unary(
        self,
        method: str,
        request_serializer: Callable[[Any], bytes] | None = None,
        response_deserializer: Callable[[bytes], Any] | None = None,
        _registered_method: bool | None = False,
    ) -> _Resolving:
        """What a generated stub calls once per method; the returned callable resolves the channel per call."""
        return _Resolving(self, method, request_serializer, response_deserializer, _registered_method)

    def stub(self, stub_class: Callable[[Any], S]) -> S:
        """A generated stub over this channel, e.g. ``partner.stub(credit_pb2_grpc.CreditServiceStub)``."""
        return stub_class(self)

    def _retire(self, old: grpc.aio.Channel) -> None:
        task = asyncio.get_running_loop().create_task(self._close_later(old))
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def _close_later(self, old: grpc.aio.Channel) -> None:
        try:
            await asyncio.sleep(self._grace)
        finally:
            await old.close()

    async def close(self) -> None:
        """Close the channel in use now and, without waiting out their grace, the retired ones."""
        for task in list(self._retiring):
            task.cancel()
        await asyncio.gather(*self._retiring, return_exceptions=True)
        if self._channel is not None:
            await self._channel.close()
            self._channel = None

    async def __aenter__(self) -> PartnerChannel:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class _Resolving:
    """A stub's multi-callable for one method that uses the partner's current channel at each call."""

    def __init__(
        self,
        partner: PartnerChannel,
        method: str,
        request_serializer: Callable[[Any], bytes] | None,
        response_deserializer: Callable[[bytes], Any] | None,
        registered: bool | None,
    ) -> None:
        self._partner = partner
        self._args = (method, request_serializer, response_deserializer, registered)
        self._bound: tuple[grpc.aio.Channel, Any] | None = None

    def __call__(self, request: Any, **kwargs: Any) -> Any:
        """Start the call on the current channel; returns the ``grpc.aio`` call object to await."""
        return self._callable()(request, **kwargs)

    def _callable(self) -> Any:
        channel = self._partner.channel()
        if self._bound is None or self._bound[0] is not channel:
            method, serializer, deserializer, registered = self._args
            multicallable = channel.unary_unary(method, serializer, deserializer, _registered_method=registered)
            self._bound = (channel, multicallable)
        return self._bound[1]
