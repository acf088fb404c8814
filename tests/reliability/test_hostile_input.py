"""Hostile input: a catalogue of what an attacker (or a broken client) sends, each answered
with the contract's error and nothing changed.

Every entry is sent to a service holding an app, a server key, two users and a user key,
and the whole database (every table but the failed-login counters and the app log, whose
jobs are to count and to record such attempts) is compared before and after. Refusals
that change nothing matter most where the request would destroy something: deletes,
disables, key creation.

Much is shown elsewhere and not repeated here (docs/security.md, "Guarantees"): tests/api/
test_admin_errors.py (non-JSON bodies, bodies that are not objects, content types,
undeclared fields (ignored), wrong types, size limits, malformed ids on every admin path,
unknown routes and methods), test_client_api_keys.py (name rules, foreign and malformed key ids),
test_client_login.py (spoiled keys, usernames nobody can register) and
test_client_sessions.py (forged and swapped tokens, tokens of the other API).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.domain import keys, tokens
from app.models import ALL_MODELS, ApiKey, AppLog, Device, LoginFailure
from tests.support.app import InProcessAdmin, make_app
from tests.support.client_actions import PASSWORD, ClientApp, Tokens, client_app_on, clock_moved
from tests.support.http import ADMIN_BASE, CLIENT_BASE, bearer
from tests.support.store import in_database
from tests.support.wire import assert_error

OVERSIZED = 64 * 1024 + 1  # MAX_BODY_BYTES by default, plus one
HOSTILE_NAMES = {
    "empty": "",
    "10,000 characters": "k" * 10_000,
    "spaces": "my key",
    "a format string": "%s%s%n",
    "quotes": "\"key\"'s",
    "an SQL fragment": "x'); DROP TABLE api_key; --",
    "non-ASCII": "clé-🔑",
    "a NUL byte": "key\x00",
    "a newline": "key\n",
}
SQL_FRAGMENT = "' OR '1'='1' --"


@dataclass
class Scene:
    """What the hostile requests aim at."""

    client: FlaskClient
    admin: InProcessAdmin
    realm: ClientApp
    other: ClientApp  # another app of the same admin
    server_key: dict[str, Any]
    ann: Tokens  # an email/password user with a key
    ann_key: dict[str, Any]
    bob: Tokens  # another user of the app
    foreign_user_id: str  # a user of the other app

    @property
    def keys_path(self) -> str:
        return f"{self.realm.admin_path}/api_keys"


@pytest.fixture
def scene(client: FlaskClient, admin_session: InProcessAdmin) -> Scene:
    realm = ClientApp.create(client, admin_session)
    other = ClientApp.create(client, admin_session, name="otherapp")
    ann = realm.register_and_login("ann@example.com")
    return Scene(
        client=client, admin=admin_session, realm=realm, other=other,
        server_key=realm.create_server_key("service"),
        ann=ann, ann_key=realm.new_user_key(ann, "laptop"),
        bob=realm.register_and_login("bob@example.com"),
        foreign_user_id=other.register_and_login("carol@example.com").user_id,
    )


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, except the failed-login counters and the app log, whose
    jobs are to count and to record such attempts."""
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    for model in ALL_MODELS:
        if model not in (LoginFailure, AppLog):
            rows = cast(list[tuple[Any, ...]], list(model.select().tuples()))
            snapshot[model._meta.table_name] = sorted(rows, key=repr)
    return snapshot


# --- the catalogue -------------------------------------------------------------------------


Send = Callable[[Scene], TestResponse]


@dataclass(frozen=True)
class Attempt:
    name: str
    send: Send
    status: int
    error_code: str


def _raw(method: str, path: str, body: bytes | str, content_type: str | None = None,
         token: Callable[[Scene], str] | None = None) -> Send:
    def send(scene: Scene) -> TestResponse:
        headers = bearer(token(scene)) if token else {}
        if content_type:
            headers["Content-Type"] = content_type
        return scene.client.open(path.format(keys=scene.keys_path, app=scene.realm.client_app_id),
                                 method=method, data=body, headers=headers)
    return send


def _admin_access(scene: Scene) -> str:
    return scene.admin.access_token


def _ann_refresh(scene: Scene) -> str:
    return scene.ann.refresh_token


def _with_claims(token: str, **changes: Any) -> str:
    """The token's claims, changed, signed again with the service's own client key."""
    claims = {**jwt.decode(token, options={"verify_signature": False}), **changes}
    return tokens.encode("client", claims)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _alg_none(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def _tampered(token: str, **changes: Any) -> str:
    """Claims changed, the original signature kept."""
    head, _payload, signature = token.split(".")
    claims = {**jwt.decode(token, options={"verify_signature": False}), **changes}
    return f"{head}.{_b64(claims)}.{signature}"


def _delete_ann_with(make_token: Callable[[Scene], str]) -> Send:
    """DELETE /auth/delete (the caller deletes itself) with a token made from ann's."""
    return lambda scene: scene.client.delete(f"{CLIENT_BASE}/auth/delete",
                                             headers=bearer(make_token(scene)))


def _create_user_key_with(make_token: Callable[[Scene], str]) -> Send:
    return lambda scene: scene.client.post(f"{CLIENT_BASE}/auth/api_keys", json={"name": "x"},
                                           headers=bearer(make_token(scene)))


def _delete_app_with(make_token: Callable[[Scene], str]) -> Send:
    return lambda scene: scene.client.delete(f"{ADMIN_BASE}{scene.realm.admin_path}",
                                             headers=bearer(make_token(scene)))


def _expired_delete(scene: Scene) -> TestResponse:
    with clock_moved(timedelta(minutes=31)):
        return _delete_ann_with(lambda s: s.ann.access_token)(scene)


def _server_key_named(name: str) -> Send:
    return lambda scene: scene.admin.post(scene.keys_path, json={"name": name})


def _user_key_named(name: str) -> Send:
    return lambda scene: scene.realm.post("/auth/api_keys", scene.ann.refresh_token,
                                          json={"name": name})


def _app_named(name: str) -> Send:
    return lambda scene: scene.admin.post(scene.admin.apps_path, json={"name": name})


def _name_attempts() -> list[Attempt]:
    attempts: list[Attempt] = []
    for label, name in HOSTILE_NAMES.items():
        attempts += [
            Attempt(f"server key named with {label}", _server_key_named(name),
                    400, "InvalidParameter"),
            Attempt(f"user key named with {label}", _user_key_named(name),
                    400, "InvalidParameter"),
            Attempt(f"app named with {label}", _app_named(name), 400, "InvalidParameter"),
        ]
    return attempts


DEEP = b"[" * 20_000 + b"]" * 20_000  # well under the size limit; a RecursionError was a 500
TOO_DEEP = b'{"name": ' + b"[" * 32 + b"]" * 32 + b"}"  # one level past the limit
# More digits than Python converts to an int (4,300): json.loads raised a plain ValueError,
# a 500, in whatever field it came, a field the view ignores included.
LONG_NUMBER = b'{"ignored": ' + b"9" * 5_000 + b"}"


def _deeply_nested(path: Callable[[Scene], str], token: Callable[[Scene], str] | None = None,
                   method: str = "POST", body: bytes = DEEP) -> Send:
    def send(scene: Scene) -> TestResponse:
        headers = {"Content-Type": "application/json", **(bearer(token(scene)) if token else {})}
        return scene.client.open(path(scene), method=method, data=body, headers=headers)
    return send


def _nesting_attempts() -> list[Attempt]:
    bodies: list[tuple[str, Callable[[Scene], str], Callable[[Scene], str] | None, str]] = [
        ("an admin login", lambda s: f"{ADMIN_BASE}/auth/providers/mongodb-cloud/login",
         None, "POST"),
        ("creating an app", lambda s: ADMIN_BASE + s.admin.apps_path, _admin_access, "POST"),
        ("adding a provider", lambda s: f"{ADMIN_BASE}{s.realm.admin_path}/auth_providers",
         _admin_access, "POST"),
        ("changing a provider", lambda s: f"{ADMIN_BASE}{s.realm.admin_path}/auth_providers/"
         f"{s.admin.provider(s.realm.app_id, 'local-userpass')['_id']}", _admin_access, "PATCH"),
        ("creating a server key", lambda s: ADMIN_BASE + s.keys_path, _admin_access, "POST"),
        ("creating a user", lambda s: f"{ADMIN_BASE}{s.realm.admin_path}/users",
         _admin_access, "POST"),
        ("verifying a token", lambda s: f"{ADMIN_BASE}{s.realm.admin_path}/users/verify_token",
         _admin_access, "POST"),
        ("an api-key login", lambda s: s.realm.app_url("/auth/providers/api-key/login"),
         None, "POST"),
        ("an anonymous login", lambda s: s.realm.app_url("/auth/providers/anon-user/login"),
         None, "POST"),
        ("a registration",
         lambda s: s.realm.app_url("/auth/providers/local-userpass/register"), None, "POST"),
        ("creating a user key", lambda s: f"{CLIENT_BASE}/auth/api_keys", _ann_refresh, "POST"),
    ]
    attempts: list[Attempt] = []
    for label, path, token, method in bodies:
        attempts += [
            Attempt(f"a body nested 20,000 levels deep: {label}",
                    _deeply_nested(path, token, method), 400, "InvalidParameter"),
            Attempt(f"a body nested 33 levels deep: {label}",
                    _deeply_nested(path, token, method, TOO_DEEP), 400, "InvalidParameter"),
            Attempt(f"a number of 5,000 digits: {label}",
                    _deeply_nested(path, token, method, LONG_NUMBER), 400, "InvalidParameter"),
        ]
    return attempts


CATALOGUE: list[Attempt] = [
    # bodies
    Attempt("malformed JSON creating a server key",
            _raw("POST", ADMIN_BASE + "{keys}", b'{"name": ', "application/json",
                 _admin_access), 400, "InvalidParameter"),
    Attempt("malformed JSON creating a user key",
            _raw("POST", CLIENT_BASE + "/auth/api_keys", b"{'name': 'x'}", "application/json",
                 _ann_refresh), 400, "InvalidParameter"),
    Attempt("malformed JSON logging in",
            _raw("POST", CLIENT_BASE + "/app/{app}/auth/providers/api-key/login", b'{"key":',
                 "application/json"), 400, "InvalidParameter"),
    Attempt("a JSON array creating a server key",
            _raw("POST", ADMIN_BASE + "{keys}", b'[{"name": "x"}]', "application/json",
                 _admin_access), 400, "InvalidParameter"),
    Attempt("JSON sent as text/plain creating a server key",
            _raw("POST", ADMIN_BASE + "{keys}", b'{"name": "x"}', "text/plain",
                 _admin_access), 400, "InvalidParameter"),
    Attempt("a form posted to a login",
            _raw("POST", CLIENT_BASE + "/app/{app}/auth/providers/local-userpass/login",
                 b"username=ann%40example.com&password=x",
                 "application/x-www-form-urlencoded"), 400, "InvalidParameter"),
    Attempt("an empty body creating a server key",
            _raw("POST", ADMIN_BASE + "{keys}", b"", "application/json", _admin_access),
            400, "MissingParameter"),
    Attempt("an empty body creating a user key",
            _raw("POST", CLIENT_BASE + "/auth/api_keys", b"", "application/json",
                 _ann_refresh), 400, "MissingParameter"),
    Attempt("an oversized body creating a server key",
            _raw("POST", ADMIN_BASE + "{keys}", json.dumps({"name": "k" * OVERSIZED}),
                 "application/json", _admin_access), 413, "InvalidParameter"),
    Attempt("an oversized body creating a user key",
            _raw("POST", CLIENT_BASE + "/auth/api_keys", b" " * OVERSIZED, "application/json",
                 _ann_refresh), 413, "InvalidParameter"),
    Attempt("an oversized login",
            _raw("POST", CLIENT_BASE + "/app/{app}/auth/providers/api-key/login",
                 json.dumps({"key": "k" * OVERSIZED}), "application/json"),
            413, "InvalidParameter"),
    *_nesting_attempts(),
    # names
    *_name_attempts(),
    # credentials that are SQL
    Attempt("an SQL fragment as a key",
            lambda s: s.realm.login("api-key", {"key": SQL_FRAGMENT}), 401, "AuthError"),
    Attempt("an SQL fragment as a username",
            lambda s: s.realm.login("local-userpass",
                                    {"username": SQL_FRAGMENT, "password": SQL_FRAGMENT}),
            401, "InvalidPassword"),
    Attempt("an SQL fragment as the admin's public key",
            lambda s: s.client.post(f"{ADMIN_BASE}/auth/providers/mongodb-cloud/login",
                                    json={"username": SQL_FRAGMENT, "apiKey": SQL_FRAGMENT}),
            401, "AuthError"),
    # ids: malformed, and someone else's
    Attempt("deleting a server key by an SQL fragment",
            lambda s: s.admin.delete(f"{s.keys_path}/{quote(SQL_FRAGMENT, safe='')}"),
            404, "APIKeyNotFound"),
    Attempt("deleting a user key's id as a server key",
            lambda s: s.admin.delete(f"{s.keys_path}/{s.ann_key['_id']}"),
            404, "APIKeyNotFound"),
    Attempt("disabling another app's user",
            lambda s: s.admin.put(f"{s.realm.admin_path}/users/{s.foreign_user_id}/disable"),
            404, "UserNotFound"),
    Attempt("deleting another app's user",
            lambda s: s.admin.delete(f"{s.realm.admin_path}/users/{s.foreign_user_id}"),
            404, "UserNotFound"),
    Attempt("deleting another user's key",
            lambda s: s.realm.delete(f"/auth/api_keys/{s.ann_key['_id']}", s.bob.refresh_token),
            404, "APIKeyNotFound"),
    Attempt("disabling a server key through the client API",
            lambda s: s.realm.put(f"/auth/api_keys/{s.server_key['_id']}/disable",
                                  s.ann.refresh_token), 404, "APIKeyNotFound"),
    Attempt("deleting a user key by a malformed id",
            lambda s: s.realm.delete("/auth/api_keys/" + "Z" * 24, s.ann.refresh_token),
            404, "APIKeyNotFound"),
    Attempt("deleting an app by another group's id",
            lambda s: s.admin.delete(f"/groups/{'0' * 24}/apps/{s.realm.app_id}"),
            404, "GroupNotFound"),
    # tokens
    Attempt("deleting oneself with alg none",
            _delete_ann_with(lambda s: _alg_none(s.ann.access_token)), 401, "InvalidSession"),
    Attempt("deleting oneself with a token signed by another key",
            _delete_ann_with(lambda s: jwt.encode(
                jwt.decode(s.ann.access_token, options={"verify_signature": False}),
                "another-key-of-enough-length-for-hs256", algorithm="HS256")),
            401, "InvalidSession"),
    Attempt("deleting another user with tampered claims",
            _delete_ann_with(lambda s: _tampered(s.ann.access_token, sub=s.bob.user_id)),
            401, "InvalidSession"),
    Attempt("deleting oneself with a token of the wrong typ",
            _delete_ann_with(lambda s: _with_claims(s.ann.access_token, typ="id")),
            401, "InvalidSession"),
    Attempt("deleting oneself with an expired access token",
            _expired_delete, 401, "InvalidSession"),
    Attempt("deleting oneself with the refresh token",
            _delete_ann_with(lambda s: s.ann.refresh_token), 401, "InvalidSession"),
    Attempt("creating a key with the access token",
            _create_user_key_with(lambda s: s.ann.access_token), 401, "InvalidSession"),
    Attempt("creating a key with a refresh token whose session is another's",
            _create_user_key_with(lambda s: _with_claims(s.ann.refresh_token,
                                                         sub=s.bob.user_id)),
            401, "InvalidSession"),
    Attempt("deleting an app with alg none",
            _delete_app_with(lambda s: _alg_none(s.admin.access_token)), 401, "InvalidSession"),
    Attempt("deleting an app with a client token",
            _delete_app_with(lambda s: s.ann.access_token), 401, "InvalidSession"),
    Attempt("deleting an app with the admin's refresh token",
            _delete_app_with(lambda s: s.admin.refresh_token), 401, "InvalidSession"),
]


def test_every_hostile_request_gets_the_contracts_error_and_changes_nothing(
    app: Flask, scene: Scene, subtests: pytest.Subtests
) -> None:
    for attempt in CATALOGUE:
        with subtests.test(attempt.name):
            with in_database(app):
                before = _snapshot()

            response = attempt.send(scene)

            assert_error(response, attempt.status, attempt.error_code)
            with in_database(app):
                assert _snapshot() == before


def test_the_catalogue_still_reaches_the_service(app: Flask, scene: Scene) -> None:
    """The scene works: each refusal above is the input's doing, not a broken set-up."""
    assert scene.admin.post(scene.keys_path, json={"name": "fine"}).status_code == 201
    assert scene.realm.login("api-key", {"key": scene.ann_key["key"]}).status_code == 200
    assert scene.realm.login("local-userpass", {"username": "ann@example.com",
                                                "password": PASSWORD}).status_code == 200
    assert scene.realm.post("/auth/api_keys", scene.ann.refresh_token,
                            json={"name": "fine"}).status_code == 201
    assert scene.client.delete(f"{CLIENT_BASE}/auth/delete",
                               headers=bearer(scene.bob.access_token)).status_code == 204


# --- a key with a bad checksum is refused before it is looked up ----------------------------


def _mistyped(key: str) -> str:
    return key[:-1] + ("A" if key[-1] != "A" else "B")


def test_a_key_with_a_bad_checksum_is_refused_before_any_key_is_looked_up(
    app: Flask, scene: Scene, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def no_look_up(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the api_key table was queried")

    monkeypatch.setattr(ApiKey, "select", no_look_up)
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        for key in [_mistyped(scene.server_key["key"]), _mistyped(scene.ann_key["key"]),
                    scene.server_key["key"][:-1], "ask_" + "x" * 49]:
            response = scene.realm.login("api-key", {"key": key})

            assert assert_refused(response)["error"] == "unauthorized"
            assert response.get_json()["error_code"] == "AuthError"
    statements = [str(record.msg[0]) for record in caplog.records
                  if record.name == "peewee" and isinstance(record.msg, tuple)]
    assert statements  # the log is read: app and provider were looked up
    assert not [sql for sql in statements if '"api_key"' in sql]


def test_a_well_formed_key_is_looked_up_so_the_probe_above_would_see_it(
    app: Flask, scene: Scene, monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked_up: list[bool] = []
    select = ApiKey.select

    def counting(*args: Any, **kwargs: Any) -> Any:
        looked_up.append(True)
        return select(*args, **kwargs)

    monkeypatch.setattr(ApiKey, "select", counting)

    answer = scene.realm.login("api-key", {"key": keys.generate(keys.API_KEY_PREFIX)})

    assert answer.status_code == 401
    assert looked_up


# --- hostile text in every text field, query parameter and path parameter ----------------
#
# Each value is spliced into an otherwise valid value of the field, so that what refuses
# the request is the hostile character and nothing else. Lone surrogates (`"\ud800"` in
# the JSON: not Unicode, so nothing can encode them) are refused wherever a JSON body is
# parsed, whichever field holds them; the others (NUL too, which PostgreSQL refuses) by
# the rules of the field (a key, a name, an email, a new password, a provider setting).

HOSTILE_TEXT = {
    "a lone high surrogate": "\ud800",
    "a lone low surrogate": "\udfff",
    "a NUL": "\x00",
    "a CR": "\r",
    "a LF": "\n",
    "a CR LF and a header": "\r\nX-Injected: yes",
    "a tab": "\t",
    "DEL": "\x7f",
    "a C1 control (NEL)": "\x85",
    "a right-to-left override": "\u202e",
    "a first-strong isolate": "\u2068",
    "a line separator": "\u2028",
}
UNENCODABLE = {"a lone high surrogate", "a lone low surrogate"}

TextSend = Callable[[Scene, str], TestResponse]


def _spliced(valid: str, hostile: str) -> str:
    return valid[:1] + hostile + valid[1:]


def _in_url(hostile: str) -> str:
    # A lone surrogate has no UTF-8; a client can still send its CESU-8 bytes.
    return quote(hostile.encode("utf-8", "surrogatepass"), safe="")


def _admin_login(field: str) -> TextSend:
    def send(s: Scene, hostile: str) -> TestResponse:
        body = {"username": s.admin.public_key, "apiKey": s.admin.private_key}
        body[field] = _spliced(body[field], hostile)
        return s.client.post(f"{ADMIN_BASE}/auth/providers/mongodb-cloud/login", json=body)
    return send


def _password_login(field: str) -> TextSend:
    def send(s: Scene, hostile: str) -> TestResponse:
        body = {"username": "ann@example.com", "password": PASSWORD}
        body[field] = _spliced(body[field], hostile)
        return s.realm.login("local-userpass", body)
    return send


def _register(field: str) -> TextSend:
    def send(s: Scene, hostile: str) -> TestResponse:
        body = {"email": "dan@example.com", "password": PASSWORD}
        body[field] = _spliced(body[field], hostile)
        return s.client.post(s.realm.app_url("/auth/providers/local-userpass/register"),
                             json=body)
    return send


def _admin_new_user(field: str) -> TextSend:
    def send(s: Scene, hostile: str) -> TestResponse:
        body = {"email": "eve@example.com", "password": PASSWORD}
        body[field] = _spliced(body[field], hostile)
        return s.admin.post(f"{s.realm.admin_path}/users", json=body)
    return send


def _new_provider(field: str) -> TextSend:
    def send(s: Scene, hostile: str) -> TestResponse:
        body = {"type": "anon-user", "name": "anon-user"}
        body[field] = _spliced(body[field], hostile)
        return s.admin.post(f"{s.realm.admin_path}/auth_providers", json=body)
    return send


def _provider_setting(s: Scene, hostile: str) -> TestResponse:
    provider = s.admin.provider(s.realm.app_id, "local-userpass")
    return s.admin.patch(f"{s.realm.admin_path}/auth_providers/{provider['_id']}",
                         json={"config": {"autoConfirm": True,
                                          "resetPasswordSubject": _spliced("Reset", hostile)}})


def _users_listed(parameter: str, valid: str) -> TextSend:
    return lambda s, hostile: s.admin.get(
        f"{s.realm.admin_path}/users?{parameter}={_in_url(_spliced(valid, hostile))}")


TEXT_FIELDS: dict[str, TextSend] = {
    # the Client API
    "api-key login: key": lambda s, h: s.realm.login("api-key",
                                                     {"key": _spliced(s.ann_key["key"], h)}),
    "email/password login: username": _password_login("username"),
    "email/password login: password": _password_login("password"),
    "registration: email": _register("email"),
    "registration: password": _register("password"),
    "user key: name": lambda s, h: s.realm.post("/auth/api_keys", s.ann.refresh_token,
                                                json={"name": _spliced("laptop2", h)}),
    "login query: link": lambda s, h: s.client.post(
        s.realm.app_url(f"/auth/providers/anon-user/login?link={_in_url(_spliced('true', h))}"),
        json={}, headers=bearer(s.ann.access_token)),
    "login path: client app id": lambda s, h: s.client.post(
        f"{CLIENT_BASE}/app/{_in_url(_spliced(s.realm.client_app_id, h))}"
        "/auth/providers/anon-user/login", json={}),
    "login path: provider": lambda s, h: s.client.post(
        s.realm.app_url(f"/auth/providers/{_in_url(_spliced('anon-user', h))}/login"), json={}),
    "location path: client app id": lambda s, h: s.client.get(
        f"{CLIENT_BASE}/app/{_in_url(_spliced(s.realm.client_app_id, h))}/location"),
    "user key path: id": lambda s, h: s.realm.delete(
        f"/auth/api_keys/{_in_url(_spliced(s.ann_key['_id'], h))}", s.ann.refresh_token),
    # the Admin API
    "admin login: public key": _admin_login("username"),
    "admin login: private key": _admin_login("apiKey"),
    "app: name": lambda s, h: s.admin.post(s.admin.apps_path,
                                           json={"name": _spliced("newapp", h)}),
    "provider: type": _new_provider("type"),
    "provider: name": _new_provider("name"),
    "provider: a setting": _provider_setting,
    "server key: name": lambda s, h: s.admin.post(s.keys_path,
                                                  json={"name": _spliced("service2", h)}),
    "new user: email": _admin_new_user("email"),
    "new user: password": _admin_new_user("password"),
    "verify token: token": lambda s, h: s.admin.post(
        f"{s.realm.admin_path}/users/verify_token",
        json={"token": _spliced(s.ann.access_token, h)}),
    "users query: after": _users_listed("after", "0" * 24),
    "users query: sort": _users_listed("sort", "_id"),
    "users query: desc": _users_listed("desc", "true"),
    "users query: status": _users_listed("status", "enabled"),
    "users query: provider_types": _users_listed("provider_types", "api-key"),
    "admin path: group id": lambda s, h: s.admin.delete(
        f"/groups/{_in_url(_spliced(s.admin.group_id, h))}/apps/{s.realm.app_id}"),
    "admin path: app id": lambda s, h: s.admin.delete(
        f"{s.admin.apps_path}/{_in_url(_spliced(s.realm.app_id, h))}"),
    "admin path: server key id": lambda s, h: s.admin.delete(
        f"{s.keys_path}/{_in_url(_spliced(s.server_key['_id'], h))}"),
    "admin path: user id": lambda s, h: s.admin.delete(
        f"{s.realm.admin_path}/users/{_in_url(_spliced(s.bob.user_id, h))}"),
    "admin path: provider id": lambda s, h: s.admin.delete(
        f"{s.realm.admin_path}/auth_providers/"
        f"{_in_url(_spliced(s.admin.provider(s.realm.app_id, 'anon-user')['_id'], h))}"),
}


def assert_refused(response: TestResponse) -> dict[str, str]:
    """A 4xx in the contract's envelope: `{"error", "error_code", "link"}`, all strings."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers.get("Content-Type") == "application/json"
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error", "error_code", "link"}, body
    assert all(isinstance(value, str) and value for value in body.values()), body
    return cast(dict[str, str], body)


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_hostile_text_in_any_field_is_refused_in_the_envelope_and_changes_nothing(
    app: Flask, scene: Scene, field: str, subtests: pytest.Subtests
) -> None:
    send = TEXT_FIELDS[field]
    for label, hostile in HOSTILE_TEXT.items():
        with subtests.test(label):
            with in_database(app):
                before = _snapshot()

            body = assert_refused(send(scene, hostile))

            if label in UNENCODABLE and "path" not in field and "query" not in field:
                assert body["error_code"] == "InvalidParameter", body
            with in_database(app):
                assert _snapshot() == before


def test_the_fields_above_take_their_valid_values(app: Flask, scene: Scene) -> None:
    """Each splice above lands in an otherwise good request: an empty splice succeeds."""
    expected = {
        "api-key login: key": 200, "email/password login: username": 200,
        "email/password login: password": 200, "registration: email": 201,
        "admin login: public key": 200, "admin login: private key": 200,
        "app: name": 201, "provider: a setting": 204, "server key: name": 201,
        "new user: email": 201, "verify token: token": 200, "users query: after": 200,
        "users query: sort": 200, "users query: desc": 200, "users query: status": 200,
        "users query: provider_types": 200, "user key: name": 201,
    }
    for field, status in expected.items():
        response = TEXT_FIELDS[field](scene, "")
        assert response.status_code == status, (field, response.text)


@pytest.mark.parametrize("label", [label for label in HOSTILE_TEXT if label not in UNENCODABLE])
def test_device_details_are_recorded_without_control_characters_and_the_login_goes_on(
    app: Flask, scene: Scene, label: str
) -> None:
    """Device details are only recorded: refusing an SDK's login over how it names its
    platform would lock its users out, so what cannot be shown is dropped instead."""
    hostile = HOSTILE_TEXT[label]
    device = {"appId": f"my{hostile}app", "platform": f"{hostile}chrome",
              "platformVersion": f"126{hostile}", "sdkVersion": "2.0.0"}

    tokens = Tokens.from_response(scene.realm.login("anon-user", {}, device=device))

    with in_database(app):
        recorded = Device.get_by_id(tokens.device_id).info
    shown = "".join(character for character in hostile if character.isprintable())
    assert recorded == {"appId": f"my{shown}app", "platform": f"{shown}chrome",
                        "platformVersion": f"126{shown}", "sdkVersion": "2.0.0"}


@pytest.mark.parametrize("label", sorted(UNENCODABLE))
def test_device_details_that_are_not_text_are_refused_with_the_login(
    app: Flask, scene: Scene, label: str
) -> None:
    with in_database(app):
        before = _snapshot()

    response = scene.realm.login("anon-user", {},
                                 device={"platform": f"chrome{HOSTILE_TEXT[label]}"})

    assert_error(response, 400, "InvalidParameter")
    with in_database(app):
        assert _snapshot() == before


@pytest.mark.parametrize("label", HOSTILE_TEXT)
def test_hostile_forwarded_headers_behind_a_trusted_proxy_are_never_a_server_error(
    app: Flask, database_url: str, tmp_path: Path, label: str
) -> None:
    """X-Forwarded-For names the client whose failed logins are counted; -Host is the
    host the location answers with. Header values are Latin-1 on the wire: a lone
    surrogate arrives as its three bytes."""
    behind_proxy = make_app(database_url, tmp_path / "proxied", TRUSTED_PROXY_HOPS=1)
    realm = client_app_on(behind_proxy)
    hostile = HOSTILE_TEXT[label].encode("utf-8", "surrogatepass").decode("latin-1")
    # Straight into the WSGI environ: the test client, like any HTTP client, refuses CR LF.
    forwarded = {"HTTP_X_FORWARDED_FOR": f"203.0.113.7{hostile}",
                 "HTTP_X_FORWARDED_HOST": f"localhost{hostile}"}

    refused = realm.client.post(realm.app_url("/auth/providers/api-key/login"),
                                json={"key": "ask_wrong"}, environ_overrides=forwarded)
    located = realm.client.get(realm.app_url("/location"), environ_overrides=forwarded)

    assert_error(refused, 401, "AuthError")
    if located.status_code == 200:  # what werkzeug trims off (a tab) never reaches the answer
        assert located.get_json()["hostname"] == "http://localhost"
    else:
        assert_error(located, 400, "InvalidParameter")
