"""The ALLOWED_HOSTS setting (app.config): host names, read from the environment once."""

from __future__ import annotations

import pytest

from app.config import LOOPBACK_HOSTS, ConfigError, Settings, host_name, host_names


def test_by_default_only_this_machines_own_names_are_allowed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLOWED_HOSTS", raising=False)

    assert host_names(Settings.from_env().ALLOWED_HOSTS) == {"localhost", "127.0.0.1", "::1"}
    assert Settings().ALLOWED_HOSTS == LOOPBACK_HOSTS


def test_the_environment_lists_names_separated_by_commas(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", "Auth.Example.com, 10.0.0.7 ,[2001:db8::1],")

    assert host_names(Settings.from_env().ALLOWED_HOSTS) == {
        "auth.example.com", "10.0.0.7", "2001:db8::1"}


@pytest.mark.parametrize("value", ["https://auth.example.com", "auth.example.com/realm",
                                   "auth example", "localhost:http"])
def test_what_is_not_a_host_name_refuses_to_start(monkeypatch: pytest.MonkeyPatch,
                                                  value: str) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", f"localhost,{value}")

    with pytest.raises(ConfigError, match="ALLOWED_HOSTS"):
        Settings.from_env()


@pytest.mark.parametrize(("host", "name"), [
    ("localhost:8080", "localhost"), ("[::1]:8080", "::1"),
    ("AUTH.example.com", "auth.example.com"),
    ("localhost\r\n", None), ("local host", None), ("localhost@evil", None), ("", None),
    ("localhost:", None), ("\u202elocalhost", None),
])
def test_a_host_header_is_read_strictly(host: str, name: str | None) -> None:
    assert host_name(host) == name
