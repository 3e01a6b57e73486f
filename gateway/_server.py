"""The gateway server: compiles everything at start-up, then serves every annotated method generically."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from google.protobuf.descriptor_pb2 import FileDescriptorProto
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio
from grpc_reflection.v1alpha import reflection

from certs import CredentialSource, PeerChecker
from gateway._accesslog import AccessLog
from gateway._call import Call
from gateway._config import GatewayConfig, Partner
from gateway._config import load as load_config
from gateway._methods import MethodSpec, compile_methods
from gateway._resilience import BreakerPolicy, BreakerState, CircuitBreaker, InFlight, TokenBucket
from gateway._status import internal_status, to_status
from gateway._upstream import GrpcUpstream
from gateway.audit import AuditLog, AuditUnavailable, call_record, load_search_key
from gateway.errors import CallError, StartupError
from gateway.signing import NonceStore, PublicKeySet, RequestVerifier, ResponseVerifier, SigningKey
from gateway.stages import (
    Admit,
    Audit,
    Authorize,
    CheckConsent,
    Countersign,
    Decode,
    Identify,
    MaskRequest,
    MaskResponse,
    Once,
    PassThrough,
    Route,
    SignResponse,
    Upstream,
    VerifyResponse,
    VerifySignature,
    relay,
    searchable_paths,
)
from gateway.state import open_stores
from gateway.validation import ValidationPolicy, Validator
from masking import Engine, Keyring, shipped_services

# The validator's consent rules are the consent stage's concern (FAILED_PRECONDITION, not INVALID_ARGUMENT).
CONSENT_RULES = frozenset({"consent.required", "consent.expired", "consent.recipient", "consent.purposes"})


def policy_version(services: Iterable[ServiceDescriptor]) -> str:
    """A short hash of every schema file the services are compiled from: which policy a call ran under."""
    files, stack = {}, [s.file for s in services]
    while stack:
        f = stack.pop()
        if f.name not in files:
            proto = FileDescriptorProto()
            f.CopyToProto(proto)
            files[f.name] = proto.SerializeToString(deterministic=True)
            stack += list(f.dependencies)
    digest = hashlib.sha256(b"".join(files[name] for name in sorted(files)))
    return digest.hexdigest()[:16]


def _open_audit(config: GatewayConfig, worker: int | None) -> AuditLog:
    assert config.audit is not None
    a = config.audit
    directory = a.dir if worker is None else a.dir / f"worker-{worker}"
    key = SigningKey.from_pem_file(config.signing_key_id, config.signing_key)
    return AuditLog(directory, key, load_search_key(a.search_key), checkpoint_every=a.checkpoint_every,
                    checkpoint_seconds=a.checkpoint_seconds)


def _identity(config: GatewayConfig) -> tuple[object, ...]:
    """What a reload may not change: where the gateway listens and who its partners are."""
    return config.listen, config.name, tuple((p.name, p.role, p.audience, p.spiffe_id, p.upstream)
                                             for p in config.partners)


def _receivers(config: GatewayConfig, methods: Mapping[str, MethodSpec]) -> dict[int, Partner]:
    out: dict[int, Partner] = {}
    for role in {m.served_by for m in methods.values()}:
        serving = [p for p in config.partners if p.role == role and p.upstream]
        if len(serving) != 1:
            raise StartupError(f"{config.source}: partners: exactly one partner of the role serving "
                               f"{sorted({m.service for m in methods.values() if m.served_by == role})} needs an "
                               f"upstream, found {len(serving)}; fix: set upstream on that partner")
        out[role] = serving[0]
    return out


class Gateway:
    """One gateway process: an mTLS ``grpc.aio`` server brokering every method of the annotated services."""

    def __init__(self, config: GatewayConfig, *, services: Iterable[ServiceDescriptor] | None = None,
                 upstreams: Mapping[str, Upstream] | None = None, replay: NonceStore | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC), passthrough: bool = False,
                 worker: int | None = None) -> None:
        """``passthrough`` disables every policy stage (only for measuring the hop: ``coloan-gw bench``);
        ``worker`` numbers one of several processes on the port, each with its own audit directory."""
        self.config = config
        self._services = list(services) if services is not None else shipped_services()
        self.methods = compile_methods(self._services)
        self.policy_version = policy_version(self._services)
        self._source = CredentialSource(config.pki_dir, config.name)
        self._source.current()
        self._stores = open_stores(config.state, base_dir=config.source.parent)
        self._store = replay or self._stores.nonces
        self._now = now
        self._started_ms = int(now().timestamp() * 1000)
        self._upstreams: dict[str, Upstream] = dict(upstreams) if upstreams is not None else {
            p.name: GrpcUpstream(p.upstream, self._source) for p in config.partners if p.upstream}
        lim = config.limits
        self._limits = {p.name: (TokenBucket(config.limit(p, "rate_per_s"), config.limit(p, "burst")),
                                 InFlight(config.limit(p, "max_in_flight"))) for p in config.partners}
        self.health = health_aio.HealthServicer()
        self._pending_health: set[asyncio.Future[None]] = set()
        self.breakers = {name: CircuitBreaker(BreakerPolicy(lim.breaker_failures, lim.breaker_reset_s),
                                              on_change=self._health_follows(name))
                         for name in self._upstreams}
        self._route = Route(self._upstreams, config.deadlines, self.breakers, config.retries)
        self._peers = PeerChecker(config.pki_dir)
        self._passthrough = passthrough
        self._audit = None if config.audit is None or passthrough else _open_audit(config, worker)
        self._search = {path: searchable_paths(m.input_type) for path, m in self.methods.items()}
        self.stages = self._stages(config)
        self._log = AccessLog(config.access_log, self.policy_version)
        self._server: grpc.aio.Server | None = None

    def _stages(self, config: GatewayConfig) -> list[Callable[[Call], object]]:
        """The ordered stages, built from the key material on disk now (see ``reload``)."""
        receivers = _receivers(config, self.methods)
        if self._passthrough:
            return [PassThrough(receivers), self._route, relay]
        engine = Engine(Keyring.load(config.keys_dir), self._services)
        engine.warm()
        key = SigningKey.from_pem_file(config.signing_key_id, config.signing_key)
        keysets = {p.name: PublicKeySet.from_pem_files(p.signing_keys) for p in config.partners}
        window = config.clock_window_s * 1000
        validator = Validator(ValidationPolicy(apr_cap_bps=config.apr_cap_bps, skip=CONSENT_RULES), self._now)
        return [
            Identify(self._peers, {p.spiffe_id: p for p in config.partners}),
            Admit(self._limits),
            Authorize(receivers),
            VerifySignature({p: RequestVerifier(p, k, window_ms=window, replay=self._store)
                             for p, k in keysets.items()}, self._started_ms),
            Decode(validator, config.max_message_bytes),
            CheckConsent(self._now),
            Once(self._stores.idempotency, [
                MaskRequest(engine),
                Countersign(key),
                *self._audit_stage(config, key),
                self._route,
                VerifyResponse({p: ResponseVerifier(k, window_ms=window) for p, k in keysets.items()}),
                MaskResponse(engine),
            ], lease_ms=config.deadlines.max_ms + 5_000),
            SignResponse(key),
        ]

    def _audit_stage(self, config: GatewayConfig, key: SigningKey) -> list[Audit]:
        if self._audit is None or config.audit is None:
            return []
        return [Audit(self._audit, self._search, self.policy_version, key.key_id, config.audit.deadline_ms / 1000)]

    async def _audit_unforwarded(self, call: Call, code: grpc.StatusCode, reason: str | None) -> None:
        """The record of a call that never reached the audit stage: refused, or answered from the idempotency store.
        Best effort: the caller's answer does not wait on it beyond a short deadline."""
        if self._audit is None or call.audit_id is not None or (reason or "").startswith("audit_"):
            return
        ok = code == grpc.StatusCode.OK
        record = call_record(call, code, reason, self.policy_version, phase="completed" if ok else "refused")
        with contextlib.suppress(AuditUnavailable):
            call.audit_id = (await self._audit.append_async(record, deadline_s=0.2)).record_id

    def reload(self) -> None:
        """Re-read the config's key material — partners' signing keys, the gateway's signing key, the masking
        keyring — and swap in new stages; calls in flight finish with the old ones. Partner identities,
        roles, upstreams and the listen address need a restart, and a config that changes them is refused."""
        config = load_config(self.config.source)
        if _identity(config) != _identity(self.config):
            raise StartupError(f"{config.source}: partners, upstreams or listen changed; fix: restart the gateway "
                               "(a reload applies key changes only)")
        self.stages = self._stages(config)
        self.config = config

    def _health_follows(self, partner: str) -> Callable[[BreakerState], None]:
        """While a partner's circuit is open, its services report NOT_SERVING to health checks."""
        def changed(state: BreakerState) -> None:
            status = health_pb2.HealthCheckResponse.NOT_SERVING if state == BreakerState.OPEN \
                else health_pb2.HealthCheckResponse.SERVING
            role = self.config.partner(partner).role
            for service in sorted({m.service for m in self.methods.values() if m.served_by == role}):
                task = asyncio.ensure_future(self.health.set(service, status))
                self._pending_health.add(task)
                task.add_done_callback(self._pending_health.discard)
        return changed

    def _credentials(self) -> grpc.ServerCredentials:
        def config_of(creds: object) -> object:
            return grpc.ssl_server_certificate_configuration(
                [(creds.key_pem, creds.chain_pem)], root_certificates=creds.trust_bundle_pem)  # type: ignore[attr-defined]

        first = self._source.current()
        seen = [first.version]

        def fetch() -> object | None:
            creds = self._source.current()
            if creds.version == seen[0]:
                return None
            seen[0] = creds.version
            return config_of(creds)

        return grpc.dynamic_ssl_server_credentials(config_of(first), fetch, require_client_authentication=True)

    def _handler(self, spec: MethodSpec) -> Callable[[bytes, grpc.aio.ServicerContext], object]:
        async def handle(body: bytes, context: grpc.aio.ServicerContext) -> bytes:
            return await self.handle(spec, body, context)
        return handle

    async def handle(self, spec: MethodSpec, body: bytes, context: grpc.aio.ServicerContext) -> bytes:
        """Runs one call through the stages; the only place a refusal becomes a status. The call's audit and
        access records are written before the caller hears the outcome."""
        peer = context.auth_context().get("x509_pem_cert") or [None]
        metadata = tuple((m.key, m.value) for m in context.invocation_metadata() or () if isinstance(m.value, str))
        call = Call(spec, body, metadata, peer[0], uuid.uuid4().hex, context.time_remaining())
        code, reason, status = grpc.StatusCode.OK, None, None
        try:
            for stage in self.stages:
                await stage(call)  # type: ignore[misc]
        except CallError as err:
            code, reason, status = err.code, err.reason, to_status(err)
        except asyncio.CancelledError:
            code, reason = grpc.StatusCode.CANCELLED, "cancelled"
            raise
        except Exception as exc:  # the edge: anything unforeseen is INTERNAL, logged by type only
            code, reason, status = grpc.StatusCode.INTERNAL, f"internal_{type(exc).__name__}", internal_status()
        finally:
            for done in call.on_finish:
                done()
            await self._audit_unforwarded(call, code, reason)
            self._log.write(call, code, reason)
        if status is not None:
            await context.abort_with_status(status)
        audit = (("x-coloan-audit-id", call.audit_id),) if call.audit_id else ()
        context.set_trailing_metadata((*call.reply_metadata, *audit))
        return call.reply_body

    async def start(self) -> int:
        """Bind and start serving; returns the bound port (useful with port 0)."""
        limit = self.config.max_message_bytes + 64 * 1024
        server = grpc.aio.server(options=[("grpc.max_receive_message_length", limit),
                                          ("grpc.so_reuseport", 1)])
        for name in sorted({m.service for m in self.methods.values()}):
            handlers = {m.name: grpc.unary_unary_rpc_method_handler(self._handler(m))
                        for m in self.methods.values() if m.service == name}
            server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(name, handlers),))
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        services = sorted({m.service for m in self.methods.values()})
        reflection.enable_server_reflection([*services, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                                             reflection.SERVICE_NAME], server)
        port: int = server.add_secure_port(self.config.listen, self._credentials())
        if port == 0:
            raise StartupError(f"{self.config.source}: gateway.listen: cannot bind {self.config.listen}; "
                               "fix: choose a free address")
        await server.start()
        for name in ["", *services]:
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        self._server = server
        return port

    async def stop(self, grace: float = 5.0) -> None:
        """Stop accepting, let in-flight calls finish within ``grace`` seconds, release upstream channels."""
        await self.health.enter_graceful_shutdown()
        if self._server is not None:
            await self._server.stop(grace)
        for upstream in self._upstreams.values():
            close = getattr(upstream, "close", None)
            if close is not None:
                await close()
        self._log.close()
        self._stores.close()
        if self._audit is not None:
            await asyncio.to_thread(self._audit.close)

    async def wait(self) -> None:
        if self._server is not None:
            await self._server.wait_for_termination()
