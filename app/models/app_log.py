"""App log entries: what happened to an app's logins and keys, in the original's shape."""

import peewee

from app.models.application import App
from app.storage import BaseModel, JSONField


class AppLog(BaseModel):
    """One entry of an app's log (Admin API `GET .../logs`): a request that logged in,
    refreshed or ended a session (`AUTH`), or changed an API key (`API_KEY`).

    Only what the request's answer already told its client, or what the client sent
    about itself, is kept: never a key value, token, password or private key. `group_id`
    and `domain_id` are the app's, so they are read from it rather than copied here.
    """

    app_id: str
    app = peewee.ForeignKeyField(App, on_delete="CASCADE", index=False)
    co_id = peewee.CharField(max_length=24)  # the request's correlation id
    type = peewee.CharField(max_length=32)
    # {"type": "login", "provider": "api-key"} for AUTH entries; None for the others.
    auth_event = JSONField(null=True)
    request_url = peewee.CharField(max_length=2048)  # the path only: never a query string
    request_method = peewee.CharField(max_length=16)
    started = peewee.BigIntegerField()  # Unix milliseconds
    completed = peewee.BigIntegerField()
    user_id = peewee.CharField(max_length=24, null=True)
    remote_ip_address = peewee.CharField(max_length=64, null=True)
    status = peewee.IntegerField()
    error = peewee.TextField(null=True)
    error_code = peewee.CharField(max_length=64, null=True)
    platform = peewee.CharField(max_length=128, null=True)
    platform_version = peewee.CharField(max_length=128, null=True)
    sdk_name = peewee.CharField(max_length=128, null=True)
    sdk_version = peewee.CharField(max_length=128, null=True)
    messages = JSONField()  # a list of strings

    class Meta:
        table_name = "app_log"
        # (app, started): an app's entries newest first, and every filter within it;
        # co_id: the entry an error's link names; started: the pruner deletes by range.
        indexes = ((("app", "started"), False), (("co_id",), False), (("started",), False))
