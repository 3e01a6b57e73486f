"""The gRPC upstream: an mTLS channel to a partner's server with the gateway's client certificate."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import grpc

from certs import CredentialSource
from gateway.stages import UpstreamError, UpstreamReply

_CLOSE_GRACE_S = 30.0


def _identity(data: bytes) -> bytes:
    return data


class GrpcUpstream:
    """Calls one partner's server; rebuilds the channel when the gateway's client certificate changes on disk."""

    def __init__(self, target: str, source: CredentialSource) -> None:
        self._target = target
        self._source = source
        self._version = ""
        self._channel: grpc.aio.Channel | None = None
        self._old: set[asyncio.Task[None]] = set()

    def _current(self) -> grpc.aio.Channel:
        creds = self._source.current()
        if self._channel is None or creds.version != self._version:
            if self._channel is not None:
                task = asyncio.get_running_loop().create_task(self._channel.close(_CLOSE_GRACE_S))
                self._old.add(task)
                task.add_done_callback(self._old.discard)
            tls = grpc.ssl_channel_credentials(creds.trust_bundle_pem, creds.key_pem, creds.chain_pem)
            self._channel, self._version = grpc.aio.secure_channel(self._target, tls), creds.version
        return self._channel

    async def call(self, path: str, body: bytes, metadata: Sequence[tuple[str, str]], timeout: float) -> UpstreamReply:
        rpc = self._current().unary_unary(path, request_serializer=_identity, response_deserializer=_identity)
        call = rpc(body, metadata=tuple(metadata), timeout=timeout)
        try:
            response: bytes = await call
        except grpc.aio.AioRpcError as exc:
            raise UpstreamError(exc.code()) from None
        trailing = await call.trailing_metadata()
        pairs = tuple((k, v) for k, v in (trailing or ()) if isinstance(v, str))
        return UpstreamReply(response, pairs)

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
        await asyncio.gather(*self._old, return_exceptions=True)
