"""The asymmetric keys that sign client tokens, and their rotation (issue 14).

One key signs at a time (`signing` = 1); the JWKS publishes it and every retired key
whose tokens may still be alive. Private keys are stored only encrypted: AES-256-GCM
under a key derived with HKDF from SIGNING_KEY_ENCRYPTION_KEY, or else SECRET_KEY, so
every server sharing the database and the secret can sign. Each server keeps what it
read for a few seconds (`CACHE_SECONDS`) and decrypts a private key once per process,
so a rotation made by another server is seen within that time.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import peewee
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jwt import PyJWK
from jwt.algorithms import get_default_algorithms

from app import clock
from app.domain import settings
from app.domain.errors import DomainError
from app.models import App, SigningKey
from app.storage import database, write_transaction

ASYMMETRIC = ("ES256", "RS256", "EdDSA")
ALGORITHMS = (*ASYMMETRIC, "HS256")
CACHE_SECONDS = 5.0


class SigningKeyUnreadable(RuntimeError):
    """The stored private key cannot be decrypted: the encryption key changed."""


@dataclass(frozen=True)
class PublicKey:
    kid: str
    algorithm: str
    jwk: dict[str, Any]
    created_at: int
    retired_at: int | None
    retires_at: int | None


# --- encryption at rest ---------------------------------------------------------------

def _encryption_key() -> bytes:
    current = settings.current()
    material = current.signing_key_encryption_key or current.secret_key
    if not material:
        raise RuntimeError("the signing keys' encryption key is not configured")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"appservices-signing-key-encryption").derive(material.encode())


def _encrypt(plaintext: bytes, kid: str) -> str:
    nonce = os.urandom(12)
    # The kid is bound as associated data: a row's ciphertext cannot be moved to another.
    return base64.b64encode(
        nonce + AESGCM(_encryption_key()).encrypt(nonce, plaintext, kid.encode())
    ).decode()


def _decrypt(stored: str, kid: str) -> bytes:
    raw = base64.b64decode(stored)
    try:
        return AESGCM(_encryption_key()).decrypt(raw[:12], raw[12:], kid.encode())
    except InvalidTag:
        raise SigningKeyUnreadable(
            f"the token signing key {kid} stored in the database cannot be decrypted: "
            "SIGNING_KEY_ENCRYPTION_KEY (or, when unset, SECRET_KEY) is not the one it was "
            "made with. Start with the previous value (every server must share it)."
        ) from None


# --- making keys ------------------------------------------------------------------------

def _generate(algorithm: str) -> Any:
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ed25519.Ed25519PrivateKey.generate()


def _new_row(algorithm: str) -> SigningKey:
    private = _generate(algorithm)
    kid = secrets.token_urlsafe(16)
    jwk = json.loads(get_default_algorithms()[algorithm].to_jwk(private.public_key()))
    jwk.update({"kid": kid, "alg": algorithm, "use": "sig"})
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return SigningKey(kid=kid, algorithm=algorithm, public_jwk=json.dumps(jwk),
                      private_key_encrypted=_encrypt(pem, kid), created_at=clock.timestamp(),
                      signing=1)


def longest_token_seconds() -> int:
    """How long the longest-lived non-anonymous token signed now may stay valid."""
    current = settings.current()
    per_app = App.select(peewee.fn.MAX(App.refresh_token_seconds)).scalar() or 0
    return max(current.access_token_seconds, current.refresh_token_seconds, per_app)


def _retire_current(now: int) -> None:
    SigningKey.update(signing=None, retired_at=now,
                      retires_at=now + longest_token_seconds()).where(
        SigningKey.signing == 1).execute()


def ensure_signing_key() -> None:
    """At start-up: make the first key, or a new one when the algorithm setting changed.

    Safe when several servers start together: only one row can have `signing` = 1, the
    loser's insert fails and it uses the winner's key. Also proves at start-up that the
    current key can be decrypted, so a changed SECRET_KEY is a clear error, not a 500.
    """
    invalidate()  # a new app in this process may use another database (tests do)
    algorithm = settings.current().token_signing_algorithm
    if algorithm not in ASYMMETRIC:
        return
    for _ in range(3):
        current = SigningKey.get_or_none(SigningKey.signing == 1)
        if current is not None and current.algorithm == algorithm:
            _decrypt(current.private_key_encrypted, current.kid)
            return
        try:
            with database.atomic():
                if current is not None:
                    _retire_current(clock.timestamp())
                _new_row(algorithm).save(force_insert=True)
        except peewee.IntegrityError:
            continue  # another server made it first; read theirs
        invalidate()
        return


class NotAsymmetric(DomainError):
    status = 400
    error_code = "BadRequest"

    def __init__(self) -> None:
        super().__init__("tokens are signed with HS256 (TOKEN_SIGNING_ALGORITHM): there is "
                         "no signing key to rotate")


def rotate() -> PublicKey:
    """Make a new signing key; the old one stays published until its tokens expire."""
    algorithm = settings.current().token_signing_algorithm
    if algorithm not in ASYMMETRIC:
        raise NotAsymmetric()
    # The write lock first: the retirement reads the apps' lifetimes before it writes, and
    # on SQLite a read-then-write transaction fails outright if another process wrote in
    # between (a stale snapshot; waiting cannot help).
    with write_transaction():
        _retire_current(clock.timestamp())
        row = _new_row(algorithm)
        row.save(force_insert=True)
    invalidate()
    return _public(row)


def _public(row: SigningKey) -> PublicKey:
    return PublicKey(row.kid, row.algorithm, json.loads(row.public_jwk), row.created_at,
                     row.retired_at, row.retires_at)


def list_keys(*, fresh: bool = False) -> list[PublicKey]:
    """Every key still published (the signing one first); never private material.

    `fresh` reads the table rather than this process's cache: what the JWKS and the Admin
    API show must include a key another server made a moment ago, or a verifier that
    fetched the set just after a rotation would refuse the new key's tokens.
    """
    now = clock.timestamp()  # the cache may be older than a retirement
    state = _state(max_age=0) if fresh else _state()
    return [key for key in state.published.values()
            if key.retires_at is None or key.retires_at > now]


# --- the per-process cache -----------------------------------------------------------------

@dataclass(frozen=True)
class _State:
    read_at: float
    signing_kid: str | None
    published: dict[str, PublicKey]  # kid -> key, retired-and-expired ones left out


_lock = threading.Lock()
_cached: _State | None = None
_private: dict[str, Any] = {}  # kid -> decrypted private key, decrypted once
_verifiers: dict[str, PyJWK] = {}  # kid -> parsed public key: parsing costs per request


def verifier(key: PublicKey) -> PyJWK:
    """The public key, parsed once per process, that checks the tokens of `key`."""
    parsed = _verifiers.get(key.kid)
    if parsed is None:
        parsed = _verifiers[key.kid] = PyJWK(key.jwk, algorithm=key.algorithm)
    return parsed


def invalidate() -> None:
    global _cached
    with _lock:
        _cached = None


def _state(*, max_age: float = CACHE_SECONDS) -> _State:
    global _cached
    state = _cached
    if state is not None and time.monotonic() - state.read_at < max_age:
        return state
    now = clock.timestamp()
    rows = SigningKey.select().where(
        (SigningKey.signing == 1) | (SigningKey.retires_at > now)
    ).order_by(SigningKey.signing.desc(nulls="LAST"), SigningKey.created_at.desc())
    published = {row.kid: _public(row) for row in rows}
    signing = next((row.kid for row in rows if row.signing == 1), None)
    state = _State(time.monotonic(), signing, published)
    with _lock:
        _cached = state
    return state


def published_key(kid: str) -> PublicKey | None:
    """The published key named `kid`; an unknown kid re-reads the table once (a rotation
    made by another server a moment ago) before it is refused."""
    state = _state()
    key = state.published.get(kid)
    if key is None and time.monotonic() - state.read_at > 0.5:
        key = _state(max_age=0).published.get(kid)
    if key is not None and key.retires_at is not None and key.retires_at <= clock.timestamp():
        return None  # retired since the cache was read
    return key


def jwks() -> dict[str, Any]:
    return {"keys": [key.jwk for key in list_keys(fresh=True)]}


def signer() -> tuple[str, str, Any]:
    """(kid, algorithm, private key) of the key that signs now."""
    state = _state()
    kid = state.signing_kid
    if kid is None:
        ensure_signing_key()
        state = _state(max_age=0)
        kid = state.signing_kid
        if kid is None:
            raise RuntimeError("no token signing key")
    private = _private.get(kid)
    if private is None:
        row = SigningKey.get_by_id(kid)
        private = serialization.load_pem_private_key(
            _decrypt(row.private_key_encrypted, kid), password=None)
        _private[kid] = private
    return kid, state.published[kid].algorithm, private
