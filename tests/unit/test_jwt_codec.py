"""The service's JWS segment check refuses exactly the segments PyJWT's own refuses.

app.domain.jwt_codec replaces PyJWT's per-character check with a regular expression for
speed; a token PyJWT would refuse (junk characters, bad padding, non-canonical bits) must
be refused here too, and every token it accepts must decode to the same bytes.
"""

from __future__ import annotations

import base64
import random

import jwt
import pytest
from jwt.exceptions import DecodeError

from app.domain import jwt_codec

HANDMADE = [
    b"", b"A", b"AA", b"AAA", b"AAAA", b"AB", b"AB==", b"AB=", b"ABC=", b"ABC==", b"AB===",
    b"====", b"A===", b"!!!!", b"ab+/", b"ab-_", b"eyJhbGciOiJIUzI1NiJ9", b"eyJ hbGci",
    b"eyJhbGciOiJIUzI1NiJ9\n", b"\x00AAA", b"AAAA\x00", "é".encode(), b"AB=A", b"=AB",
    b"AC", b"AD", b"AE", b"Ab", b"ABC", b"ABD",  # non-canonical trailing bits included
]


def _outcome(check: object, segment: bytes) -> bytes | str:
    try:
        return check(segment, "Header")  # type: ignore[operator, no-any-return]
    except DecodeError as error:
        return f"refused: {error}"


def _random_segments(count: int) -> list[bytes]:
    chooser = random.Random(20261130)  # the same cases on every run
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.! \x00"
    segments = []
    for _ in range(count):
        if chooser.random() < 0.5:  # mostly well-formed: real encodings, some padded
            raw = bytes(chooser.randrange(256) for _ in range(chooser.randrange(12)))
            encoded = base64.urlsafe_b64encode(raw)
            segments.append(encoded if chooser.random() < 0.3 else encoded.rstrip(b"="))
        else:
            segments.append(bytes(chooser.choice(alphabet)
                                  for _ in range(chooser.randrange(10))))
    return segments


@pytest.mark.parametrize("segment", HANDMADE)
def test_a_segment_gets_the_answer_pyjwt_gives(segment: bytes) -> None:
    ours = _outcome(jwt_codec.decode_segment, segment)
    theirs = _outcome(jwt.PyJWS._decode_base64url_segment, segment)

    assert ours == theirs


def test_random_segments_get_the_answers_pyjwt_gives() -> None:
    segments = _random_segments(2000)

    ours = [_outcome(jwt_codec.decode_segment, segment) for segment in segments]
    theirs = [_outcome(jwt.PyJWS._decode_base64url_segment, segment) for segment in segments]

    assert ours == theirs
    assert 0 < sum(isinstance(answer, bytes) for answer in ours) < len(ours)  # both kinds


def test_the_codec_checks_segments_with_the_fast_check() -> None:
    token = jwt.encode({"sub": "someone"}, "k" * 32, algorithm="HS256")
    junk = token.replace(".", "!.", 1)

    assert jwt_codec.decode(token, "k" * 32, algorithms=["HS256"]) == {"sub": "someone"}
    with pytest.raises(DecodeError, match="Invalid header padding"):
        jwt_codec.decode(junk, "k" * 32, algorithms=["HS256"])
    with pytest.raises(DecodeError):
        jwt_codec.unverified_header(junk)
