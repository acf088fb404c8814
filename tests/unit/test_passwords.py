"""Passwords (app.domain.passwords): length rules and bcrypt over the whole password."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.domain import passwords, settings
from app.domain.errors import InvalidParameter


@pytest.fixture(autouse=True)
def fast_bcrypt() -> Iterator[None]:
    previous = settings.current()
    settings.configure(settings.DomainSettings(secret_key="unit", bcrypt_rounds=4))
    yield
    settings.configure(previous)


@pytest.mark.parametrize("length", [6, 7, 127, 128])
def test_a_password_of_6_to_128_characters_is_accepted(length: int) -> None:
    passwords.validate("p" * length)


@pytest.mark.parametrize("length", [0, 5, 129, 1000])
def test_a_password_outside_6_to_128_characters_is_refused(length: int) -> None:
    with pytest.raises(InvalidParameter, match="between 6 and 128"):
        passwords.validate("p" * length)


def test_the_right_password_matches_its_hash_and_a_wrong_one_does_not() -> None:
    stored = passwords.hash_password("correct-horse")

    assert stored.startswith("$2b$04$")
    assert "correct-horse" not in stored
    assert passwords.check_password("correct-horse", stored)
    assert not passwords.check_password("correct-hors", stored)


def test_if_two_passwords_share_their_first_72_bytes_then_only_the_stored_one_works() -> None:
    prefix = "x" * 72
    stored = passwords.hash_password(prefix + "-the-real-ending")

    assert passwords.check_password(prefix + "-the-real-ending", stored)
    assert not passwords.check_password(prefix + "-another-ending", stored)
    assert not passwords.check_password(prefix, stored)


def test_a_non_ascii_password_works() -> None:
    stored = passwords.hash_password("pässwörd-密码")

    assert passwords.check_password("pässwörd-密码", stored)


def test_if_the_stored_hash_is_corrupt_then_the_password_is_refused_not_an_error() -> None:
    assert not passwords.check_password("correct-horse", "not-a-bcrypt-hash")
