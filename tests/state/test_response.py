"""The stored-response encoding: stable bytes (a golden vector), a lossless round trip, fail closed on garbage."""

from __future__ import annotations

import pytest

from gateway.state import BackendError, StoredResponse, decode_response, encode_response

RESPONSE = StoredResponse(b"\x00\nbody", (("x-coloan-sig", "a\nb"), ("名", "值")), (("tokenize", 2),))
GOLDEN = (
    b'{"counts":[["tokenize",2]],"metadata":[["x-coloan-sig","a\\nb"],["\\u540d","\\u503c"]],"v":1}\n'
    b"\x00\nbody"
)


def test_the_encoding_is_the_documented_stable_bytes() -> None:
    assert encode_response(RESPONSE) == GOLDEN


def test_a_response_round_trips_exactly() -> None:
    assert decode_response(GOLDEN) == RESPONSE
    assert decode_response(encode_response(StoredResponse(b""))) == StoredResponse(b"")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"body without a header",
        b'{"counts":[],"metadata":[],"v":1}',  # no newline: the body is missing, not empty
        b'{"counts":[],"metadata":[],"v":2}\nbody',
        b'{"counts":[],"v":1}\nbody',
        b'{"counts":[["n","2"]],"metadata":[],"v":1}\nbody',
        b'{"counts":[],"metadata":[["k",1]],"v":1}\nbody',
        b'{"counts":[],"metadata":[["k","v","w"]],"v":1}\nbody',
        b'{"counts":[["n",true]],"metadata":[],"v":1}\nbody',
        b"[1]\nbody",
        b"\xff\xfe\nbody",
    ],
)
def test_anything_else_is_an_unreadable_record(data: bytes) -> None:
    with pytest.raises(BackendError, match="unreadable"):
        decode_response(data)
