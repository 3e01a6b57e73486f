"""The partner's upstream server: serve only what the gateway countersigned, and sign what goes back.

``add_gateway_only_servicer`` registers the servicer's methods with raw-bytes
handlers, so the countersignature is checked over the exact bytes received, before
anything is parsed or any servicer code runs. A call without a valid, fresh,
never-seen countersignature by a registered gateway key (a direct call that bypassed
the gateway, a replay) ends UNAUTHENTICATED with a reason code. The OK response is
serialized deterministically, signed with ``sign_response`` bound to the forwarded
nonce, and the signature sent in the trailing metadata, where the gateway's response
verifier reads it.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import DecodeError, Message

from certs import Credentials, CredentialSource, PeerChecker, PeerRejected, Role
from gateway.sdk._channel import Source
from gateway.signing import (
    METADATA_PREFIX,
    Clock,
    ForwardVerifier,
    NonceStore,
    PublicKeySet,
    ReplayStoreError,
    SignatureError,
    SigningKey,
    SystemClock,
    VerifiedForward,
    sign_response,
)

_CURRENT: ContextVar[VerifiedForward | None] = ContextVar("coloan_sdk_forward", default=None)


def current_forward() -> VerifiedForward:
    """The verified forward record (caller, nonce, idempotency key, digests) of the call being served.

    Valid inside a servicer method registered with ``add_gateway_only_servicer``;
    ``LookupError`` anywhere else.
    """
    forward = _CURRENT.get()
    if forward is None:
        raise LookupError("current_forward() is only set inside a gateway-only servicer method")
    return forward


class _Refused(Exception):
    """A call refused before the servicer runs: a status code and a value-free message."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        self.code = code
        super().__init__(message)


class _Gate:
    """Admits a call only if it came from the gateway: its TLS identity (if checked) and its countersignature."""

    def __init__(self, verifier: ForwardVerifier, peers: PeerChecker | None) -> None:
        self._verifier = verifier
        self._peers = peers

    def admit(self, method: str, body: bytes, context: Any) -> VerifiedForward:
        if self._peers is not None:
            self._check_peer(context)
        try:
            return self._verifier.verify(method, body, tuple(context.invocation_metadata() or ()))
        except SignatureError as exc:
            raise _Refused(grpc.StatusCode.UNAUTHENTICATED, f"gateway countersignature refused: {exc.reason}") from None
        except ReplayStoreError:
            raise _Refused(grpc.StatusCode.UNAVAILABLE, "replay store cannot answer") from None

    def _check_peer(self, context: Any) -> None:
        assert self._peers is not None
        certs = context.auth_context().get("x509_pem_cert") or []
        if not certs:
            raise _Refused(grpc.StatusCode.UNAUTHENTICATED, "peer certificate refused: no_certificate")
        try:
            peer = self._peers.check(certs[0])
        except PeerRejected as exc:
            raise _Refused(grpc.StatusCode.UNAUTHENTICATED, f"peer certificate refused: {exc.reason}") from None
        if peer.role is not Role.GATEWAY:
            raise _Refused(grpc.StatusCode.UNAUTHENTICATED, "peer certificate refused: not_gateway")


class _Method:
    """One method of the servicer behind the gate: verify, parse, call, serialize, sign."""

    def __init__(self, method: MethodDescriptor, behaviour: Callable[..., Any], gate: _Gate, key: SigningKey,
                 clock: Clock) -> None:
        self._path = f"/{method.containing_service.full_name}/{method.name}"
        self._input = message_factory.GetMessageClass(method.input_type)
        self._output = message_factory.GetMessageClass(method.output_type)
        self._behaviour = behaviour
        self._gate = gate
        self._key = key
        self._clock = clock

    async def handle(self, body: bytes, context: Any) -> bytes:
        try:
            forward = self._gate.admit(self._path, body, context)
            request = self._parse(body)
        except _Refused as exc:
            await context.abort(exc.code, str(exc))
        response = await self._call(request, context, forward)
        out = response.SerializeToString(deterministic=True)
        signature = sign_response(self._key, self._path, forward.nonce, out, now_ms=self._clock.now_ms())
        context.set_trailing_metadata(_own_trailers(context) + tuple(signature.items()))
        return out

    def _parse(self, body: bytes) -> Message:
        try:
            return self._input.FromString(body)
        except DecodeError:
            raise _Refused(grpc.StatusCode.INVALID_ARGUMENT, "request does not parse") from None

    async def _call(self, request: Message, context: Any, forward: VerifiedForward) -> Message:
        token = _CURRENT.set(forward)
        try:
            result = self._behaviour(request, context)
            response = await result if inspect.isawaitable(result) else result
        finally:
            _CURRENT.reset(token)
        if not isinstance(response, self._output):
            raise TypeError(f"{self._path} returned {type(response).__name__}, not {self._output.__name__}")
        return response


def _own_trailers(context: Any) -> tuple[tuple[str, str | bytes], ...]:
    """The trailing metadata the servicer set itself, less protocol headers (those are the SDK's to write)."""
    return tuple((k, v) for k, v in context.trailing_metadata() or () if not k.lower().startswith(METADATA_PREFIX))


def add_gateway_only_servicer(
    server: grpc.aio.Server,
    servicer: object,
    service: ServiceDescriptor,
    *,
    own_key: SigningKey,
    gateway_keys: PublicKeySet,
    replay: NonceStore | None = None,
    peers: PeerChecker | None = None,
    clock: Clock | None = None,
) -> None:
    """Serve ``servicer``'s implementation of ``service`` on ``server``, only to calls the gateway countersigned.

    ``servicer`` implements the generated base (e.g. ``CreditServiceServicer``) with
    ``async def`` methods taking ``(request, context)``; inside one,
    ``current_forward()`` says who called. ``replay`` is the nonce store (in memory by
    default; give a shared one to several replicas). With ``peers``, the TLS client
    certificate must also be an unrevoked gateway certificate of that PKI.
    """
    clock = SystemClock() if clock is None else clock
    gate = _Gate(ForwardVerifier(gateway_keys, replay=replay, clock=clock), peers)
    handlers = {}
    for method in service.methods:
        if method.client_streaming or method.server_streaming:
            raise ValueError(f"{method.full_name}: streaming methods are not supported by the gateway")
        bound = _Method(method, getattr(servicer, method.name), gate, own_key, clock)
        handlers[method.name] = grpc.unary_unary_rpc_method_handler(bound.handle)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service.full_name, handlers),))
    server.add_registered_method_handlers(service.full_name, handlers)


def server_credentials(pki_dir: str | Path, name: str) -> grpc.ServerCredentials:
    """Server-side mTLS for ``name`` that requires a client certificate and follows rotation on disk.

    The credential source is asked at each new connection (a few ``stat`` calls), and
    grpc is handed a new configuration only when its version changed.
    """
    return source_server_credentials(CredentialSource(Path(pki_dir), name))


def source_server_credentials(source: Source) -> grpc.ServerCredentials:
    """``server_credentials`` from any credential source."""
    fetcher = _Fetcher(source)
    return grpc.dynamic_ssl_server_credentials(fetcher.initial(), fetcher, require_client_authentication=True)


class _Fetcher:
    """grpc's certificate-configuration fetcher: a new configuration when the version moved, else ``None``."""

    def __init__(self, source: Source) -> None:
        self._source = source
        self._version: str | None = None
        self._lock = threading.Lock()

    def initial(self) -> Any:
        credentials = self._source.current()
        with self._lock:
            self._version = credentials.version
        return _configuration(credentials)

    def __call__(self) -> Any:
        credentials = self._source.current()
        with self._lock:
            if credentials.version == self._version:
                return None
            self._version = credentials.version
        return _configuration(credentials)


def _configuration(credentials: Credentials) -> Any:
    return grpc.ssl_server_certificate_configuration(
        [(credentials.key_pem, credentials.chain_pem)], root_certificates=credentials.trust_bundle_pem
    )
