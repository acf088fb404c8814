"""Storing admin private keys: scrypt, salted, its parameters in the stored string.

Client API keys are 256 random bits and stay a plain SHA-256 (see keys.py). An admin
private key may be chosen by a person (APPSERVICES_ADMIN_PRIVATE_KEY), and a fast
unsalted digest of a human-chosen secret falls to a dictionary attack as soon as the
database is stolen. A memory-hard KDF makes each guess cost ~16 MiB and tens of
milliseconds; admin logins are rare, so that cost is affordable where it is paid.

Stored form (the PHC string format, as passlib writes scrypt):

    $scrypt$ln=14,r=8,p=1$<salt, base64 without padding>$<32-byte hash, base64 without padding>

The parameters travel with each hash, so the cost can be raised later
(ADMIN_KEY_SCRYPT_LOG_N): hashes made with less are rewritten at the next login.
Rows written by releases before this one hold a 64-hex-digit SHA-256; they still
verify, and are rewritten as scrypt on their first successful use.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets

from app.domain import keys, settings

PREFIX = "$scrypt$"
BLOCK_SIZE = 8  # scrypt's r: 128 * r bytes per block, the usual 8
PARALLELISM = 1  # scrypt's p
SALT_BYTES = 16
HASH_BYTES = 32
MAX_LOG_N = 20  # 2**20 blocks of 1 KiB: 1 GiB; more is no cost anyone configures
_PHC = re.compile(
    r"^\$scrypt\$ln=(?P<ln>[0-9]{1,2}),r=(?P<r>[0-9]{1,2}),p=(?P<p>[0-9]{1,2})"
    r"\$(?P<salt>[A-Za-z0-9+/]{16,64})\$(?P<hash>[A-Za-z0-9+/]{16,128})$"
)
_LEGACY_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _scrypt(secret: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    n = 1 << log_n
    # OpenSSL refuses work needing more than `maxmem` (32 MiB by default): allow what
    # these parameters need (128 * r * (n + p + 2) bytes) with room to spare.
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * r * (n + p + 2), dklen=HASH_BYTES)


def hash_secret(secret: str) -> str:
    """Return the salted scrypt string to store for `secret`, at the configured cost."""
    log_n = settings.current().admin_key_scrypt_log_n
    salt = secrets.token_bytes(SALT_BYTES)
    derived = _scrypt(secret, salt, log_n, BLOCK_SIZE, PARALLELISM)
    return f"{PREFIX}ln={log_n},r={BLOCK_SIZE},p={PARALLELISM}${_b64(salt)}${_b64(derived)}"


def is_legacy(stored: str) -> bool:
    """Tell whether `stored` is the unsalted SHA-256 hex of releases before scrypt."""
    return bool(_LEGACY_SHA256.fullmatch(stored))


def verify(secret: str, stored: str) -> bool:
    """Tell whether `secret` matches `stored` (scrypt, or the legacy SHA-256 hex)."""
    if is_legacy(stored):
        # Comparing a legacy digest is instant; spend the KDF's time anyway so that a
        # refused login takes as long whichever form the row is in.
        burn_time(secret)
        return hmac.compare_digest(stored, keys.digest(secret))
    match = _PHC.fullmatch(stored)
    if match is None:  # a corrupt row must refuse the login, never raise a 500
        burn_time(secret)
        return False
    log_n, r, p = int(match["ln"]), int(match["r"]), int(match["p"])
    if not (1 <= log_n <= MAX_LOG_N and 1 <= r <= 32 and 1 <= p <= 16):
        burn_time(secret)  # parameters no release writes: refuse, never run them
        return False
    try:
        salt, expected = _unb64(match["salt"]), _unb64(match["hash"])
        derived = _scrypt(secret, salt, log_n, r, p)
    except (ValueError, binascii.Error, MemoryError):  # unusable salt or hash in the row
        return False
    return hmac.compare_digest(derived, expected)


def needs_rehash(stored: str) -> bool:
    """Tell whether `stored` should be rewritten: legacy, or cheaper than configured now."""
    if is_legacy(stored):
        return True
    match = _PHC.fullmatch(stored)
    if match is None:
        return True
    return (int(match["ln"]) < settings.current().admin_key_scrypt_log_n
            or int(match["r"]) < BLOCK_SIZE)


def burn_time(secret: str) -> None:
    """Spend the time of one check, for public keys that do not exist."""
    _scrypt(secret, b"\0" * SALT_BYTES, settings.current().admin_key_scrypt_log_n,
            BLOCK_SIZE, PARALLELISM)
