import datetime

from coloan.policy.v1 import options_pb2 as _options_pb2
from coloan.v1 import borrower_pb2 as _borrower_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LoanPurpose(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOAN_PURPOSE_UNSPECIFIED: _ClassVar[LoanPurpose]
    LOAN_PURPOSE_CONSUMPTION: _ClassVar[LoanPurpose]
    LOAN_PURPOSE_EDUCATION: _ClassVar[LoanPurpose]
    LOAN_PURPOSE_TRAVEL: _ClassVar[LoanPurpose]
    LOAN_PURPOSE_HOME_IMPROVEMENT: _ClassVar[LoanPurpose]
    LOAN_PURPOSE_MEDICAL: _ClassVar[LoanPurpose]

class Decision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECISION_UNSPECIFIED: _ClassVar[Decision]
    DECISION_APPROVE: _ClassVar[Decision]
    DECISION_DECLINE: _ClassVar[Decision]
    DECISION_MANUAL_REVIEW: _ClassVar[Decision]

class LoanState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOAN_STATE_UNSPECIFIED: _ClassVar[LoanState]
    LOAN_STATE_ACTIVE: _ClassVar[LoanState]
    LOAN_STATE_OVERDUE: _ClassVar[LoanState]
    LOAN_STATE_PAID_OFF: _ClassVar[LoanState]
    LOAN_STATE_WRITTEN_OFF: _ClassVar[LoanState]
LOAN_PURPOSE_UNSPECIFIED: LoanPurpose
LOAN_PURPOSE_CONSUMPTION: LoanPurpose
LOAN_PURPOSE_EDUCATION: LoanPurpose
LOAN_PURPOSE_TRAVEL: LoanPurpose
LOAN_PURPOSE_HOME_IMPROVEMENT: LoanPurpose
LOAN_PURPOSE_MEDICAL: LoanPurpose
DECISION_UNSPECIFIED: Decision
DECISION_APPROVE: Decision
DECISION_DECLINE: Decision
DECISION_MANUAL_REVIEW: Decision
LOAN_STATE_UNSPECIFIED: LoanState
LOAN_STATE_ACTIVE: LoanState
LOAN_STATE_OVERDUE: LoanState
LOAN_STATE_PAID_OFF: LoanState
LOAN_STATE_WRITTEN_OFF: LoanState

class LoanApplication(_message.Message):
    __slots__ = ("application_id", "profile", "requested_amount_fen", "term_months", "purpose", "submitted_at")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    TERM_MONTHS_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    profile: _borrower_pb2.BorrowerProfile
    requested_amount_fen: int
    term_months: int
    purpose: LoanPurpose
    submitted_at: _timestamp_pb2.Timestamp
    def __init__(self, application_id: _Optional[str] = ..., profile: _Optional[_Union[_borrower_pb2.BorrowerProfile, _Mapping]] = ..., requested_amount_fen: _Optional[int] = ..., term_months: _Optional[int] = ..., purpose: _Optional[_Union[LoanPurpose, str]] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreditDecision(_message.Message):
    __slots__ = ("application_id", "decision_id", "decision", "credit_line_fen", "apr_bps", "reason_codes", "bank_internal_score", "model_version", "decided_at")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LINE_FEN_FIELD_NUMBER: _ClassVar[int]
    APR_BPS_FIELD_NUMBER: _ClassVar[int]
    REASON_CODES_FIELD_NUMBER: _ClassVar[int]
    BANK_INTERNAL_SCORE_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    decision_id: str
    decision: Decision
    credit_line_fen: int
    apr_bps: int
    reason_codes: _containers.RepeatedScalarFieldContainer[str]
    bank_internal_score: int
    model_version: str
    decided_at: _timestamp_pb2.Timestamp
    def __init__(self, application_id: _Optional[str] = ..., decision_id: _Optional[str] = ..., decision: _Optional[_Union[Decision, str]] = ..., credit_line_fen: _Optional[int] = ..., apr_bps: _Optional[int] = ..., reason_codes: _Optional[_Iterable[str]] = ..., bank_internal_score: _Optional[int] = ..., model_version: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DrawdownRequest(_message.Message):
    __slots__ = ("application_id", "decision_id", "borrower_id", "amount_fen", "term_months", "platform_share_bps", "disbursement_card", "sms_otp")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    BORROWER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    TERM_MONTHS_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_SHARE_BPS_FIELD_NUMBER: _ClassVar[int]
    DISBURSEMENT_CARD_FIELD_NUMBER: _ClassVar[int]
    SMS_OTP_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    decision_id: str
    borrower_id: str
    amount_fen: int
    term_months: int
    platform_share_bps: int
    disbursement_card: str
    sms_otp: str
    def __init__(self, application_id: _Optional[str] = ..., decision_id: _Optional[str] = ..., borrower_id: _Optional[str] = ..., amount_fen: _Optional[int] = ..., term_months: _Optional[int] = ..., platform_share_bps: _Optional[int] = ..., disbursement_card: _Optional[str] = ..., sms_otp: _Optional[str] = ...) -> None: ...

class Installment(_message.Message):
    __slots__ = ("seq", "due_at", "principal_fen", "interest_fen", "total_fen")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FEN_FIELD_NUMBER: _ClassVar[int]
    INTEREST_FEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FEN_FIELD_NUMBER: _ClassVar[int]
    seq: int
    due_at: _timestamp_pb2.Timestamp
    principal_fen: int
    interest_fen: int
    total_fen: int
    def __init__(self, seq: _Optional[int] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., principal_fen: _Optional[int] = ..., interest_fen: _Optional[int] = ..., total_fen: _Optional[int] = ...) -> None: ...

class EContract(_message.Message):
    __slots__ = ("contract_id", "sha256", "signed_at")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIGNED_AT_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    sha256: bytes
    signed_at: _timestamp_pb2.Timestamp
    def __init__(self, contract_id: _Optional[str] = ..., sha256: _Optional[bytes] = ..., signed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Disbursement(_message.Message):
    __slots__ = ("loan_id", "application_id", "contract", "principal_fen", "bank_share_fen", "platform_share_fen", "apr_bps", "disbursement_card", "disbursed_at", "schedule")
    LOAN_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FEN_FIELD_NUMBER: _ClassVar[int]
    BANK_SHARE_FEN_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_SHARE_FEN_FIELD_NUMBER: _ClassVar[int]
    APR_BPS_FIELD_NUMBER: _ClassVar[int]
    DISBURSEMENT_CARD_FIELD_NUMBER: _ClassVar[int]
    DISBURSED_AT_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    loan_id: str
    application_id: str
    contract: EContract
    principal_fen: int
    bank_share_fen: int
    platform_share_fen: int
    apr_bps: int
    disbursement_card: str
    disbursed_at: _timestamp_pb2.Timestamp
    schedule: _containers.RepeatedCompositeFieldContainer[Installment]
    def __init__(self, loan_id: _Optional[str] = ..., application_id: _Optional[str] = ..., contract: _Optional[_Union[EContract, _Mapping]] = ..., principal_fen: _Optional[int] = ..., bank_share_fen: _Optional[int] = ..., platform_share_fen: _Optional[int] = ..., apr_bps: _Optional[int] = ..., disbursement_card: _Optional[str] = ..., disbursed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., schedule: _Optional[_Iterable[_Union[Installment, _Mapping]]] = ...) -> None: ...

class RepaymentNotice(_message.Message):
    __slots__ = ("loan_id", "transaction_id", "installment_seq", "amount_fen", "paid_at", "repayment_card")
    LOAN_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    INSTALLMENT_SEQ_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    PAID_AT_FIELD_NUMBER: _ClassVar[int]
    REPAYMENT_CARD_FIELD_NUMBER: _ClassVar[int]
    loan_id: str
    transaction_id: str
    installment_seq: int
    amount_fen: int
    paid_at: _timestamp_pb2.Timestamp
    repayment_card: str
    def __init__(self, loan_id: _Optional[str] = ..., transaction_id: _Optional[str] = ..., installment_seq: _Optional[int] = ..., amount_fen: _Optional[int] = ..., paid_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., repayment_card: _Optional[str] = ...) -> None: ...

class RepaymentAck(_message.Message):
    __slots__ = ("loan_id", "state", "outstanding_principal_fen")
    LOAN_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    OUTSTANDING_PRINCIPAL_FEN_FIELD_NUMBER: _ClassVar[int]
    loan_id: str
    state: LoanState
    outstanding_principal_fen: int
    def __init__(self, loan_id: _Optional[str] = ..., state: _Optional[_Union[LoanState, str]] = ..., outstanding_principal_fen: _Optional[int] = ...) -> None: ...

class GetLoanRequest(_message.Message):
    __slots__ = ("loan_id",)
    LOAN_ID_FIELD_NUMBER: _ClassVar[int]
    loan_id: str
    def __init__(self, loan_id: _Optional[str] = ...) -> None: ...

class Loan(_message.Message):
    __slots__ = ("loan_id", "state", "principal_fen", "outstanding_principal_fen", "days_past_due", "apr_bps", "schedule", "paid_fen")
    class PaidFenEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: int
        def __init__(self, key: _Optional[int] = ..., value: _Optional[int] = ...) -> None: ...
    LOAN_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FEN_FIELD_NUMBER: _ClassVar[int]
    OUTSTANDING_PRINCIPAL_FEN_FIELD_NUMBER: _ClassVar[int]
    DAYS_PAST_DUE_FIELD_NUMBER: _ClassVar[int]
    APR_BPS_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    PAID_FEN_FIELD_NUMBER: _ClassVar[int]
    loan_id: str
    state: LoanState
    principal_fen: int
    outstanding_principal_fen: int
    days_past_due: int
    apr_bps: int
    schedule: _containers.RepeatedCompositeFieldContainer[Installment]
    paid_fen: _containers.ScalarMap[int, int]
    def __init__(self, loan_id: _Optional[str] = ..., state: _Optional[_Union[LoanState, str]] = ..., principal_fen: _Optional[int] = ..., outstanding_principal_fen: _Optional[int] = ..., days_past_due: _Optional[int] = ..., apr_bps: _Optional[int] = ..., schedule: _Optional[_Iterable[_Union[Installment, _Mapping]]] = ..., paid_fen: _Optional[_Mapping[int, int]] = ...) -> None: ...
