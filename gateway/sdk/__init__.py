"""The partner SDK: what the platform's and the bank's engineers import to talk to the gateway (grpc.aio).

Calling through the gateway (the platform calling the bank's ``CreditService``)::

    signer = SigningInterceptor(platform_key, gateway_keys, require_idempotency={DRAWDOWN})
    async with PartnerChannel(pki_dir, "platform", "gateway:8443", interceptors=[signer]) as channel:
        stub = channel.stub(credit_pb2_grpc.CreditServiceStub)
        decision = await stub.AssessCredit(application)
        disbursement = await stub.Drawdown(request, metadata=idempotency_metadata("dd-42"))

Each request is signed over the bytes the stub sends; each OK response is verified
against the gateway's signature in the trailing metadata (``ResponseNotVerified``
otherwise). ``PartnerChannel`` opens a new channel when the client certificate in
the PKI directory rotates, since grpcio cannot reload it in place.

Serving behind the gateway (the bank's upstream server)::

    server = grpc.aio.server()
    add_gateway_only_servicer(server, MyCreditService(), credit_pb2.DESCRIPTOR.services_by_name["CreditService"],
                              own_key=bank_key, gateway_keys=gateway_keys)
    server.add_secure_port("0.0.0.0:9443", server_credentials(pki_dir, "bank"))

Only calls the gateway countersigned reach the servicer; ``current_forward()`` says
who called. Fields encrypted for the partner's audience open with
``FieldDecryptor(key_material, options_pb2.BANK).decrypt(message)``.

Errors::

    SdkError
    ├── RequestNotSigned      nothing sent: missing or ill-formed idempotency key, reserved header
    ├── FieldNotDecrypted     a field encrypted for this audience does not open
    └── ResponseNotVerified   an OK response whose gateway signature is absent or invalid
"""

from __future__ import annotations

from gateway.sdk._channel import PartnerChannel, Source, channel_credentials, secure_channel
from gateway.sdk._client import IDEMPOTENCY_KEY_HEADER, SigningInterceptor, idempotency_metadata
from gateway.sdk._decrypt import FieldDecryptor, decrypt_fields
from gateway.sdk._errors import FieldNotDecrypted, RequestNotSigned, ResponseNotVerified, SdkError
from gateway.sdk._server import (
    add_gateway_only_servicer,
    current_forward,
    server_credentials,
    source_server_credentials,
)

__all__ = [
    "IDEMPOTENCY_KEY_HEADER",
    "FieldDecryptor",
    "FieldNotDecrypted",
    "PartnerChannel",
    "RequestNotSigned",
    "ResponseNotVerified",
    "SdkError",
    "SigningInterceptor",
    "Source",
    "add_gateway_only_servicer",
    "channel_credentials",
    "current_forward",
    "decrypt_fields",
    "idempotency_metadata",
    "secure_channel",
    "server_credentials",
    "source_server_credentials",
]
