"""A key grants only what a key session may do, and nothing outlives the key.

A session opened with an API key (a server key or a user key) may not manage keys nor
delete its user; these tests show it cannot get round that by linking another identity
to its user, and that a server user, which exists only for its key, never gains one.
"""

from __future__ import annotations

import jwt
import pytest

from app.domain import providers
from app.models import Identity, PasswordCredential, Session, User
from app.storage import new_object_id
from tests.support.client_actions import PASSWORD, ClientApp, Tokens
from tests.support.wire import assert_error, assert_json

VICTIM = "victim@example.com"
ATTACKER = "attacker@example.com"


def _identity_types(realm: ClientApp, user_id: str) -> list[str]:
    user = assert_json(realm.admin_user(user_id), 200)
    return sorted(identity["provider_type"] for identity in user["identities"])


def _link_password(realm: ClientApp, tokens: Tokens, email: str) -> None:
    response = realm.login("local-userpass", {"username": email, "password": PASSWORD},
                           link_with=tokens.access_token)
    assert_error(response, 403, "Forbidden")


def test_a_user_key_session_cannot_link_a_password_to_the_keys_owner(
    realm: ClientApp,
) -> None:
    victim = realm.register_and_login(VICTIM)
    leaked = realm.new_user_key(victim, "laptop")["key"]
    realm.register(ATTACKER)
    through_the_key = realm.login_with_key(leaked)

    _link_password(realm, through_the_key, ATTACKER)

    assert _identity_types(realm, victim.user_id) == ["api-key", "local-userpass"]
    # The attacker's password is still only theirs: it logs in as somebody else.
    assert realm.login_with_password(ATTACKER).user_id != victim.user_id


def test_once_the_leaked_user_key_is_deleted_the_attacker_has_nothing_left(
    realm: ClientApp,
) -> None:
    victim = realm.register_and_login(VICTIM)
    leaked = realm.new_user_key(victim, "laptop")
    realm.register(ATTACKER)
    through_the_key = realm.login_with_key(leaked["key"])
    _link_password(realm, through_the_key, ATTACKER)

    assert realm.delete(f"/auth/api_keys/{leaked['_id']}",
                        victim.refresh_token).status_code == 204

    assert_error(realm.post("/auth/session", through_the_key.refresh_token), 401,
                 "InvalidSession")
    assert_error(realm.login("api-key", {"key": leaked["key"]}), 401, "AuthError")
    assert realm.login_with_password(ATTACKER).user_id != victim.user_id


def test_a_server_key_session_cannot_link_a_password_to_the_server_user(
    realm: ClientApp,
) -> None:
    server_key = realm.create_server_key("reporting")
    realm.register(ATTACKER)
    as_server = realm.login_with_key(server_key["key"])

    _link_password(realm, as_server, ATTACKER)

    assert _identity_types(realm, as_server.user_id) == ["api-key"]
    # Disabling the key leaves no way in as the server user.
    assert realm.admin.put(
        f"{realm.admin_path}/api_keys/{server_key['_id']}/disable").status_code == 204
    assert realm.login_with_password(ATTACKER).user_id != as_server.user_id
    assert_error(realm.post("/auth/session", as_server.refresh_token), 401, "InvalidSession")


@pytest.mark.parametrize("provider", ["anon-user", "api-key"])
def test_a_key_session_cannot_link_any_other_identity(realm: ClientApp,
                                                        provider: str) -> None:
    server_key = realm.create_server_key("reporting")
    other_key = realm.create_server_key("other")
    as_server = realm.login_with_key(server_key["key"])
    credentials = {"key": other_key["key"]} if provider == "api-key" else {}

    response = realm.login(provider, credentials, link_with=as_server.access_token)

    assert_error(response, 403, "Forbidden")
    assert _identity_types(realm, as_server.user_id) == ["api-key"]


def test_a_password_linked_to_a_server_user_by_an_earlier_release_no_longer_logs_in(
    realm: ClientApp,
) -> None:
    server_key = realm.create_server_key("reporting")
    as_server = realm.login_with_key(server_key["key"])
    realm.register(ATTACKER)
    # What the attack left behind before linking was refused: the attacker's password
    # identity on the server user.
    credential = PasswordCredential.get(PasswordCredential.email == ATTACKER)
    provider = realm.admin.provider(realm.app_id, "local-userpass")
    Identity.create(id=new_object_id(), user=as_server.user_id, app=realm.app_id,
                    provider_type=providers.LOCAL_USERPASS, provider_id=provider["_id"],
                    external_id=credential.id, created_at=0)

    response = realm.login("local-userpass", {"username": ATTACKER, "password": PASSWORD})

    assert_error(response, 401, "InvalidPassword")
    assert User.get_by_id(as_server.user_id).type == "server"


def test_a_key_session_still_cannot_delete_its_user(realm: ClientApp) -> None:
    victim = realm.register_and_login(VICTIM)
    through_the_key = realm.login_with_key(realm.new_user_key(victim)["key"])

    assert_error(realm.delete("/auth/delete", through_the_key.access_token), 403, "Forbidden")
    assert_json(realm.admin_user(victim.user_id), 200)


def test_a_session_left_by_a_login_that_raced_a_disable_is_refused_everywhere(
    realm: ClientApp,
) -> None:
    server_key = realm.create_server_key("reporting")
    raced = realm.login_with_key(server_key["key"])
    session_row = Session.get_by_id(jwt.decode(raced.refresh_token,
                                               options={"verify_signature": False})["baas_id"])
    assert realm.admin.put(
        f"{realm.admin_path}/api_keys/{server_key['_id']}/disable").status_code == 204
    # What a login racing the disable could leave before the fix: its session, kept.
    Session.insert(session_row.__data__).execute()

    assert_error(realm.post("/auth/session", raced.refresh_token), 401, "InvalidSession")
    assert_error(realm.profile(raced), 401, "InvalidSession")
    verified = realm.admin.post(f"{realm.admin_path}/users/verify_token",
                                json={"token": raced.access_token})
    assert assert_error(verified, 401, "InvalidSession") == "invalid session"
