"""Speed of the masking engine, side by side in one run on the same Faker applications.

Usage: python bench/bench_masking.py [--n 2000] [--rounds 5]

1. Non-crypto transforms (the fields that would be tokenized or encrypted are cleared in
   the inputs; both sides still look at them): the compiled plan against a hand-written function that applies the same
   transforms with direct attribute access (the floor for Python), and against a naive
   walk that calls ``ListFields`` and reads the options on every call. Outputs are
   checked equal before anything is timed.
2. Tokens and encryption on: per-message time against the sum of the crypto primitives
   the message needs (AES-GCM seal, HMAC, FF1, each timed alone on the same values),
   and messages per second on one core for BANK and LOG.

Timings are CPU time of the measuring thread (``time.thread_time``), so other work on a
shared machine does not count against either side; each figure is the best of
``--rounds``, the compared functions taking turns within each round. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import hmac
import os
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from google.protobuf.message import Message

from coloan.policy.v1 import options_pb2 as opts
from coloan.v1 import credit_pb2
from gateway.fake import CoLendingFaker
from masking import Engine, Keyring, Plan, field_policy, rule_for
from masking._aead import NONCE, Sealer
from masking._generalize import STAMP_KINDS, address_city, address_province, age_band, generalizer, ip_prefix
from masking._mask import mask_email, mask_keep, mask_name, masker
from masking._options import TIMESTAMP
from masking._token import FpeToken, OpaqueToken

TODAY = date(2026, 6, 1)
CRYPTO_FIELDS = {opts.BANK: ("resident_id", "mobile", "device_id"),
                 opts.LOG: ("borrower_id", "resident_id", "device_id")}


# ---- the hand-written floor: the same transforms, direct attribute access ----

def _no_crypto(p: Any, names: tuple[str, ...]) -> None:
    """The hand-written function still has to look at the fields it would tokenize or encrypt."""
    for name in names:
        if getattr(p, name):
            raise AssertionError("these inputs have their tokenized and encrypted fields cleared")


def hand_log(app: Any) -> None:
    app.DiscardUnknownFields()
    if not app.HasField("profile"):
        return
    p = app.profile
    _no_crypto(p, CRYPTO_FIELDS[opts.LOG])
    if p.full_name:
        p.full_name = mask_name(p.full_name)
    if p.mobile:
        p.mobile = mask_keep(p.mobile, 3, 4)
    for name in ("email", "gender", "employer", "marital_status"):
        if getattr(p, name):
            p.ClearField(name)
    if p.date_of_birth:
        p.date_of_birth = age_band(p.date_of_birth, 10, TODAY)
    if p.HasField("residential_address"):
        a = p.residential_address
        for name in ("city", "district", "street"):
            if getattr(a, name):
                a.ClearField(name)
    if p.work_address:
        p.work_address = address_province(p.work_address)
    if p.monthly_income_fen:
        p.monthly_income_fen = p.monthly_income_fen // 500000 * 500000
    if p.platform_credit_score:
        p.platform_credit_score = p.platform_credit_score // 50 * 50
    if p.HasField("behaviour"):
        b = p.behaviour
        if b.spend_12m_fen:
            b.spend_12m_fen = b.spend_12m_fen // 1000000 * 1000000
        if b.active_loans_elsewhere:
            b.ClearField("active_loans_elsewhere")
    if p.application_ip:
        p.application_ip = ip_prefix(p.application_ip, 24)


def hand_bank(app: Any) -> None:
    app.DiscardUnknownFields()
    if not app.HasField("profile"):
        return
    p = app.profile
    _no_crypto(p, CRYPTO_FIELDS[opts.BANK])
    if p.email:
        p.email = mask_email(p.email)
    if p.HasField("residential_address"):
        _no_crypto(p.residential_address, ("street",))
    if p.work_address:
        p.work_address = address_city(p.work_address)
    if p.application_ip:
        p.application_ip = ip_prefix(p.application_ip, 24)


HAND = {opts.BANK: hand_bank, opts.LOG: hand_log}


# ---- the naive walk: ListFields and options on every call ----

def naive(msg: Any, audience: int) -> None:
    msg.DiscardUnknownFields()
    for fd, value in msg.ListFields():
        mt = fd.message_type
        if mt is not None and mt.full_name != TIMESTAMP and not mt.full_name.startswith("google.protobuf."):
            for child in (value.values() if mt.GetOptions().map_entry else value if fd.is_repeated else [value]):
                naive(child, audience)
            continue
        rule = rule_for(field_policy(fd), audience)  # type: ignore[arg-type]
        action = rule.WhichOneof("action")
        if action == "drop":
            msg.ClearField(fd.name)
        elif action == "mask":
            setattr(msg, fd.name, masker(rule.mask)(value))
        elif action == "generalize" and mt is not None:
            STAMP_KINDS[rule.generalize.kind](value)
        elif action == "generalize":
            setattr(msg, fd.name, generalizer(rule.generalize, lambda: TODAY)(value))


# ---- timing ----

Case = tuple[Callable[[], Any], Callable[[Any], object]]  # (untimed preparation, timed work on its result)


def race(rounds: int, per: int, cases: list[Case]) -> list[float]:
    """Best seconds per message of each case; the cases take turns within every round."""
    times: list[list[float]] = [[] for _ in cases]
    for _ in range(rounds):
        for (prepare, work), bucket in zip(cases, times, strict=True):
            state = prepare()
            gc.disable()
            start = time.thread_time()
            work(state)
            bucket.append((time.thread_time() - start) / per)
            gc.enable()
    return [min(t) for t in times]


def each(data: list[bytes], cls: type[Message], fn: Callable[[Any], object]) -> Case:
    """Apply ``fn`` to fresh messages parsed (untimed) from ``data``."""
    def work(msgs: list[Message]) -> None:
        for m in msgs:
            fn(m)

    return (lambda: [cls.FromString(b) for b in data]), work


def end_to_end(data: list[bytes], cls: type[Message], plan: Plan) -> Case:
    """What the gateway does: parse the received bytes, mask in place, serialize."""
    def work(_: object) -> None:
        for b in data:
            m = cls.FromString(b)
            plan.apply(m)
            m.SerializeToString()

    return (lambda: None), work


def applications(n: int, clear: tuple[str, ...] = ()) -> list[bytes]:
    f = CoLendingFaker(20261203, as_of=datetime(2026, 6, 1, tzinfo=UTC))
    out = []
    for _ in range(n):
        app = f.application()
        for name in clear:
            app.profile.ClearField(name)
        if clear and app.profile.HasField("residential_address"):
            app.profile.residential_address.ClearField("street")
        out.append(app.SerializeToString())
    return out


def non_crypto(engine: Engine, n: int, rounds: int) -> None:
    print("1. non-crypto transforms, per message (tokenized and encrypted fields cleared on every side)")
    cls = credit_pb2.LoanApplication
    for audience in (opts.BANK, opts.LOG):
        data = applications(n, CRYPTO_FIELDS[audience])
        plan = engine.plan(cls.DESCRIPTOR, audience)
        check(data, cls, plan, audience)
        walk_fn: Callable[[Any], None] = lambda m, a=audience: naive(m, a)  # type: ignore[misc]  # noqa: E731
        compiled, hand, walk = race(rounds, len(data), [each(data, cls, plan.apply), each(data, cls, HAND[audience]),
                                                        each(data, cls, walk_fn)])
        name = opts.Audience.Name(audience)  # type: ignore[arg-type]
        print(f"   {name:5} compiled {compiled * 1e6:7.2f} us   hand-written {hand * 1e6:7.2f} us   "
              f"naive walk {walk * 1e6:7.2f} us")
        print(f"         compiled / hand-written = {compiled / hand:.2f}   (target <= 1.5)")
        print(f"         naive walk / compiled   = {walk / compiled:.2f}x speed-up of the compiled plan")


def check(data: list[bytes], cls: type[Message], plan: Plan, audience: int) -> None:
    for b in data[:200]:
        a, h, w = cls.FromString(b), cls.FromString(b), cls.FromString(b)
        plan.apply(a)
        HAND[audience](h)
        naive(w, audience)
        assert a == h == w, "the three implementations disagree"


def crypto_floor(plan: Plan, data: list[bytes], cls: type[Message]) -> Case:
    """The crypto primitives the plan calls on these messages (AES-GCM, HMAC, FF1), alone, on the same values."""
    calls: list[Callable[[], object]] = []
    fns = _leaf_functions(plan)
    for b in data:
        msg, out = cls.FromString(b), cls.FromString(b)
        for d in plan.apply(out):
            fn = fns.get(_schema_path(d.path))
            if d.action in ("encrypt", "token") and fn is not None:
                calls.append(_primitive(fn, _value(msg, d.path)))

    def work(_: object) -> None:
        for c in calls:
            c()

    return (lambda: None), work


def _primitive(fn: Any, value: str) -> Callable[[], object]:
    data = value.encode()
    if isinstance(fn, Sealer):
        aead = fn.aead._aes
        aad = b"coloan.v1.LoanApplication\x00profile.resident_id\x00BANK"
        return lambda: aead.encrypt(os.urandom(NONCE), data, aad)  # type: ignore[union-attr]
    if isinstance(fn, OpaqueToken):
        return lambda: hmac.digest(fn.key, fn.label + data, "sha256")
    assert isinstance(fn, FpeToken)
    middle = value[6:-4]
    return lambda: fn.ff1.encrypt(middle, fn.label)


def _leaf_functions(plan: Plan) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def walk(steps: Any, prefix: str) -> None:
        for s in steps:
            if hasattr(s, "ref"):
                walk(s.ref.steps, prefix + s.name + ".")
            elif hasattr(s, "items"):
                out.update((prefix + name, fn) for name, fn, _ in s.items if fn is not None)
            elif hasattr(s, "fn"):
                out[prefix + s.name] = s.fn

    walk(plan.ref.steps, "")
    return out


def _schema_path(path: str) -> str:
    import re

    return re.sub(r"\[[^]]*\]", "", path)


def _value(msg: Any, path: str) -> str:
    for part in path.split("."):
        msg = getattr(msg, part)
    return str(msg)


def with_crypto(engine: Engine, n: int, rounds: int) -> None:
    print("2. tokens and encryption on")
    f = CoLendingFaker(7, as_of=datetime(2026, 6, 1, tzinfo=UTC))
    kinds = [("LoanApplication", credit_pb2.LoanApplication, [f.application() for _ in range(n)]),
             ("DrawdownRequest", credit_pb2.DrawdownRequest, [f.drawdown() for _ in range(n)])]
    for label, cls, records in kinds:
        data = [r.SerializeToString() for r in records]
        for audience in (opts.BANK, opts.LOG):
            plan = engine.plan(cls.DESCRIPTOR, audience)
            cases = [each(data, cls, plan.apply), crypto_floor(plan, data, cls), end_to_end(data, cls, plan)]
            per, floor, e2e = race(rounds, len(data), cases)
            name = opts.Audience.Name(audience)  # type: ignore[arg-type]
            ratio = f"{per / floor:.2f}" if floor else "n/a"
            print(f"   {label:15} {name:5} apply {per * 1e6:7.2f} us  crypto floor {floor * 1e6:7.2f} us  "
                  f"apply / floor = {ratio}   {1 / per:9,.0f} msgs/s on one core "
                  f"({1 / e2e:,.0f} msgs/s with parse + serialize)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="records per case")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    engine = Engine(Keyring.ephemeral(), today=lambda: TODAY)
    start = time.thread_time()
    built = engine.warm()
    print(f"warm: {built} plans in {(time.thread_time() - start) * 1e3:.1f} ms\n")
    non_crypto(engine, args.n, args.rounds)
    print()
    with_crypto(engine, args.n, args.rounds)


if __name__ == "__main__":
    main()
