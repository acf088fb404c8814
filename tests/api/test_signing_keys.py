"""Issue 14: client tokens signed with published keys, forged tokens refused, rotation.

PyJWT's JWKS support (PyJWKSet, as PyJWKClient uses it) checks our tokens against what
/.well-known/jwks.json serves; the live-server tests (tests/interop) fetch it over HTTP.
Every forged token is sent to each place that accepts a client token.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from flask.testing import FlaskClient

from app.domain import signing_keys, tokens
from app.domain.signing_keys import SigningKeyUnreadable
from app.models import SigningKey
from tests.support.app import InProcessAdmin as AdminSession
from tests.support.app import empty_postgres_tables, make_app
from tests.support.client_actions import ClientApp, Tokens, clock_moved
from tests.support.http import ADMIN_BASE, CLIENT_BASE, bearer
from tests.support.store import in_database
from tests.support.wire import assert_error, assert_json

ROTATE = "/signing_keys/rotate"  # under ADMIN_BASE
ISSUER = "urn:appservices-auth"


@pytest.fixture(autouse=True)
def _no_key_left_behind(database_url: str) -> Iterator[None]:
    """The PostgreSQL database is shared by the tests that follow: a key encrypted under
    another secret (as some tests here make) would stop their servers' start; and each
    test here starts from no key at all. Emptied through a connection of its own to that
    database: the service's database proxy may still be bound to another test's."""

    def empty() -> None:
        with contextlib.closing(psycopg.connect(database_url, autocommit=True)) as conn:
            if conn.execute("SELECT to_regclass('signing_key')").fetchone() != (None,):
                conn.execute("DELETE FROM signing_key")

    if database_url.startswith("sqlite"):
        yield  # a new file per test
        return
    empty()
    yield
    empty()


def _jwks(client: FlaskClient) -> dict[str, Any]:
    body: dict[str, Any] = assert_json(client.get("/.well-known/jwks.json"), 200)
    return body


def _verify_with_jwks(client: FlaskClient, token: str, audience: str) -> dict[str, Any]:
    """What a backend does: pick the key named by `kid` from the JWKS and check the token."""
    key = jwt.PyJWKSet.from_dict(_jwks(client))[jwt.get_unverified_header(token)["kid"]]
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["ES256"], issuer=ISSUER,
                                        audience=audience)
    return claims


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _accepted_everywhere(realm: ClientApp, access: str, refresh: str) -> list[int]:
    """The status of each place a client token is accepted."""
    return [realm.profile(Tokens(access, refresh, "", "")).status_code,
            realm.client.post(f"{CLIENT_BASE}/auth/session",
                              headers=bearer(refresh)).status_code,
            realm.admin.post(f"{realm.admin_path}/users/verify_token",
                             json={"token": access}).status_code]


def _assert_refused_everywhere(realm: ClientApp, access: str, refresh: str) -> None:
    profile = realm.profile(Tokens(access, refresh, "", ""))
    assert_error(profile, 401, "InvalidSession")
    assert_error(realm.client.post(f"{CLIENT_BASE}/auth/session", headers=bearer(refresh)),
                 401, "InvalidSession")
    assert_error(realm.client.delete(f"{CLIENT_BASE}/auth/session", headers=bearer(refresh)),
                 401, "InvalidSession")
    verified = realm.admin.post(f"{realm.admin_path}/users/verify_token",
                                json={"token": access})
    assert verified.status_code == 401 or verified.status_code == 400, verified.get_json()


def _resigned(token: str, key: Any, algorithm: str, *, headers: dict[str, Any] | None = None,
              **changes: Any) -> str:
    claims = {**_claims(token), **changes}
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


# --- publishing --------------------------------------------------------------------------


def test_tokens_verify_with_the_published_keys(client: FlaskClient, realm: ClientApp,
                                               ann: Tokens) -> None:
    response = client.get("/.well-known/jwks.json")

    assert response.headers["Cache-Control"].startswith("public, max-age=")
    [key] = response.get_json()["keys"]
    assert key["kty"] == "EC" and key["crv"] == "P-256" and key["alg"] == "ES256"
    assert "d" not in key  # never the private part
    for token in (ann.access_token, ann.refresh_token):
        assert jwt.get_unverified_header(token)["kid"] == key["kid"]
        claims = _verify_with_jwks(client, token, realm.client_app_id)
        assert claims["sub"] == ann.user_id and claims["iss"] == ISSUER


def test_openid_configuration_names_the_issuer_and_the_keys(client: FlaskClient) -> None:
    config = assert_json(client.get("/.well-known/openid-configuration"), 200)

    assert config["issuer"] == ISSUER
    assert config["jwks_uri"] == "http://localhost/.well-known/jwks.json"
    assert config["id_token_signing_alg_values_supported"] == ["ES256"]


def test_public_url_is_the_issuer(tmp_path: Path, database_url: str) -> None:
    flask_app = make_app(database_url, tmp_path / "i", PUBLIC_URL="https://auth.example.com")
    config = assert_json(flask_app.test_client().get("/.well-known/openid-configuration"), 200)

    assert config["issuer"] == "https://auth.example.com"
    assert config["jwks_uri"] == "https://auth.example.com/.well-known/jwks.json"


def test_private_keys_are_stored_only_encrypted(app: Flask, ann: Tokens) -> None:
    with in_database(app):
        [row] = SigningKey.select()
    assert "PRIVATE KEY" not in row.private_key_encrypted
    assert json.loads(row.public_jwk).keys() >= {"kid", "x", "y"}


def test_a_changed_secret_key_is_a_clear_start_up_error(app: Flask, database_url: str,
                                                        tmp_path: Path) -> None:
    with pytest.raises(SigningKeyUnreadable, match="SECRET_KEY"):
        make_app(database_url, tmp_path / "other", SECRET_KEY="another-secret-key" * 3)


def test_a_separate_encryption_key_is_used_when_set(database_url: str, tmp_path: Path) -> None:
    make_app(database_url, tmp_path / "a", SIGNING_KEY_ENCRYPTION_KEY="k" * 40)
    # The same database started without it cannot read the key: the setting is used.
    with pytest.raises(SigningKeyUnreadable):
        make_app(database_url, tmp_path / "b")


def test_servers_sharing_the_database_share_the_key(app: Flask, database_url: str,
                                                    tmp_path: Path) -> None:
    with in_database(app):
        first = [row.kid for row in SigningKey.select()]
    make_app(database_url, tmp_path / "second")
    with in_database(app):
        assert [row.kid for row in SigningKey.select()] == first


# --- forged tokens --------------------------------------------------------------------------


def _our_key(app: Flask) -> tuple[str, Any]:
    with in_database(app):
        kid, _, private = signing_keys.signer()
    return kid, private


def test_the_genuine_tokens_are_accepted_everywhere(realm: ClientApp, ann: Tokens) -> None:
    assert _accepted_everywhere(realm, ann.access_token, ann.refresh_token) == [200, 201, 200]


def test_an_unknown_kid_is_refused(realm: ClientApp, ann: Tokens) -> None:
    stranger = ec.generate_private_key(ec.SECP256R1())
    headers = {"kid": "not-one-of-ours"}
    _assert_refused_everywhere(realm, _resigned(ann.access_token, stranger, "ES256",
                                                headers=headers),
                               _resigned(ann.refresh_token, stranger, "ES256", headers=headers))


def test_alg_none_is_refused(app: Flask, realm: ClientApp, ann: Tokens) -> None:
    kid, _ = _our_key(app)
    _assert_refused_everywhere(
        realm, _resigned(ann.access_token, None, "none", headers={"kid": kid}),
        _resigned(ann.refresh_token, None, "none", headers={"kid": kid}))
    _assert_refused_everywhere(realm, _resigned(ann.access_token, None, "none"),
                               _resigned(ann.refresh_token, None, "none"))


def _hmac_with_public_key(token: str, public_pem: bytes, kid: str | None) -> str:
    # PyJWT refuses to HMAC with a PEM key; forge the signature by hand, as an attacker would.
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = {"alg": "HS256", "typ": "JWT", **({"kid": kid} if kid else {})}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(_claims(token)).encode())}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def test_hs256_signed_with_the_public_key_is_refused(client: FlaskClient, realm: ClientApp,
                                                     ann: Tokens) -> None:
    from cryptography.hazmat.primitives import serialization

    [jwk] = _jwks(client)["keys"]
    public = jwt.PyJWK(jwk).key
    for encoding in (public.public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo),
                     json.dumps(jwk).encode()):
        for kid in (jwk["kid"], None):
            _assert_refused_everywhere(
                realm, _hmac_with_public_key(ann.access_token, encoding, kid),
                _hmac_with_public_key(ann.refresh_token, encoding, kid))


def test_another_issuer_or_audience_is_refused(app: Flask, client: FlaskClient,
                                               realm: ClientApp, admin_session: AdminSession,
                                               ann: Tokens) -> None:
    kid, private = _our_key(app)
    other_app = ClientApp.create(client, admin_session, name="other")
    for changes in ({"iss": "https://evil.example.com"}, {"aud": other_app.client_app_id},
                    {"aud": ["x"]}):
        _assert_refused_everywhere(
            realm, _resigned(ann.access_token, private, "ES256", headers={"kid": kid},
                             **changes),
            _resigned(ann.refresh_token, private, "ES256", headers={"kid": kid}, **changes))


# --- rotation ---------------------------------------------------------------------------------


def test_rotation_keeps_everyone_logged_in_until_the_old_tokens_expire(
    app: Flask, client: FlaskClient, realm: ClientApp, admin_session: AdminSession, ann: Tokens
) -> None:
    old_kid, old_private = _our_key(app)
    anonymous = realm.login_anonymously()

    rotated = assert_json(admin_session.post(ROTATE), 201)

    assert rotated["kid"] != old_kid and rotated["signing"] is True
    listed = assert_json(admin_session.get("/signing_keys"), 200)
    assert [key["kid"] for key in listed] == [rotated["kid"], old_kid]
    assert listed[1]["retires_at"] == listed[1]["retired_at"] + 60 * 24 * 3600
    assert not any("private" in name for key in listed for name in key)
    assert {key["kid"] for key in _jwks(client)["keys"]} == {old_kid, rotated["kid"]}
    # The old tokens still work; new ones come from the new key, and verify from the JWKS.
    assert _accepted_everywhere(realm, ann.access_token, ann.refresh_token) == [200, 201, 200]
    fresh = realm.login_with_password("ann@example.com")
    assert jwt.get_unverified_header(fresh.access_token)["kid"] == rotated["kid"]
    _verify_with_jwks(client, fresh.access_token, realm.client_app_id)
    _verify_with_jwks(client, ann.access_token, realm.client_app_id)

    with clock_moved(timedelta(days=60, seconds=1)):
        assert [key["kid"] for key in _jwks(client)["keys"]] == [rotated["kid"]]
        # An anonymous session's refresh token never expires, but its key left the JWKS.
        assert_error(realm.client.post(f"{CLIENT_BASE}/auth/session",
                                       headers=bearer(anonymous.refresh_token)),
                     401, "InvalidSession")
        # Even a fresh-looking token signed by the retired key is refused now.
        forged_exp = _claims(fresh.access_token)["exp"] + 60 * 24 * 3600
        forged = _resigned(fresh.access_token, old_private, "ES256", headers={"kid": old_kid},
                           exp=forged_exp)
        assert_error(realm.profile(Tokens(forged, "", "", "")), 401, "InvalidSession")
        assert realm.login_with_password("ann@example.com").access_token


def test_a_longer_per_app_lifetime_keeps_the_old_key_longer(
    realm: ClientApp, admin_session: AdminSession
) -> None:
    response = admin_session.put(f"{realm.admin_path}/security/refresh_token_expiration",
                                 json={"expiration_time_seconds": 90 * 24 * 3600})
    assert response.status_code == 204, response.get_json()
    assert_json(admin_session.post(ROTATE), 201)
    listed = assert_json(admin_session.get("/signing_keys"), 200)
    assert listed[1]["retires_at"] - listed[1]["retired_at"] == 90 * 24 * 3600


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_rotation_holds_the_write_lock_before_it_reads(
    app: Flask, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a transaction that reads and then writes fails at once ("database is
    locked") when another process committed a write in between: its snapshot is stale, so
    no waiting helps. A rotation reads the apps' refresh lifetimes before it retires the
    key, so it takes the write lock first (the acceptance servers' pruner, writing every
    second, made this a 503 now and then)."""
    other_process = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0,
                                    isolation_level=None)
    read_lifetimes = signing_keys.longest_token_seconds
    seen: list[str] = []

    def read_then_another_process_writes() -> int:
        seconds = read_lifetimes()
        try:
            other_process.execute("UPDATE signing_key SET created_at = created_at - 1")
            seen.append("another process wrote between the read and the write")
        except sqlite3.OperationalError:
            seen.append("the write lock was held")
        return seconds

    monkeypatch.setattr(signing_keys, "longest_token_seconds",
                        read_then_another_process_writes)
    with in_database(app):
        rotated = signing_keys.rotate()
        assert signing_keys.list_keys(fresh=True)[0].kid == rotated.kid  # signing first
    other_process.close()

    assert seen == ["the write lock was held"]


def test_rotation_needs_an_admin(client: FlaskClient) -> None:
    assert_error(client.post(ADMIN_BASE + ROTATE), 401, "InvalidSession")
    assert_error(client.get(f"{ADMIN_BASE}/signing_keys"), 401, "InvalidSession")


# --- HS256 and tokens from before the upgrade --------------------------------------------------


def test_hs256_setting_signs_with_the_secret_as_before(database_url: str, tmp_path: Path) -> None:
    from tests.support.client_actions import client_app_on

    flask_app = make_app(database_url, tmp_path / "hs", TOKEN_SIGNING_ALGORITHM="HS256")
    if not database_url.startswith("sqlite"):
        empty_postgres_tables()
    realm = client_app_on(flask_app)
    ann = realm.register_and_login("ann@example.com")

    assert jwt.get_unverified_header(ann.access_token) == {"alg": "HS256", "typ": "JWT"}
    assert _accepted_everywhere(realm, ann.access_token, ann.refresh_token) == [200, 201, 200]
    # No key is made in this mode (keys of an earlier ES256 period stay published until
    # their tokens expire, so the set is not necessarily empty on a shared database).
    config = flask_app.test_client().get("/.well-known/openid-configuration").get_json()
    assert config["id_token_signing_alg_values_supported"] == ["HS256"]
    assert_error(realm.admin.post(ROTATE), 400, "BadRequest")


def test_a_token_without_kid_from_before_the_upgrade_still_works(app: Flask, realm: ClientApp,
                                                                 ann: Tokens) -> None:
    with in_database(app):
        secret = tokens._signing_key("client")
    old_access = {**_claims(ann.access_token)}
    old_access["iss"] = old_access.pop("baas_id")  # the session, where it used to be
    del old_access["aud"]
    old_refresh = {k: v for k, v in _claims(ann.refresh_token).items() if k not in {"iss", "aud"}}
    access = jwt.encode(old_access, secret, algorithm="HS256")
    refresh = jwt.encode(old_refresh, secret, algorithm="HS256")

    assert _accepted_everywhere(realm, access, refresh) == [200, 201, 200]
    # Not with a kid: a kid means a published key, never the secret.
    kid = jwt.get_unverified_header(ann.access_token)["kid"]
    _assert_refused_everywhere(
        realm, jwt.encode(old_access, secret, algorithm="HS256", headers={"kid": kid}),
        jwt.encode(old_refresh, secret, algorithm="HS256", headers={"kid": kid}))


def test_servers_starting_together_make_one_key(app: Flask) -> None:
    """Several servers' first starts at once (threads here, each its own connection)."""
    import threading

    from app import storage

    with in_database(app):
        SigningKey.delete().execute()
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def start() -> None:
        try:
            with storage.database.connection_context():
                barrier.wait()
                signing_keys.ensure_signing_key()
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    with in_database(app):
        assert SigningKey.select().count() == 1
