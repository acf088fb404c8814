"""Groups (projects): the unit an admin key is granted."""

import peewee

from app.storage import BaseModel


class Group(BaseModel):
    name = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.BigIntegerField()
