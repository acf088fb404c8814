"""Passwords: bcrypt, where slowness is the point.

bcrypt reads only the first 72 bytes of its input (and bcrypt 5 refuses longer input),
so two long passwords sharing a 72-byte prefix would otherwise both work. We bcrypt
the base64 of the password's SHA-256 instead: 44 bytes, no NUL bytes, the whole
password counts.
"""

from __future__ import annotations

import base64
import hashlib

import bcrypt

from app.domain import settings, text
from app.domain.errors import InvalidParameter

MIN_LENGTH = 6
MAX_LENGTH = 128


def validate(password: str) -> None:
    """Refuse a new password outside the allowed length, or one that cannot be typed."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InvalidParameter(
            f"password must be between {MIN_LENGTH} and {MAX_LENGTH} characters"
        )
    # Only new passwords: a login compares whatever it is sent (and fails), so a password
    # kept before this rule still works.
    text.refuse_control_characters(password, "password")


def _prehash(password: str) -> bytes:
    return base64.b64encode(hashlib.sha256(password.encode()).digest())


def hash_password(password: str) -> str:
    """Return the bcrypt hash to store for `password`."""
    salt = bcrypt.gensalt(rounds=settings.current().bcrypt_rounds)
    return bcrypt.hashpw(_prehash(password), salt).decode()


def check_password(password: str, stored_hash: str) -> bool:
    """Tell whether `password` matches `stored_hash`, in constant time."""
    try:
        return bcrypt.checkpw(_prehash(password), stored_hash.encode())
    except ValueError:  # a corrupt stored hash must not become a 500 or a login
        return False


# A hash to compare against when the user does not exist, so that a missing account
# takes as long to refuse as a wrong password.
_DUMMY_HASH: str | None = None


def burn_time(password: str) -> None:
    """Spend the time of one password check, for accounts that do not exist."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not-a-real-password")
    check_password(password, _DUMMY_HASH)
