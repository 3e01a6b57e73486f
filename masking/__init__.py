"""Field-level desensitization compiled from the coloan.policy.v1 schema annotations.

Depends on protobuf and cryptography only; never imports grpc or the gateway.
"""

from __future__ import annotations

from masking._aead import Decryptor
from masking._engine import Engine
from masking._errors import DecryptError, KeyringError, MaskingError, MessageError, SchemaError, SchemaProblem
from masking._keyring import KINDS, Key, Keyring, KeySet, encrypt_kind
from masking._lint import lint
from masking._options import (
    describe_rule,
    descriptor_set_services,
    field_policy,
    fields,
    method_policy,
    rule_for,
    service_messages,
    service_policy,
    shipped_services,
)
from masking._plan import Plan, PlanRow
from masking._receipt import Decision, Receipt

CompilationError = SchemaError

__all__ = [
    "KINDS",
    "CompilationError",
    "Decision",
    "DecryptError",
    "Decryptor",
    "Engine",
    "Key",
    "KeySet",
    "Keyring",
    "KeyringError",
    "MaskingError",
    "MessageError",
    "Plan",
    "PlanRow",
    "Receipt",
    "SchemaError",
    "SchemaProblem",
    "describe_rule",
    "descriptor_set_services",
    "encrypt_kind",
    "field_policy",
    "fields",
    "lint",
    "method_policy",
    "rule_for",
    "service_messages",
    "service_policy",
    "shipped_services",
]
