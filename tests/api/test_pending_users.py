"""A local-userpass provider without autoConfirm: registrations wait for an admin.

Register -> pending (listed) -> login refused with "confirmation required" -> the admin
confirms -> login works. A pending registration can be deleted; the email workflows the
SDKs call answer a 400 that names the admin call doing the job here.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from tests.support.app import InProcessAdmin
from tests.support.client_actions import PASSWORD, ClientApp
from tests.support.wire import assert_error, assert_json, assert_no_content

EMAIL = "ada@example.com"


@pytest.fixture
def realm(client: FlaskClient, admin_session: InProcessAdmin) -> ClientApp:
    """An app whose local-userpass provider waits for the admin's confirmation."""
    app = ClientApp.create(client, admin_session, providers=())
    app.add_provider("local-userpass", config={"autoConfirm": False})
    return app


def _registrations(realm: ClientApp) -> str:
    return f"{realm.admin_path}/user_registrations"


def _pending(realm: ClientApp, **params: str) -> list[dict[str, object]]:
    listed: list[dict[str, object]] = assert_json(
        realm.admin.get(f"{_registrations(realm)}/pending_users", query_string=params), 200)
    return listed


def _login(realm: ClientApp, email: str = EMAIL) -> object:
    return realm.login("local-userpass", {"username": email, "password": PASSWORD})


def test_a_registration_is_pending_until_the_admin_confirms_it(realm: ClientApp) -> None:
    assert realm.register(EMAIL).status_code == 201

    pending = _pending(realm)
    assert [p["login_ids"] for p in pending] == [[{"id_type": "email", "id": EMAIL}]]
    assert pending[0]["user_id"] == ""
    assert_error(_login(realm), 401, "AuthError", says="confirmation required")  # type: ignore[arg-type]

    assert_no_content(realm.admin.post(
        f"{_registrations(realm)}/by_email/{quote(EMAIL)}/confirm"))

    assert _pending(realm) == []
    tokens = realm.login_with_password(EMAIL)
    assert realm.profile(tokens).json["data"]["email"] == EMAIL


def test_a_wrong_password_is_refused_as_wrong_even_when_pending(realm: ClientApp) -> None:
    realm.register(EMAIL)

    response = realm.login("local-userpass", {"username": EMAIL, "password": "wrong-pass"})

    assert_error(response, 401, "InvalidPassword")


def test_confirming_twice_or_an_unknown_email_is_refused(realm: ClientApp) -> None:
    realm.register(EMAIL)
    confirm = f"{_registrations(realm)}/by_email/{quote(EMAIL)}/confirm"
    assert_no_content(realm.admin.post(confirm))

    assert_error(realm.admin.post(confirm), 400, "UserAlreadyConfirmed",
                 says="already confirmed")
    assert_error(realm.admin.post(f"{_registrations(realm)}/by_email/nobody%40x.org/confirm"),
                 404, "UserNotFound")


def test_the_email_in_the_path_is_matched_as_registration_matches_it(realm: ClientApp) -> None:
    realm.register(EMAIL)

    assert_no_content(realm.admin.post(
        f"{_registrations(realm)}/by_email/{quote(EMAIL.upper())}/confirm"))

    realm.login_with_password(EMAIL)


def test_a_pending_registration_can_be_deleted_and_made_again(realm: ClientApp) -> None:
    realm.register(EMAIL)
    delete = f"{_registrations(realm)}/by_email/{quote(EMAIL)}"

    assert_no_content(realm.admin.delete(delete))

    assert _pending(realm) == []
    assert_error(_login(realm), 401, "InvalidPassword")  # type: ignore[arg-type]
    assert_error(realm.admin.delete(delete), 404, "UserNotFound")
    assert realm.register(EMAIL).status_code == 201


def test_a_confirmed_user_is_not_deleted_as_a_pending_one(realm: ClientApp) -> None:
    realm.register(EMAIL)
    assert_no_content(realm.admin.post(
        f"{_registrations(realm)}/by_email/{quote(EMAIL)}/confirm"))

    assert_error(realm.admin.delete(f"{_registrations(realm)}/by_email/{quote(EMAIL)}"),
                 404, "UserNotFound")
    realm.login_with_password(EMAIL)


def test_pending_users_are_listed_in_registration_order_50_a_page(realm: ClientApp) -> None:
    emails = [f"user{number:02d}@example.com" for number in range(52)]
    for email in emails:
        assert realm.register(email).status_code == 201

    first = _pending(realm)
    second = _pending(realm, after=str(first[-1]["_id"]))

    listed = [p["login_ids"][0]["id"] for p in first + second]  # type: ignore[index]
    assert len(first) == 50 and listed == emails


def test_an_auto_confirming_provider_registers_users_confirmed(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    realm = ClientApp.create(client, admin_session, providers=("local-userpass",))

    realm.register_and_login(EMAIL)

    assert _pending(realm) == []


@pytest.mark.parametrize("action", ["confirm", "confirm/send", "confirm/call"])
def test_the_confirmation_workflows_name_the_admin_call(realm: ClientApp, action: str) -> None:
    response = realm.client.post(realm.app_url(f"/auth/providers/local-userpass/{action}"),
                                 json={"token": "t", "tokenId": "i", "email": EMAIL})

    assert_error(response, 400, "BadRequest", says="user_registrations/by_email/{email}/confirm")


@pytest.mark.parametrize("action", ["reset", "reset/send", "reset/call"])
def test_the_password_reset_workflows_name_the_admin_calls(realm: ClientApp, action: str) -> None:
    response = realm.client.post(realm.app_url(f"/auth/providers/local-userpass/{action}"),
                                 json={"email": EMAIL, "password": "new-password-1"})

    message = assert_error(response, 400, "BadRequest")
    assert "DELETE /api/admin/v3.0/groups/{groupId}/apps/{appId}/users/{userId}" in message


def test_an_email_workflow_of_an_unknown_app_is_a_404(client: FlaskClient) -> None:
    response = client.post("/api/client/v2.0/app/nope-abcde/auth/providers/local-userpass/reset")

    assert_error(response, 404, "AppNotFound")
