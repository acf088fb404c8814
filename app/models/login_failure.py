"""Failed logins, counted per scope and time window, so that brute force can be throttled."""

import peewee

from app.storage import BaseModel


class LoginFailure(BaseModel):
    """How many logins failed in one scope during the window starting at `window_start`.

    `scope` is a keyed digest of what is counted (a client address within an app, an app,
    an address at the admin login), never the address itself. The counts live in the
    database, not in a process, so that every server sharing it sees the same numbers.
    """

    scope = peewee.CharField(max_length=64)
    window_start = peewee.BigIntegerField(index=True)  # past windows are deleted by range
    failures = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("scope", "window_start"), True),)
