"""Real gRPC handshakes on loopback with the certificates this PKI writes (grpc is used here, never in certs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager

import grpc
import pytest

from certs import Algorithm, Credentials, CredentialSource, PeerChecker, PeerRejected, Pki

pytestmark = pytest.mark.integration

Handler = Callable[[bytes, grpc.ServicerContext], bytes]


def _files(pki: Pki, name: str) -> tuple[bytes, bytes]:
    return pki.layout.key(name).read_bytes(), pki.layout.chain(name).read_bytes()


def _whoami(checker: PeerChecker) -> Handler:
    def handle(request: bytes, context: grpc.ServicerContext) -> bytes:
        peer = context.auth_context()["x509_pem_cert"][0]
        try:
            return checker.check(peer).spiffe_id.encode()
        except PeerRejected as exc:
            context.abort(grpc.StatusCode.PERMISSION_DENIED, exc.reason)
            raise

    return handle


@contextmanager
def _server(credentials: grpc.ServerCredentials, handler: Handler) -> Iterator[int]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    methods = {"WhoAmI": grpc.unary_unary_rpc_method_handler(handler)}
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("test.Echo", methods),))
    port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    try:
        yield port
    finally:
        server.stop(None)


def _static(pki: Pki) -> grpc.ServerCredentials:
    return grpc.ssl_server_credentials([_files(pki, "gateway")], root_certificates=pki.layout.bundle.read_bytes(),
                                       require_client_auth=True)


def _call(port: int, bundle: bytes, key: bytes, chain: bytes) -> str:
    credentials = grpc.ssl_channel_credentials(bundle, key, chain)
    with grpc.secure_channel(f"127.0.0.1:{port}", credentials) as channel:
        return bytes(channel.unary_unary("/test.Echo/WhoAmI")(b"", timeout=10)).decode()


def _refused(port: int, bundle: bytes, key: bytes, chain: bytes) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as info:
        _call(port, bundle, key, chain)
    code: grpc.StatusCode = info.value.code()
    return code


def test_mutual_tls_handshake_succeeds_and_the_peer_is_identified(pki: Pki) -> None:
    with _server(_static(pki), _whoami(PeerChecker(pki.layout.root))) as port:
        caller = _call(port, pki.layout.bundle.read_bytes(), *_files(pki, "platform"))
    assert caller == "spiffe://coloan.local/platform/platform"


def test_a_client_certificate_from_another_ca_fails_the_handshake(pki: Pki, other_pki: Pki) -> None:
    with _server(_static(pki), _whoami(PeerChecker(pki.layout.root))) as port:
        code = _refused(port, pki.layout.bundle.read_bytes(), *_files(other_pki, "bank"))
    assert code is grpc.StatusCode.UNAVAILABLE


def test_a_client_without_a_certificate_fails_the_handshake(pki: Pki) -> None:
    with _server(_static(pki), _whoami(PeerChecker(pki.layout.root))) as port:
        credentials = grpc.ssl_channel_credentials(pki.layout.bundle.read_bytes())
        with grpc.secure_channel(f"127.0.0.1:{port}", credentials) as channel, pytest.raises(grpc.RpcError) as info:
            channel.unary_unary("/test.Echo/WhoAmI")(b"", timeout=10)
    assert info.value.code() is grpc.StatusCode.UNAVAILABLE


def test_a_revoked_client_passes_the_handshake_but_not_the_peer_check(pki: Pki) -> None:
    with _server(_static(pki), _whoami(PeerChecker(pki.layout.root))) as port:
        pki.revoke("bank", reason="keyCompromise")
        code = _refused(port, pki.layout.bundle.read_bytes(), *_files(pki, "bank"))
    assert code is grpc.StatusCode.PERMISSION_DENIED


def _dynamic(source: CredentialSource) -> grpc.ServerCredentials:
    """What the gateway does: before each handshake, new configuration only when the version changed."""
    served = source.current()

    def config(creds: Credentials) -> grpc.ServerCertificateConfiguration:
        return grpc.ssl_server_certificate_configuration([(creds.key_pem, creds.chain_pem)], creds.trust_bundle_pem)

    def fetch() -> grpc.ServerCertificateConfiguration | None:
        nonlocal served
        latest = source.current()
        if latest.version == served.version:
            return None
        served = latest
        return config(latest)

    return grpc.dynamic_ssl_server_credentials(config(served), fetch, require_client_authentication=True)


def test_a_ca_rollover_in_runbook_order_never_fails_a_call(pki: Pki) -> None:
    def client(bundle: bytes) -> tuple[bytes, bytes, bytes]:
        return (bundle, *_files(pki, "platform"))

    old_bundle = pki.layout.bundle.read_bytes()
    with _server(_dynamic(CredentialSource(pki.layout.root, "gateway")), _whoami(PeerChecker(pki.layout.root))) as port:
        old_everything = client(old_bundle)
        assert _call(port, *old_everything).endswith("/platform/platform")
        pki.ca_rotate()
        assert _call(port, *old_everything).endswith("/platform/platform")
        old_leaf = client(pki.layout.bundle.read_bytes())  # the party received the overlap bundle
        assert _call(port, *old_leaf).endswith("/platform/platform")
        pki.ca_activate()
        assert _call(port, *old_leaf).endswith("/platform/platform")
        new_leaf = client(pki.layout.bundle.read_bytes())
        assert _call(port, *new_leaf).endswith("/platform/platform")
        pki.ca_retire(revoke_superseded=True)
        assert _call(port, *new_leaf).endswith("/platform/platform")
        assert _refused(port, *old_leaf) is grpc.StatusCode.UNAVAILABLE


def test_activating_before_a_party_has_the_new_bundle_breaks_it(pki: Pki) -> None:
    """Why ca rotate and ca activate are separate steps: the gateway would present a root the party lacks."""
    old_everything = (pki.layout.bundle.read_bytes(), *_files(pki, "platform"))
    with _server(_dynamic(CredentialSource(pki.layout.root, "gateway")), _whoami(PeerChecker(pki.layout.root))) as port:
        pki.ca_rotate()
        pki.ca_activate()
        assert _refused(port, *old_everything) is grpc.StatusCode.UNAVAILABLE


def test_grpc_does_not_negotiate_ed25519_leaves(pki: Pki) -> None:
    """Pins the caveat in docs/pki.md: BoringSSL in gRPC refuses Ed25519 certificates."""
    pki.rotate("platform", algorithm=Algorithm.ED25519)
    with _server(_static(pki), _whoami(PeerChecker(pki.layout.root))) as port:
        code = _refused(port, pki.layout.bundle.read_bytes(), *_files(pki, "platform"))
    assert code is grpc.StatusCode.UNAVAILABLE


