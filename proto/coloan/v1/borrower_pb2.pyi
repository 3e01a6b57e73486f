import datetime

from coloan.policy.v1 import options_pb2 as _options_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Gender(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GENDER_UNSPECIFIED: _ClassVar[Gender]
    GENDER_MALE: _ClassVar[Gender]
    GENDER_FEMALE: _ClassVar[Gender]

class Education(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EDUCATION_UNSPECIFIED: _ClassVar[Education]
    EDUCATION_HIGH_SCHOOL: _ClassVar[Education]
    EDUCATION_VOCATIONAL: _ClassVar[Education]
    EDUCATION_BACHELOR: _ClassVar[Education]
    EDUCATION_MASTER: _ClassVar[Education]
    EDUCATION_DOCTORATE: _ClassVar[Education]

class MaritalStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MARITAL_STATUS_UNSPECIFIED: _ClassVar[MaritalStatus]
    MARITAL_STATUS_SINGLE: _ClassVar[MaritalStatus]
    MARITAL_STATUS_MARRIED: _ClassVar[MaritalStatus]
    MARITAL_STATUS_DIVORCED: _ClassVar[MaritalStatus]
    MARITAL_STATUS_WIDOWED: _ClassVar[MaritalStatus]

class Occupation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OCCUPATION_UNSPECIFIED: _ClassVar[Occupation]
    OCCUPATION_EMPLOYEE: _ClassVar[Occupation]
    OCCUPATION_CIVIL_SERVANT: _ClassVar[Occupation]
    OCCUPATION_SELF_EMPLOYED: _ClassVar[Occupation]
    OCCUPATION_FREELANCER: _ClassVar[Occupation]
    OCCUPATION_STUDENT: _ClassVar[Occupation]
    OCCUPATION_RETIRED: _ClassVar[Occupation]
GENDER_UNSPECIFIED: Gender
GENDER_MALE: Gender
GENDER_FEMALE: Gender
EDUCATION_UNSPECIFIED: Education
EDUCATION_HIGH_SCHOOL: Education
EDUCATION_VOCATIONAL: Education
EDUCATION_BACHELOR: Education
EDUCATION_MASTER: Education
EDUCATION_DOCTORATE: Education
MARITAL_STATUS_UNSPECIFIED: MaritalStatus
MARITAL_STATUS_SINGLE: MaritalStatus
MARITAL_STATUS_MARRIED: MaritalStatus
MARITAL_STATUS_DIVORCED: MaritalStatus
MARITAL_STATUS_WIDOWED: MaritalStatus
OCCUPATION_UNSPECIFIED: Occupation
OCCUPATION_EMPLOYEE: Occupation
OCCUPATION_CIVIL_SERVANT: Occupation
OCCUPATION_SELF_EMPLOYED: Occupation
OCCUPATION_FREELANCER: Occupation
OCCUPATION_STUDENT: Occupation
OCCUPATION_RETIRED: Occupation

class Address(_message.Message):
    __slots__ = ("province", "city", "district", "street")
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    DISTRICT_FIELD_NUMBER: _ClassVar[int]
    STREET_FIELD_NUMBER: _ClassVar[int]
    province: str
    city: str
    district: str
    street: str
    def __init__(self, province: _Optional[str] = ..., city: _Optional[str] = ..., district: _Optional[str] = ..., street: _Optional[str] = ...) -> None: ...

class BehaviourFeatures(_message.Message):
    __slots__ = ("spend_12m_fen", "on_time_repayment_bps", "account_age_days", "active_loans_elsewhere")
    SPEND_12M_FEN_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_REPAYMENT_BPS_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_AGE_DAYS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_LOANS_ELSEWHERE_FIELD_NUMBER: _ClassVar[int]
    spend_12m_fen: int
    on_time_repayment_bps: int
    account_age_days: int
    active_loans_elsewhere: int
    def __init__(self, spend_12m_fen: _Optional[int] = ..., on_time_repayment_bps: _Optional[int] = ..., account_age_days: _Optional[int] = ..., active_loans_elsewhere: _Optional[int] = ...) -> None: ...

class Consent(_message.Message):
    __slots__ = ("consent_id", "purposes", "recipient", "granted_at", "expires_at")
    CONSENT_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSES_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    GRANTED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    consent_id: str
    purposes: _containers.RepeatedScalarFieldContainer[_options_pb2.Purpose]
    recipient: str
    granted_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, consent_id: _Optional[str] = ..., purposes: _Optional[_Iterable[_Union[_options_pb2.Purpose, str]]] = ..., recipient: _Optional[str] = ..., granted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BorrowerProfile(_message.Message):
    __slots__ = ("borrower_id", "full_name", "resident_id", "mobile", "email", "date_of_birth", "gender", "residential_address", "work_address", "employer", "occupation", "education", "marital_status", "monthly_income_fen", "platform_credit_score", "behaviour", "device_id", "application_ip", "consent")
    BORROWER_ID_FIELD_NUMBER: _ClassVar[int]
    FULL_NAME_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    MOBILE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    RESIDENTIAL_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    WORK_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    EMPLOYER_FIELD_NUMBER: _ClassVar[int]
    OCCUPATION_FIELD_NUMBER: _ClassVar[int]
    EDUCATION_FIELD_NUMBER: _ClassVar[int]
    MARITAL_STATUS_FIELD_NUMBER: _ClassVar[int]
    MONTHLY_INCOME_FEN_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_CREDIT_SCORE_FIELD_NUMBER: _ClassVar[int]
    BEHAVIOUR_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_IP_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    borrower_id: str
    full_name: str
    resident_id: str
    mobile: str
    email: str
    date_of_birth: str
    gender: Gender
    residential_address: Address
    work_address: str
    employer: str
    occupation: Occupation
    education: Education
    marital_status: MaritalStatus
    monthly_income_fen: int
    platform_credit_score: int
    behaviour: BehaviourFeatures
    device_id: str
    application_ip: str
    consent: Consent
    def __init__(self, borrower_id: _Optional[str] = ..., full_name: _Optional[str] = ..., resident_id: _Optional[str] = ..., mobile: _Optional[str] = ..., email: _Optional[str] = ..., date_of_birth: _Optional[str] = ..., gender: _Optional[_Union[Gender, str]] = ..., residential_address: _Optional[_Union[Address, _Mapping]] = ..., work_address: _Optional[str] = ..., employer: _Optional[str] = ..., occupation: _Optional[_Union[Occupation, str]] = ..., education: _Optional[_Union[Education, str]] = ..., marital_status: _Optional[_Union[MaritalStatus, str]] = ..., monthly_income_fen: _Optional[int] = ..., platform_credit_score: _Optional[int] = ..., behaviour: _Optional[_Union[BehaviourFeatures, _Mapping]] = ..., device_id: _Optional[str] = ..., application_ip: _Optional[str] = ..., consent: _Optional[_Union[Consent, _Mapping]] = ...) -> None: ...
