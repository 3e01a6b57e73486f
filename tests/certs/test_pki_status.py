"""Status: one row per CA, CRL and leaf, with the state the security team has to act on."""

from __future__ import annotations

from datetime import timedelta

from certs import FrozenClock, Pki, State, StatusRow


def _by_name(rows: list[StatusRow], kind: str = "leaf") -> dict[str, StatusRow]:
    return {r.name: r for r in rows if r.kind == kind}


def test_a_fresh_pki_is_healthy_and_lists_everything(pki: Pki) -> None:
    rows = pki.status()
    assert [r.kind for r in rows] == ["root", "issuing CA", "CRL", "leaf", "leaf", "leaf", "leaf"]
    assert all(r.healthy for r in rows)
    bank = _by_name(rows)["bank"]
    assert bank.spiffe_id == "spiffe://coloan.local/bank/bank"
    assert bank.issuer == "coloan.local Issuing CA issuing-1"
    assert bank.days_left == 30


def test_a_leaf_with_less_than_a_third_of_its_life_left_is_due_for_renewal(pki: Pki, clock: FrozenClock) -> None:
    clock.advance(timedelta(days=19))
    pki.refresh_crls()
    assert _by_name(pki.status())["bank"].state is State.OK
    clock.advance(timedelta(days=1, minutes=1))
    pki.refresh_crls()
    assert _by_name(pki.status())["bank"].state is State.RENEW_SOON


def test_an_expired_leaf_is_reported(pki: Pki, clock: FrozenClock) -> None:
    clock.advance(timedelta(days=31))
    row = _by_name(pki.status())["bank"]
    assert row.state is State.EXPIRED
    assert row.days_left is not None
    assert row.days_left < 0


def test_a_revoked_leaf_that_is_still_deployed_is_reported_until_rotated(pki: Pki) -> None:
    pki.revoke("bank", reason="keyCompromise")
    assert _by_name(pki.status())["bank"].state is State.REVOKED
    pki.rotate("bank")
    assert _by_name(pki.status())["bank"].state is State.OK


def test_a_leaf_not_valid_yet_is_reported(pki: Pki, clock: FrozenClock) -> None:
    clock.advance(timedelta(hours=-1))
    assert _by_name(pki.status())["bank"].state is State.NOT_YET_VALID


def test_a_stale_crl_is_reported(pki: Pki, clock: FrozenClock) -> None:
    clock.advance(timedelta(days=5))
    assert _by_name(pki.status(), "CRL")["issuing-1"].state is State.RENEW_SOON
    clock.advance(timedelta(days=3))
    assert _by_name(pki.status(), "CRL")["issuing-1"].state is State.EXPIRED


def test_a_mismatched_key_is_reported_as_broken_naming_the_file(pki: Pki) -> None:
    other = (pki.layout.current("ops") / "key.pem").read_bytes()
    key = pki.layout.current("bank") / "key.pem"
    key.write_bytes(other)
    row = _by_name(pki.status())["bank"]
    assert row.state is State.BROKEN
    assert str(key.resolve()) in row.detail
    assert "does not match" in row.detail


def test_a_corrupt_certificate_is_reported_as_broken(pki: Pki) -> None:
    (pki.layout.current("bank") / "chain.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\nAAAA\n")
    row = _by_name(pki.status())["bank"]
    assert row.state is State.BROKEN
    assert "not a valid PEM certificate" in row.detail
