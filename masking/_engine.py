"""The engine: compiles and caches one plan per (message type, audience), failures included."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime

from google.protobuf import descriptor_pool
from google.protobuf.descriptor import Descriptor, ServiceDescriptor

from masking._apply import PlanRef
from masking._errors import KeyringError, MaskingError, SchemaError, SchemaProblem
from masking._keyring import AUDIENCES, Keyring
from masking._options import service_messages, shipped_services
from masking._plan import Builder, Plan, PlanRow


def _today() -> date:
    return datetime.now(UTC).date()


class Engine:
    """Masks messages of the given services (the shipped ones by default) with keys from ``keyring``.

    ``today`` (the date age bands are computed at) and ``random`` (nonces) are injectable for tests.
    """

    def __init__(self, keyring: Keyring, services: Iterable[ServiceDescriptor] | None = None, *,
                 today: Callable[[], date] = _today, random: Callable[[int], bytes] = os.urandom) -> None:
        self.services = list(services) if services is not None else shipped_services()
        self._builder = Builder(keyring, today, random)
        self._plans: dict[tuple[Descriptor, int], Plan | MaskingError] = {}
        self._pending: dict[tuple[Descriptor, int], PlanRef] = {}
        self._lock = threading.RLock()

    def plan(self, message: Descriptor | str, audience: int) -> Plan:
        """The plan of ``message`` (a descriptor or a full name) for ``audience``; SchemaError or KeyringError."""
        if audience not in AUDIENCES:
            raise ValueError(f"unknown audience {audience}")
        desc = self._descriptor(message) if isinstance(message, str) else message
        found = self._plans.get((desc, audience))
        if found is None:
            with self._lock:
                found = self._compile(desc, audience)
        if isinstance(found, MaskingError):
            raise found.with_traceback(None)
        return found

    def warm(self) -> int:
        """Build the plan of every message type the services reach, for every audience; the count built.

        Raises one SchemaError listing every problem, or the first KeyringError.
        """
        problems: list[SchemaProblem] = []
        built = 0
        for desc in service_messages(self.services):
            for audience in AUDIENCES:
                try:
                    self.plan(desc, audience)
                    built += 1
                except SchemaError as exc:
                    problems += [p for p in exc.problems if p not in problems]
        if problems:
            raise SchemaError(problems)
        return built

    def _descriptor(self, name: str) -> Descriptor:
        pools = [s.file.pool for s in self.services] + [descriptor_pool.Default()]
        for pool in pools:
            try:
                return pool.FindMessageTypeByName(name)
            except KeyError:
                continue
        raise SchemaError([SchemaProblem(name, "no such message type in the schemas",
                                         "give the full name, e.g. coloan.v1.LoanApplication")])

    def _compile(self, desc: Descriptor, audience: int) -> Plan | MaskingError:
        key = (desc, audience)
        if key in self._plans:
            return self._plans[key]
        try:
            if not self._pending:
                self._builder.check(desc, audience)
            ref = self._pending[key] = PlanRef()
            steps, rows = self._builder.build(desc, audience, lambda d: self._child(d, audience))
            ref.steps = steps
            result: Plan | MaskingError = Plan(desc, audience, rows, ref)
        except (SchemaError, KeyringError) as exc:
            result = exc
        finally:
            self._pending.pop(key, None)
        self._plans[key] = result
        return result

    def _child(self, desc: Descriptor, audience: int) -> tuple[PlanRef, tuple[PlanRow, ...] | None]:
        pending = self._pending.get((desc, audience))
        if pending is not None:
            return pending, None
        found = self._compile(desc, audience)
        if isinstance(found, MaskingError):
            raise found
        return found.ref, found.rows
