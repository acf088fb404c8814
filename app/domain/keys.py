"""Generating, checking and digesting high-entropy secrets (API keys, admin private keys).

Keys are random, 256 bits from `secrets`, so a single fast digest (SHA-256) is the
right way to store them: nobody can guess a 256-bit value, and a slow hash (bcrypt,
PBKDF2) would buy no safety while capping logins at a few per second per core.
Passwords are the opposite case and go through bcrypt (see passwords.py).

A key reads `<prefix>_<43 base62 characters><6 base62 characters of CRC32>`. The prefix
lets people and secret scanners recognise a leaked key; the checksum lets a mistyped
or truncated key be refused before any database look-up.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as _random
import zlib

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BODY_LENGTH = 43  # 62**43 > 2**256
CHECKSUM_LENGTH = 6  # 62**6 > 2**32

API_KEY_PREFIX = "ask"
ADMIN_PRIVATE_KEY_PREFIX = "asadm"


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, remainder = divmod(number, 62)
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits))


def _checksum(prefix: str, body: str) -> str:
    return _base62(zlib.crc32(f"{prefix}_{body}".encode()), CHECKSUM_LENGTH)


def generate(prefix: str) -> str:
    """Return a new secret with `prefix`, 256 random bits and a checksum."""
    return with_checksum(prefix, "".join(_random.choice(ALPHABET) for _ in range(BODY_LENGTH)))


def with_checksum(prefix: str, body: str) -> str:
    """Return the key with `prefix` and the random `body` (BODY_LENGTH base62 characters)."""
    return f"{prefix}_{body}{_checksum(prefix, body)}"


def is_well_formed(value: str, prefix: str) -> bool:
    """Tell whether `value` could be a key with `prefix`: shape and checksum, no look-up."""
    head, sep, rest = value.partition("_")
    if head != prefix or not sep or len(rest) != BODY_LENGTH + CHECKSUM_LENGTH:
        return False
    if any(char not in ALPHABET for char in rest):
        return False
    body, checksum = rest[:BODY_LENGTH], rest[BODY_LENGTH:]
    return hmac.compare_digest(checksum, _checksum(prefix, body))


def digest(value: str) -> str:
    """Return the hex SHA-256 digest under which a secret is stored and looked up."""
    return hashlib.sha256(value.encode()).hexdigest()
