"""Session tokens (app.domain.tokens): kind, audience, signature and expiry by our clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import jwt
import pytest

from app import clock
from app.domain import settings, tokens
from app.domain.errors import InvalidSession


@pytest.fixture(autouse=True)
def signing_key() -> Iterator[None]:
    previous = settings.current()
    settings.configure(settings.DomainSettings(secret_key="unit-test-secret",
                                                token_signing_algorithm="HS256"))
    clock.reset()
    yield
    clock.reset()
    settings.configure(previous)


def _claims(kind: str, lifetime: int = 1800) -> dict[str, object]:
    now = clock.timestamp()
    return {"sub": "6b0000000000000000000001", "typ": kind, "iat": now, "exp": now + lifetime}


def test_a_token_signed_here_decodes_to_its_claims() -> None:
    token = tokens.encode("client", _claims("access"))

    assert tokens.decode("client", token, "access")["sub"] == "6b0000000000000000000001"


def test_a_refresh_token_is_refused_where_an_access_token_is_wanted_and_the_reverse() -> None:
    access = tokens.encode("client", _claims("access"))
    refresh = tokens.encode("client", _claims("refresh"))

    with pytest.raises(InvalidSession, match="needs the access token"):
        tokens.decode("client", refresh, "access")
    with pytest.raises(InvalidSession, match="needs the refresh token"):
        tokens.decode("client", access, "refresh")


def test_a_token_of_one_api_never_passes_for_the_other() -> None:
    admin_token = tokens.encode("admin", _claims("access"))

    with pytest.raises(InvalidSession, match="not signed by this server"):
        tokens.decode("client", admin_token, "access")


def test_an_access_token_expires_when_the_clock_passes_its_expiry() -> None:
    token = tokens.encode("client", _claims("access"))

    clock.advance(timedelta(minutes=29))
    assert tokens.decode("client", token, "access")
    clock.advance(timedelta(minutes=2))
    with pytest.raises(InvalidSession, match="access token expired"):
        tokens.decode("client", token, "access")


def test_an_expired_token_is_accepted_only_when_asked_to_and_only_if_signed_here() -> None:
    token = tokens.encode("client", _claims("refresh", lifetime=60))
    clock.advance(timedelta(minutes=5))

    assert tokens.decode("client", token, "refresh", allow_expired=True)["typ"] == "refresh"
    forged = jwt.encode(_claims("refresh"), "another-secret-of-at-least-32-bytes!",
                        algorithm="HS256")
    with pytest.raises(InvalidSession):
        tokens.decode("client", forged, "refresh", allow_expired=True)


@pytest.mark.parametrize("token", [
    "", "not-a-jwt", "a.b.c",
    # {"alg": "none"} with no signature: never accepted, whatever the claims say.
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4IiwidHlwIjoiYWNjZXNzIn0.",
])
def test_malformed_unsigned_and_alg_none_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidSession):
        tokens.decode("client", token, "access")


def test_a_token_missing_a_required_claim_is_refused() -> None:
    claims = _claims("access")
    del claims["sub"]
    token = tokens.encode("client", claims)

    with pytest.raises(InvalidSession):
        tokens.decode("client", token, "access")
