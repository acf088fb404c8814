"""Counting what the service does where no response can show it."""

from __future__ import annotations

import pytest

from app.domain import admin_secrets


def count_scrypt_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the scrypt runs of admin private key checks from now on: one item a run.

    A refused login must cost one run whatever was wrong, so that its timing tells no
    one whether the public key exists.
    """
    runs: list[int] = []
    real = admin_secrets._scrypt

    def counted(*args: object) -> bytes:
        runs.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(admin_secrets, "_scrypt", counted)
    return runs
