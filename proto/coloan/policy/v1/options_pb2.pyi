from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DataClass(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DATA_CLASS_UNSPECIFIED: _ClassVar[DataClass]
    PUBLIC: _ClassVar[DataClass]
    C1: _ClassVar[DataClass]
    C2: _ClassVar[DataClass]
    C3: _ClassVar[DataClass]

class SemanticType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEMANTIC_TYPE_UNSPECIFIED: _ClassVar[SemanticType]
    PERSON_NAME: _ClassVar[SemanticType]
    RESIDENT_ID: _ClassVar[SemanticType]
    MOBILE: _ClassVar[SemanticType]
    EMAIL: _ClassVar[SemanticType]
    BANK_CARD: _ClassVar[SemanticType]
    ADDRESS: _ClassVar[SemanticType]
    DATE_OF_BIRTH: _ClassVar[SemanticType]
    MONEY: _ClassVar[SemanticType]
    DEVICE_ID: _ClassVar[SemanticType]
    IP_ADDRESS: _ClassVar[SemanticType]
    FREE_TEXT: _ClassVar[SemanticType]
    OPAQUE_ID: _ClassVar[SemanticType]
    CREDIT_SCORE: _ClassVar[SemanticType]
    RATE: _ClassVar[SemanticType]
    COUNT: _ClassVar[SemanticType]
    TIMESTAMP: _ClassVar[SemanticType]
    CODE: _ClassVar[SemanticType]
    DIGEST: _ClassVar[SemanticType]
    SECRET: _ClassVar[SemanticType]

class Audience(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIENCE_UNSPECIFIED: _ClassVar[Audience]
    BANK: _ClassVar[Audience]
    PLATFORM: _ClassVar[Audience]
    LOG: _ClassVar[Audience]

class MaskPreset(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MASK_PRESET_UNSPECIFIED: _ClassVar[MaskPreset]
    MASK_BANK_CARD: _ClassVar[MaskPreset]
    MASK_MOBILE: _ClassVar[MaskPreset]
    MASK_RESIDENT_ID: _ClassVar[MaskPreset]
    MASK_RESIDENT_ID_STRICT: _ClassVar[MaskPreset]
    MASK_NAME: _ClassVar[MaskPreset]
    MASK_EMAIL: _ClassVar[MaskPreset]

class TokenForm(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TOKEN_FORM_UNSPECIFIED: _ClassVar[TokenForm]
    TOKEN_OPAQUE: _ClassVar[TokenForm]
    TOKEN_FORMAT_PRESERVING: _ClassVar[TokenForm]

class HmacAlgorithm(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HMAC_ALGORITHM_UNSPECIFIED: _ClassVar[HmacAlgorithm]
    HMAC_SHA256: _ClassVar[HmacAlgorithm]
    HMAC_SM3: _ClassVar[HmacAlgorithm]

class BlockCipher(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BLOCK_CIPHER_UNSPECIFIED: _ClassVar[BlockCipher]
    AES: _ClassVar[BlockCipher]
    SM4: _ClassVar[BlockCipher]

class GeneralizeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GENERALIZE_KIND_UNSPECIFIED: _ClassVar[GeneralizeKind]
    GEN_BUCKET: _ClassVar[GeneralizeKind]
    GEN_DATE_YEAR: _ClassVar[GeneralizeKind]
    GEN_DATE_MONTH: _ClassVar[GeneralizeKind]
    GEN_AGE_BAND: _ClassVar[GeneralizeKind]
    GEN_RESIDENT_ID: _ClassVar[GeneralizeKind]
    GEN_ADDRESS_PROVINCE: _ClassVar[GeneralizeKind]
    GEN_ADDRESS_CITY: _ClassVar[GeneralizeKind]
    GEN_IP_PREFIX: _ClassVar[GeneralizeKind]

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_PLATFORM: _ClassVar[Role]
    ROLE_BANK: _ClassVar[Role]
    ROLE_OPS: _ClassVar[Role]
    ROLE_GATEWAY: _ClassVar[Role]

class AuditCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIT_CATEGORY_UNSPECIFIED: _ClassVar[AuditCategory]
    AUDIT_CREDIT_ASSESSMENT: _ClassVar[AuditCategory]
    AUDIT_DRAWDOWN: _ClassVar[AuditCategory]
    AUDIT_REPAYMENT: _ClassVar[AuditCategory]
    AUDIT_LOAN_QUERY: _ClassVar[AuditCategory]
    AUDIT_LOAN_STATUS: _ClassVar[AuditCategory]
    AUDIT_RISK_ALERT: _ClassVar[AuditCategory]

class Purpose(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PURPOSE_UNSPECIFIED: _ClassVar[Purpose]
    PURPOSE_CREDIT_ASSESSMENT: _ClassVar[Purpose]
    PURPOSE_LOAN_SERVICING: _ClassVar[Purpose]
    PURPOSE_RISK_MONITORING: _ClassVar[Purpose]
DATA_CLASS_UNSPECIFIED: DataClass
PUBLIC: DataClass
C1: DataClass
C2: DataClass
C3: DataClass
SEMANTIC_TYPE_UNSPECIFIED: SemanticType
PERSON_NAME: SemanticType
RESIDENT_ID: SemanticType
MOBILE: SemanticType
EMAIL: SemanticType
BANK_CARD: SemanticType
ADDRESS: SemanticType
DATE_OF_BIRTH: SemanticType
MONEY: SemanticType
DEVICE_ID: SemanticType
IP_ADDRESS: SemanticType
FREE_TEXT: SemanticType
OPAQUE_ID: SemanticType
CREDIT_SCORE: SemanticType
RATE: SemanticType
COUNT: SemanticType
TIMESTAMP: SemanticType
CODE: SemanticType
DIGEST: SemanticType
SECRET: SemanticType
AUDIENCE_UNSPECIFIED: Audience
BANK: Audience
PLATFORM: Audience
LOG: Audience
MASK_PRESET_UNSPECIFIED: MaskPreset
MASK_BANK_CARD: MaskPreset
MASK_MOBILE: MaskPreset
MASK_RESIDENT_ID: MaskPreset
MASK_RESIDENT_ID_STRICT: MaskPreset
MASK_NAME: MaskPreset
MASK_EMAIL: MaskPreset
TOKEN_FORM_UNSPECIFIED: TokenForm
TOKEN_OPAQUE: TokenForm
TOKEN_FORMAT_PRESERVING: TokenForm
HMAC_ALGORITHM_UNSPECIFIED: HmacAlgorithm
HMAC_SHA256: HmacAlgorithm
HMAC_SM3: HmacAlgorithm
BLOCK_CIPHER_UNSPECIFIED: BlockCipher
AES: BlockCipher
SM4: BlockCipher
GENERALIZE_KIND_UNSPECIFIED: GeneralizeKind
GEN_BUCKET: GeneralizeKind
GEN_DATE_YEAR: GeneralizeKind
GEN_DATE_MONTH: GeneralizeKind
GEN_AGE_BAND: GeneralizeKind
GEN_RESIDENT_ID: GeneralizeKind
GEN_ADDRESS_PROVINCE: GeneralizeKind
GEN_ADDRESS_CITY: GeneralizeKind
GEN_IP_PREFIX: GeneralizeKind
ROLE_UNSPECIFIED: Role
ROLE_PLATFORM: Role
ROLE_BANK: Role
ROLE_OPS: Role
ROLE_GATEWAY: Role
AUDIT_CATEGORY_UNSPECIFIED: AuditCategory
AUDIT_CREDIT_ASSESSMENT: AuditCategory
AUDIT_DRAWDOWN: AuditCategory
AUDIT_REPAYMENT: AuditCategory
AUDIT_LOAN_QUERY: AuditCategory
AUDIT_LOAN_STATUS: AuditCategory
AUDIT_RISK_ALERT: AuditCategory
PURPOSE_UNSPECIFIED: Purpose
PURPOSE_CREDIT_ASSESSMENT: Purpose
PURPOSE_LOAN_SERVICING: Purpose
PURPOSE_RISK_MONITORING: Purpose
FIELD_FIELD_NUMBER: _ClassVar[int]
field: _descriptor.FieldDescriptor
METHOD_FIELD_NUMBER: _ClassVar[int]
method: _descriptor.FieldDescriptor
SERVICE_FIELD_NUMBER: _ClassVar[int]
service: _descriptor.FieldDescriptor

class Keep(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Drop(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Mask(_message.Message):
    __slots__ = ("preset", "keep_first", "keep_last", "mask_char")
    PRESET_FIELD_NUMBER: _ClassVar[int]
    KEEP_FIRST_FIELD_NUMBER: _ClassVar[int]
    KEEP_LAST_FIELD_NUMBER: _ClassVar[int]
    MASK_CHAR_FIELD_NUMBER: _ClassVar[int]
    preset: MaskPreset
    keep_first: int
    keep_last: int
    mask_char: str
    def __init__(self, preset: _Optional[_Union[MaskPreset, str]] = ..., keep_first: _Optional[int] = ..., keep_last: _Optional[int] = ..., mask_char: _Optional[str] = ...) -> None: ...

class Token(_message.Message):
    __slots__ = ("form", "hmac", "cipher", "keep_first", "keep_last")
    FORM_FIELD_NUMBER: _ClassVar[int]
    HMAC_FIELD_NUMBER: _ClassVar[int]
    CIPHER_FIELD_NUMBER: _ClassVar[int]
    KEEP_FIRST_FIELD_NUMBER: _ClassVar[int]
    KEEP_LAST_FIELD_NUMBER: _ClassVar[int]
    form: TokenForm
    hmac: HmacAlgorithm
    cipher: BlockCipher
    keep_first: int
    keep_last: int
    def __init__(self, form: _Optional[_Union[TokenForm, str]] = ..., hmac: _Optional[_Union[HmacAlgorithm, str]] = ..., cipher: _Optional[_Union[BlockCipher, str]] = ..., keep_first: _Optional[int] = ..., keep_last: _Optional[int] = ...) -> None: ...

class Encrypt(_message.Message):
    __slots__ = ("cipher",)
    CIPHER_FIELD_NUMBER: _ClassVar[int]
    cipher: BlockCipher
    def __init__(self, cipher: _Optional[_Union[BlockCipher, str]] = ...) -> None: ...

class Generalize(_message.Message):
    __slots__ = ("kind", "width")
    KIND_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    kind: GeneralizeKind
    width: int
    def __init__(self, kind: _Optional[_Union[GeneralizeKind, str]] = ..., width: _Optional[int] = ...) -> None: ...

class Rule(_message.Message):
    __slots__ = ("audience", "keep", "drop", "mask", "token", "encrypt", "generalize")
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    KEEP_FIELD_NUMBER: _ClassVar[int]
    DROP_FIELD_NUMBER: _ClassVar[int]
    MASK_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    ENCRYPT_FIELD_NUMBER: _ClassVar[int]
    GENERALIZE_FIELD_NUMBER: _ClassVar[int]
    audience: Audience
    keep: Keep
    drop: Drop
    mask: Mask
    token: Token
    encrypt: Encrypt
    generalize: Generalize
    def __init__(self, audience: _Optional[_Union[Audience, str]] = ..., keep: _Optional[_Union[Keep, _Mapping]] = ..., drop: _Optional[_Union[Drop, _Mapping]] = ..., mask: _Optional[_Union[Mask, _Mapping]] = ..., token: _Optional[_Union[Token, _Mapping]] = ..., encrypt: _Optional[_Union[Encrypt, _Mapping]] = ..., generalize: _Optional[_Union[Generalize, _Mapping]] = ...) -> None: ...

class FieldPolicy(_message.Message):
    __slots__ = ("data_class", "semantic", "rules", "required")
    DATA_CLASS_FIELD_NUMBER: _ClassVar[int]
    SEMANTIC_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    data_class: DataClass
    semantic: SemanticType
    rules: _containers.RepeatedCompositeFieldContainer[Rule]
    required: bool
    def __init__(self, data_class: _Optional[_Union[DataClass, str]] = ..., semantic: _Optional[_Union[SemanticType, str]] = ..., rules: _Optional[_Iterable[_Union[Rule, _Mapping]]] = ..., required: _Optional[bool] = ...) -> None: ...

class MethodPolicy(_message.Message):
    __slots__ = ("allowed_roles", "signature_required", "idempotency_key_required", "audit_category", "consent_purpose", "safe_to_retry")
    ALLOWED_ROLES_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    AUDIT_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    CONSENT_PURPOSE_FIELD_NUMBER: _ClassVar[int]
    SAFE_TO_RETRY_FIELD_NUMBER: _ClassVar[int]
    allowed_roles: _containers.RepeatedScalarFieldContainer[Role]
    signature_required: bool
    idempotency_key_required: bool
    audit_category: AuditCategory
    consent_purpose: Purpose
    safe_to_retry: bool
    def __init__(self, allowed_roles: _Optional[_Iterable[_Union[Role, str]]] = ..., signature_required: _Optional[bool] = ..., idempotency_key_required: _Optional[bool] = ..., audit_category: _Optional[_Union[AuditCategory, str]] = ..., consent_purpose: _Optional[_Union[Purpose, str]] = ..., safe_to_retry: _Optional[bool] = ...) -> None: ...

class ServicePolicy(_message.Message):
    __slots__ = ("served_by",)
    SERVED_BY_FIELD_NUMBER: _ClassVar[int]
    served_by: Role
    def __init__(self, served_by: _Optional[_Union[Role, str]] = ...) -> None: ...
