"""Listings follow creation order when several processes or servers create the items.

Ids are minted per process (time in seconds, then per-process random bytes): items made
in one second by different gunicorn workers, or by different servers sharing PostgreSQL,
do not sort by id in the order they were made. The database numbers them instead, and
every listing (server keys, users with their `after` pages, a user's own keys) follows it.
"""

from __future__ import annotations

import uuid

from tests.reliability.deployment import CLIENT, Deployment, RealmApp, log_in

COUNT = 12


def _realm(deployment: Deployment) -> RealmApp:
    admin = log_in(deployment, server=0)
    return RealmApp.create(admin, f"order-{uuid.uuid4().hex[:8]}",
                            providers=("api-key", "local-userpass"))


def test_server_keys_and_users_are_listed_in_creation_order(deployment: Deployment) -> None:
    realm = _realm(deployment)
    servers = len(deployment.base_urls)

    # One after the other, in turn on each server (or worker): creation order is known.
    created = [realm.new_server_key(f"key-{number:02d}", server=number % servers)
               for number in range(COUNT)]

    for server in range(servers):
        listed = realm.server_keys(server=server)
        assert [key["_id"] for key in listed] == [key["_id"] for key in created]
    users = realm.users()  # every page, each `after` the last user of the one before
    assert [user["data"]["name"] for user in users] == [key["name"] for key in created]
    descending = realm.admin.request("GET", f"{realm.path}/users",
                                     params={"desc": "true"}).json()
    assert [user["_id"] for user in descending] == [user["_id"] for user in reversed(users)]


def test_users_pages_follow_creation_order(deployment: Deployment) -> None:
    realm = _realm(deployment)
    created = [realm.new_server_key(f"key-{number:02d}")["name"] for number in range(COUNT)]

    first = realm.admin.request("GET", f"{realm.path}/users").json()[:5]
    after = realm.admin.request("GET", f"{realm.path}/users",
                                params={"after": first[-1]["_id"]}).json()

    names = [user["data"]["name"] for user in first + after]
    assert names == created


def test_a_users_own_keys_are_listed_in_creation_order(deployment: Deployment) -> None:
    realm = _realm(deployment)
    realm.register("ada@example.com", server=0)
    tokens = realm.login_with_password("ada@example.com", server=0)
    servers = len(deployment.base_urls)
    names = []
    for number in range(COUNT):
        name = f"device-{number:02d}"
        answer = realm.create_user_key(tokens["refresh_token"], name, server=number % servers)
        assert answer.status_code == 201, answer.text
        names.append(name)

    listed = deployment.request("GET", f"{CLIENT}/auth/api_keys",
                                token=tokens["refresh_token"]).json()

    assert [key["name"] for key in listed] == names
