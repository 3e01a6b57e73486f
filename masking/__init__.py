"""Field-level desensitization compiled from the coloan.policy.v1 schema annotations.

Depends on protobuf and cryptography only; never imports grpc or the gateway.
"""

from __future__ import annotations

from masking._errors import MaskingError, SchemaError, SchemaProblem
from masking._lint import lint
from masking._options import (
    describe_rule,
    descriptor_set_services,
    field_policy,
    fields,
    rule_for,
    service_messages,
    shipped_services,
)

__all__ = [
    "MaskingError",
    "SchemaError",
    "SchemaProblem",
    "describe_rule",
    "descriptor_set_services",
    "field_policy",
    "fields",
    "lint",
    "rule_for",
    "service_messages",
    "shipped_services",
]
