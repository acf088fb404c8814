"""Object ids: 24 hex characters laid out like a MongoDB ObjectId."""

from __future__ import annotations

import itertools
import os
import secrets

from app import clock

_object_id_counter = itertools.count(secrets.randbelow(0xFFFFFF))
_object_id_process_part = secrets.token_bytes(5)


def _reseed_object_ids() -> None:
    # gunicorn imports the app once and forks its workers: without new random bytes
    # and a new counter, two workers would mint the same ids in the same second.
    global _object_id_counter, _object_id_process_part
    _object_id_counter = itertools.count(secrets.randbelow(0xFFFFFF))
    _object_id_process_part = secrets.token_bytes(5)


os.register_at_fork(after_in_child=_reseed_object_ids)


def new_object_id() -> str:
    """Return a new 24-hex-character id laid out like a MongoDB ObjectId.

    Clients (realm-core) parse ids as ObjectIds, so ours must have that shape:
    4 bytes of Unix time, 5 random bytes per process, a 3-byte counter.
    """
    seconds = clock.timestamp() & 0xFFFFFFFF
    counter = next(_object_id_counter) & 0xFFFFFF
    raw = (
        seconds.to_bytes(4, "big") + _object_id_process_part + counter.to_bytes(3, "big")
    )
    return raw.hex()


def is_object_id(value: str) -> bool:
    """Tell whether `value` has the shape of an id this service hands out."""
    if len(value) != 24:
        return False
    try:
        int(value, 16)
    except ValueError:
        return False
    return value == value.lower()
