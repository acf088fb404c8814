"""Admin private keys at rest (app.domain.admin_secrets): salted scrypt, its parameters in
the stored string, and the SHA-256 hex digests of older releases still accepted."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from app.domain import admin_secrets, settings
from tests.support.spies import count_scrypt_runs

PRIVATE_KEY = "a-person-chose-this-private-key"


@pytest.fixture(autouse=True)
def cheap_scrypt() -> Iterator[None]:
    previous = settings.current()
    settings.configure(settings.DomainSettings(secret_key="unit", admin_key_scrypt_log_n=4))
    yield
    settings.configure(previous)


def test_the_stored_form_is_a_scrypt_string_that_names_its_parameters() -> None:
    stored = admin_secrets.hash_secret(PRIVATE_KEY)

    assert stored.startswith("$scrypt$ln=4,r=8,p=1$")
    assert PRIVATE_KEY not in stored
    assert len(stored) <= 255  # the column's width (schema version 3)


def test_the_same_private_key_is_stored_differently_each_time_because_of_the_salt() -> None:
    first, second = (admin_secrets.hash_secret(PRIVATE_KEY) for _ in range(2))

    assert first != second
    assert admin_secrets.verify(PRIVATE_KEY, first)
    assert admin_secrets.verify(PRIVATE_KEY, second)


def test_the_right_private_key_matches_and_near_misses_do_not() -> None:
    stored = admin_secrets.hash_secret(PRIVATE_KEY)

    assert admin_secrets.verify(PRIVATE_KEY, stored)
    for wrong in [PRIVATE_KEY[:-1], PRIVATE_KEY + "x", PRIVATE_KEY.upper(), "", "\x00"]:
        assert not admin_secrets.verify(wrong, stored)


def test_a_sha256_hex_digest_of_an_older_release_still_verifies_and_asks_to_be_rewritten() -> None:
    legacy = hashlib.sha256(PRIVATE_KEY.encode()).hexdigest()

    assert admin_secrets.verify(PRIVATE_KEY, legacy)
    assert not admin_secrets.verify(PRIVATE_KEY + "x", legacy)
    assert admin_secrets.needs_rehash(legacy)
    assert not admin_secrets.needs_rehash(admin_secrets.hash_secret(PRIVATE_KEY))


def test_a_hash_made_with_a_lower_cost_than_configured_asks_to_be_rewritten() -> None:
    cheap = admin_secrets.hash_secret(PRIVATE_KEY)
    settings.configure(settings.DomainSettings(secret_key="unit", admin_key_scrypt_log_n=5))

    assert admin_secrets.needs_rehash(cheap)
    assert admin_secrets.verify(PRIVATE_KEY, cheap)  # the parameters come from the string
    stronger = admin_secrets.hash_secret(PRIVATE_KEY)
    assert stronger.startswith("$scrypt$ln=5,")
    assert not admin_secrets.needs_rehash(stronger)


@pytest.mark.parametrize("stored", [
    "",
    "not a hash",
    "$scrypt$ln=4,r=8,p=1$",
    "$scrypt$ln=4,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$",
    "$scrypt$ln=4,r=8,p=1$!!!!!!!!!!!!!!!!!!!!!!$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhcw",
    "$scrypt$ln=99,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhcw",
    "$scrypt$ln=0,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhcw",
    "$scrypt$ln=4,r=0,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhcw",
    "$scrypt$ln=4,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA",
    "0" * 63,
    "A" * 64,  # upper-case hex is no digest any release wrote
])
def test_a_corrupt_stored_value_refuses_the_login_instead_of_raising(stored: str) -> None:
    assert not admin_secrets.verify(PRIVATE_KEY, stored)


def test_refusing_an_unknown_public_key_costs_one_scrypt_run_like_a_wrong_private_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stored = admin_secrets.hash_secret(PRIVATE_KEY)
    legacy = hashlib.sha256(PRIVATE_KEY.encode()).hexdigest()
    runs = count_scrypt_runs(monkeypatch)
    admin_secrets.burn_time("wrong")
    admin_secrets.verify("wrong", stored)
    admin_secrets.verify("wrong", legacy)  # an old row is no quicker to refuse

    assert runs == [1, 1, 1]
