"""The PyJWT instance the service signs and checks its tokens with.

PyJWT (2.11 and later, after GHSA-hxm8-2xgr-2p9m) refuses a token segment holding
anything outside the base64url alphabet by testing each of its characters in a Python
generator. That is right, and slow: an access token is ~700 characters, so every checked
token cost ~100 µs in that loop alone (twice per request: the header is read for its
`kid` first), a fifth of a whole session refresh. Here the same rules are applied by
one regular expression and bytes methods, in C; everything else is PyJWT's own.
`tests/unit/test_jwt_codec.py` holds the two checks to the same answers, segment by
segment, so that a PyJWT release that changes its rules is noticed.
"""

from __future__ import annotations

import binascii
import re

import jwt
from jwt.exceptions import DecodeError
from jwt.utils import base64url_decode, base64url_encode

_UNPADDED_BASE64URL = re.compile(rb"[A-Za-z0-9_-]*")
_MOST_PADDING = 2


def decode_segment(segment: bytes, name: str) -> bytes:
    """Decode one base64url segment of a compact JWS, refusing what PyJWT refuses.

    Trailing `=` padding is accepted (some issuers add it) when the padded length is a
    multiple of four; anything outside the alphabet, an impossible length, or a
    segment that does not encode back to itself is refused.
    """
    stripped = segment.rstrip(b"=")
    padding = len(segment) - len(stripped)
    if (padding > _MOST_PADDING or (padding and len(segment) % 4 != 0)
            or len(stripped) % 4 == 1 or not _UNPADDED_BASE64URL.fullmatch(stripped)):
        raise DecodeError(f"Invalid {name} padding")
    try:
        decoded = base64url_decode(stripped)
    except (TypeError, binascii.Error) as err:
        raise DecodeError(f"Invalid {name} padding") from err
    if base64url_encode(decoded) != stripped:  # non-canonical trailing bits
        raise DecodeError(f"Invalid {name} padding")
    return decoded


class _Jws(jwt.PyJWS):
    """PyJWS with the segment check above."""

    @staticmethod
    def _decode_base64url_segment(segment: bytes, name: str) -> bytes:
        return decode_segment(segment, name)


class _Jwt(jwt.PyJWT):
    """PyJWT whose signature layer is `_Jws`."""

    def __init__(self) -> None:
        super().__init__()
        self._jws = _Jws(options=self._get_sig_options())


codec = _Jwt()
encode = codec.encode
decode = codec.decode


def unverified_header(token: str) -> dict[str, object]:
    """The header of `token` before its signature is checked (to find its key)."""
    header: dict[str, object] = codec._jws.get_unverified_header(token)
    return header
