"""Key secrets: shape, checksum and digest (app.domain.keys), without any database."""

from __future__ import annotations

import hashlib

import pytest

from app.domain import keys

KEY = keys.generate(keys.API_KEY_PREFIX)


def test_a_new_key_has_its_prefix_and_passes_its_own_checksum() -> None:
    assert KEY.startswith("ask_")
    assert len(KEY) == len("ask_") + keys.BODY_LENGTH + keys.CHECKSUM_LENGTH
    assert keys.is_well_formed(KEY, keys.API_KEY_PREFIX)


def test_two_new_keys_differ() -> None:
    assert keys.generate(keys.API_KEY_PREFIX) != keys.generate(keys.API_KEY_PREFIX)


@pytest.mark.parametrize("position", range(len("ask_"), len(KEY)))
def test_if_any_character_is_mistyped_then_the_checksum_refuses_the_key(position: int) -> None:
    replacement = "0" if KEY[position] != "0" else "1"
    mistyped = KEY[:position] + replacement + KEY[position + 1:]

    assert not keys.is_well_formed(mistyped, keys.API_KEY_PREFIX)


# Named cases: the key is random, and pytest-xdist needs the same test ids in every worker.
MALFORMED = {
    "empty": "",
    "prefix only": "ask_",
    "one character short": KEY[:-1],
    "one character long": KEY + "0",
    "another prefix": KEY.replace("ask_", "asadm_"),
    "dash instead of underscore": KEY.replace("_", "-"),
    "character outside base62": KEY[:10] + "!" + KEY[11:],
    "leading space": " " + KEY,
}


@pytest.mark.parametrize("value", list(MALFORMED.values()), ids=list(MALFORMED))
def test_if_a_key_is_malformed_then_it_is_refused_without_a_look_up(value: str) -> None:
    assert not keys.is_well_formed(value, keys.API_KEY_PREFIX)


def test_a_key_of_another_kind_is_refused() -> None:
    admin_private_key = keys.generate(keys.ADMIN_PRIVATE_KEY_PREFIX)

    assert keys.is_well_formed(admin_private_key, keys.ADMIN_PRIVATE_KEY_PREFIX)
    assert not keys.is_well_formed(admin_private_key, keys.API_KEY_PREFIX)


def test_the_stored_digest_is_the_sha256_of_the_key_and_does_not_contain_it() -> None:
    stored = keys.digest(KEY)

    assert stored == hashlib.sha256(KEY.encode()).hexdigest()
    assert KEY not in stored
    assert keys.digest(KEY) == stored  # look-ups depend on it being deterministic
