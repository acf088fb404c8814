"""Object ids for the layers above storage, and looking rows up by an id from a URL
(a malformed id is simply not found)."""

from __future__ import annotations

from typing import TypeVar

import peewee

from app.domain.errors import NotFound
from app.storage import BaseModel, is_object_id, new_object_id

# Ids are the storage's (ObjectId-shaped); the layers above take them from here.
__all__ = ["get_or_raise", "is_object_id", "new_object_id"]

M = TypeVar("M", bound=BaseModel)

# The id of nothing (an ObjectId of zeros): where the original sends one for a device,
# a domain or a provider that is not there.
ZERO_ID = "0" * 24


def get_or_raise(query: peewee.ModelSelect[M], model_id: str, error: type[NotFound]) -> M:
    """Return the row of `query` with `model_id`, or raise `error` (also for malformed ids)."""
    if not is_object_id(model_id):
        raise error()
    row = query.where(query.model.id == model_id).first()
    if row is None:
        raise error()
    return row  # type: ignore[no-any-return]
