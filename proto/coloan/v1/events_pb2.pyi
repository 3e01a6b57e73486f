import datetime

from coloan.policy.v1 import options_pb2 as _options_pb2
from coloan.v1 import credit_pb2 as _credit_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RiskAlertType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RISK_ALERT_TYPE_UNSPECIFIED: _ClassVar[RiskAlertType]
    RISK_ALERT_TYPE_FRAUD_SUSPECTED: _ClassVar[RiskAlertType]
    RISK_ALERT_TYPE_MULTI_LENDING: _ClassVar[RiskAlertType]
    RISK_ALERT_TYPE_OVERDUE_RISK: _ClassVar[RiskAlertType]
    RISK_ALERT_TYPE_DEVICE_ANOMALY: _ClassVar[RiskAlertType]
    RISK_ALERT_TYPE_IDENTITY_MISMATCH: _ClassVar[RiskAlertType]

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_UNSPECIFIED: _ClassVar[Severity]
    SEVERITY_LOW: _ClassVar[Severity]
    SEVERITY_MEDIUM: _ClassVar[Severity]
    SEVERITY_HIGH: _ClassVar[Severity]
    SEVERITY_CRITICAL: _ClassVar[Severity]
RISK_ALERT_TYPE_UNSPECIFIED: RiskAlertType
RISK_ALERT_TYPE_FRAUD_SUSPECTED: RiskAlertType
RISK_ALERT_TYPE_MULTI_LENDING: RiskAlertType
RISK_ALERT_TYPE_OVERDUE_RISK: RiskAlertType
RISK_ALERT_TYPE_DEVICE_ANOMALY: RiskAlertType
RISK_ALERT_TYPE_IDENTITY_MISMATCH: RiskAlertType
SEVERITY_UNSPECIFIED: Severity
SEVERITY_LOW: Severity
SEVERITY_MEDIUM: Severity
SEVERITY_HIGH: Severity
SEVERITY_CRITICAL: Severity

class LoanStatusUpdate(_message.Message):
    __slots__ = ("event_id", "loan_id", "state", "days_past_due", "outstanding_principal_fen", "updated_at")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    LOAN_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DAYS_PAST_DUE_FIELD_NUMBER: _ClassVar[int]
    OUTSTANDING_PRINCIPAL_FEN_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    loan_id: str
    state: _credit_pb2.LoanState
    days_past_due: int
    outstanding_principal_fen: int
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, event_id: _Optional[str] = ..., loan_id: _Optional[str] = ..., state: _Optional[_Union[_credit_pb2.LoanState, str]] = ..., days_past_due: _Optional[int] = ..., outstanding_principal_fen: _Optional[int] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RiskAlert(_message.Message):
    __slots__ = ("alert_id", "loan_id", "type", "severity", "borrower_token", "evidence", "raised_at")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    LOAN_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    BORROWER_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    RAISED_AT_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    loan_id: str
    type: RiskAlertType
    severity: Severity
    borrower_token: str
    evidence: str
    raised_at: _timestamp_pb2.Timestamp
    def __init__(self, alert_id: _Optional[str] = ..., loan_id: _Optional[str] = ..., type: _Optional[_Union[RiskAlertType, str]] = ..., severity: _Optional[_Union[Severity, str]] = ..., borrower_token: _Optional[str] = ..., evidence: _Optional[str] = ..., raised_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EventAck(_message.Message):
    __slots__ = ("event_id", "accepted")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    accepted: bool
    def __init__(self, event_id: _Optional[str] = ..., accepted: _Optional[bool] = ...) -> None: ...
