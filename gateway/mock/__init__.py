"""Mock partners built with the partner SDK: a bank serving ``CreditService`` and a platform serving
``LoanEventService``, both reachable only through the gateway.

The bank decides from the masked profile (opening the fields encrypted for it), prices
by risk band under the APR cap, funds loans with an equal-installment schedule in fen,
answers a repeated drawdown with the same loan, and publishes loan status updates and
risk alerts to the platform through the gateway, off the request path. The platform
records what it receives and, in client mode, drives applications end to end.

Seams: ``EventSink.send(event)`` (``GatewaySink``; fake ``MemorySink``).

Errors::

    LendingError          a request the bank's rules refuse, with the status it becomes
    StartupError          from gateway.errors: a config (``ConfigError``) or address problem
"""

from __future__ import annotations

from gateway.mock._bank import MockBank
from gateway.mock._book import LoanBook
from gateway.mock._config import MockConfig, load, write_config
from gateway.mock._driver import DRAWDOWN, CallRecord, Case, Driver, Tally, await_events, cases, drive_all
from gateway.mock._errors import LendingError
from gateway.mock._events import EventSink, GatewaySink, MemorySink, Publisher, expected_events
from gateway.mock._lending import Applicant, Assessment, assess, is_risky, price, risk_band, split
from gateway.mock._platform import EventLedger, MockPlatform, read_ledger
from gateway.mock._rpc import OK, Outcome, outcome
from gateway.mock._server import BankApp, MockServer, PlatformApp, gateway_channel, run

__all__ = [
    "DRAWDOWN",
    "OK",
    "Applicant",
    "Assessment",
    "BankApp",
    "CallRecord",
    "Case",
    "Driver",
    "EventLedger",
    "EventSink",
    "GatewaySink",
    "LendingError",
    "LoanBook",
    "MemorySink",
    "MockBank",
    "MockConfig",
    "MockPlatform",
    "MockServer",
    "Outcome",
    "PlatformApp",
    "Publisher",
    "Tally",
    "assess",
    "await_events",
    "cases",
    "drive_all",
    "expected_events",
    "gateway_channel",
    "is_risky",
    "load",
    "outcome",
    "price",
    "read_ledger",
    "risk_band",
    "run",
    "split",
    "write_config",
]
