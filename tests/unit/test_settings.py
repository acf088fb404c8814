"""Settings are declared once (app/config.py): read from the environment with clear errors,
and the domain's are the service's."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from app.config import ConfigError, Settings
from app.domain.settings import DEFAULT_TOKEN_ISSUER, DERIVED, DomainSettings


def test_the_domain_defaults_are_the_services() -> None:
    service = asdict(Settings())
    domain = asdict(DomainSettings())
    assert {name: value for name, value in domain.items() if name not in DERIVED} == {
        name: service[name.upper()] for name in domain if name not in DERIVED}


def test_the_token_issuer_is_the_public_url_or_a_fixed_name() -> None:
    config = Settings().as_flask_config()
    assert DomainSettings.from_config(config).token_issuer == DEFAULT_TOKEN_ISSUER
    published = {**config, "PUBLIC_URL": "https://auth.example.com/"}
    assert DomainSettings.from_config(published).token_issuer == "https://auth.example.com"


def test_the_domain_settings_are_taken_from_the_flask_config() -> None:
    config = {**Settings().as_flask_config(), "SECRET_KEY": "s", "BCRYPT_ROUNDS": 4}
    domain = DomainSettings.from_config(config)
    assert (domain.secret_key, domain.bcrypt_rounds) == ("s", 4)


def test_values_are_read_typed_and_blank_counts_as_unset() -> None:
    settings = Settings.from_env({"BCRYPT_ROUNDS": "5", "APPSERVICES_BOOTSTRAP_ADMIN": "no",
                                  "MAX_BODY_BYTES": " ", "LOG_LEVEL": "debug",
                                  "PUBLIC_URL": "https://auth.example.com/"})
    assert settings.BCRYPT_ROUNDS == 5
    assert settings.BOOTSTRAP_ADMIN is False
    assert settings.MAX_CONTENT_LENGTH == Settings().MAX_CONTENT_LENGTH
    assert settings.LOG_LEVEL == "DEBUG"
    assert settings.PUBLIC_URL == "https://auth.example.com"
    assert settings.DATABASE_URL.startswith("sqlite:///") and settings.DATABASE_URL.endswith(
        "instance/appservices.db")


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("BCRYPT_ROUNDS", "twelve", "BCRYPT_ROUNDS must be an integer, got 'twelve'"),
    ("BCRYPT_ROUNDS", "3", "BCRYPT_ROUNDS must be between 4 and 16, got 3"),
    ("MAX_BODY_BYTES", "10", "MAX_BODY_BYTES must be between 1024 and 16777216, got 10"),
    ("CONSOLE_COOKIE_SECURE", "maybe", "CONSOLE_COOKIE_SECURE must be auto, true or false"),
    ("ALLOWED_HOSTS", "https://a.example", "ALLOWED_HOSTS lists host names"),
])
def test_a_bad_value_names_its_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        Settings.from_env({variable: value})
