"""Two accounts can never look identical: emails are one account whatever their case or
Unicode normal form, and bidirectional controls (which make an address display as
another) are refused.

Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import unicodedata

import pytest

from tests.support.client_actions import ClientApp
from tests.support.wire import assert_error, assert_json

COMPOSED = "jos\u00e9@example.com"  # é as one code point (NFC)
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)  # e + combining acute accent


@pytest.mark.parametrize(("first", "second"), [(COMPOSED, DECOMPOSED),
                                               (DECOMPOSED, COMPOSED.upper())])
def test_an_address_in_another_normal_form_or_case_is_the_same_account(
    realm: ClientApp, first: str, second: str
) -> None:
    assert COMPOSED != DECOMPOSED  # they look the same, and are different strings
    first_login = realm.register_and_login(first)

    assert_error(realm.register(second), 409, "AccountNameInUse")
    assert realm.login_with_password(second).user_id == first_login.user_id
    stored = assert_json(realm.admin_user(first_login.user_id), 200)["data"]["email"]
    assert stored == unicodedata.normalize("NFC", first.lower())


def test_an_admin_created_user_is_the_same_account_in_either_normal_form(
    realm: ClientApp,
) -> None:
    created = realm.admin.post(f"{realm.admin_path}/users",
                               json={"email": DECOMPOSED, "password": "correct-horse"})
    assert assert_json(created, 201)["data"]["email"] == COMPOSED

    again = realm.admin.post(f"{realm.admin_path}/users",
                             json={"email": COMPOSED, "password": "correct-horse"})
    assert again.status_code == 409, again.get_data(as_text=True)
    assert realm.login_with_password(COMPOSED, "correct-horse").user_id == created.json["_id"]


@pytest.mark.parametrize("control", ["\u202e", "\u2066", "\u200f", "\u061c"])
def test_an_address_holding_a_bidirectional_control_is_refused(
    realm: ClientApp, control: str
) -> None:
    spoofed = f"ann{control}moc.elpmaxe@example.com"

    assert_error(realm.register(spoofed), 400, "InvalidParameter")
    created = realm.admin.post(f"{realm.admin_path}/users",
                               json={"email": spoofed, "password": "correct-horse"})
    assert_error(created, 400, "InvalidParameter")
