"""Statements compiled once (app.storage.statements): the same rows, writes and refusals as
peewee's own queries. Run on SQLite and PostgreSQL, like every test that takes `app`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import peewee
import pytest
from flask import Flask

from app import storage
from app.models import App, Group, Identity, User
from app.storage.statements import Insert, Select, Statement

USER_WITH_APP = Select(
    [User, App], lambda p: User.select(User, App).join(App).where(User.id == p.user_id),
    user_id=User.id,
)
USERS_OF_APP = Select(
    [User], lambda p: User.select().where(User.app == p.app).order_by(User.id), app=User.app,
)
USER_WITH_IDENTITY = Select(
    [User, Identity],
    lambda p: User.select(User, Identity)
    .join(Identity, peewee.JOIN.LEFT_OUTER,
          on=(Identity.user == User.id) & (Identity.provider_type == p.provider_type))
    .where(User.id == p.user_id),
    user_id=User.id, provider_type=Identity.provider_type,
)
DISABLE_USER = Statement(
    lambda p: User.update(disabled=p.disabled).where(User.id == p.user_id),
    disabled=User.disabled, user_id=User.id,
)
INSERT_USER = Insert(User)


@pytest.fixture
def connected(app: Flask) -> Iterator[None]:
    with storage.database.connection_context():
        yield


def new_app(name: str) -> App:
    group = Group.create(id=storage.new_object_id(), name=f"group-{name}", created_at=1)
    return App.create(id=storage.new_object_id(), group=group, name=name,
                      client_app_id=f"{name}-abcde", domain_id=storage.new_object_id(),
                      location="US-VA", deployment_model="GLOBAL", product="standard",
                      created_at=1, last_modified=1)


def new_user(app: App, **fields: Any) -> User:
    values = {"id": storage.new_object_id(), "app": app, "type": "normal", "creation_date": 5,
              "data": {"email": "a@example.com", "n": [1, 2]}, "custom_data": {}, **fields}
    return User.create(**values)


def stored(model: peewee.Model) -> dict[str, Any]:
    return dict(model.__data__)


@pytest.mark.usefixtures("connected")
def test_a_select_gives_the_rows_peewee_gives_with_the_joined_model_attached() -> None:
    app = new_app("one")
    user = new_user(app, disabled=True, custom_data={"plan": "gold"})

    for _ in range(2):  # compiled on the first run, reused on the second
        [(found, its_app)] = USER_WITH_APP.rows(user_id=user.id)
        assert stored(found) == stored(User.get_by_id(user.id))
        assert stored(its_app) == stored(App.get_by_id(app.id))
        assert found.disabled is True and found.data == {"email": "a@example.com", "n": [1, 2]}
        assert found.app is its_app  # attached: reading it runs no query


@pytest.mark.usefixtures("connected")
def test_a_select_with_other_values_finds_other_rows_and_nothing_when_nothing_matches() -> None:
    first, second = new_app("two"), new_app("three")
    users = [new_user(first), new_user(first), new_user(second)]

    assert [stored(u) for u, in USERS_OF_APP.rows(app=first)] == [
        stored(User.get_by_id(u.id)) for u in users[:2]]
    assert [u.id for u, in USERS_OF_APP.rows(app=second.id)] == [users[2].id]
    assert USER_WITH_APP.first(user_id=storage.new_object_id()) is None


@pytest.mark.usefixtures("connected")
def test_an_outer_join_that_finds_nothing_gives_none_for_its_model() -> None:
    app = new_app("four")
    user = new_user(app)
    Identity.create(id=storage.new_object_id(), user=user, app=app, provider_type="anon-user",
                    provider_id=storage.new_object_id(), external_id="x", created_at=1)

    assert USER_WITH_IDENTITY.first(user_id=user.id, provider_type="api-key") == (
        User.get_by_id(user.id), None)
    _, identity = USER_WITH_IDENTITY.first(user_id=user.id, provider_type="anon-user")
    assert identity.external_id == "x" and identity.user.id == user.id


@pytest.mark.usefixtures("connected")
def test_an_update_changes_the_matching_rows_and_says_how_many() -> None:
    app = new_app("five")
    user, other = new_user(app), new_user(app)

    assert DISABLE_USER.execute(disabled=True, user_id=user.id) == 1
    assert DISABLE_USER.execute(disabled=True, user_id=storage.new_object_id()) == 0
    assert User.get_by_id(user.id).disabled is True
    assert User.get_by_id(other.id).disabled is False


@pytest.mark.usefixtures("connected")
def test_an_insert_stores_every_field_and_refuses_what_the_database_refuses() -> None:
    app = new_app("six")
    user = User(id=storage.new_object_id(), app=app, type="server", creation_date=7,
                last_authentication_date=8, disabled=False, data={}, custom_data={"x": True},
                creation_order=1)  # the database numbers rows itself, unless given one

    INSERT_USER.save(user)

    assert stored(User.get_by_id(user.id)) == {**stored(user), "app": app.id}
    with pytest.raises(peewee.IntegrityError), storage.database.atomic():
        INSERT_USER.save(user)  # the same id again
    with pytest.raises(ValueError, match="no value for"):
        # Fields without a value: a default is never baked into the compiled statement.
        INSERT_USER.save(User(id=storage.new_object_id(), app=app))


@pytest.mark.usefixtures("connected")
def test_parameters_must_be_the_declared_ones_and_never_none() -> None:
    app = new_app("seven")
    with pytest.raises(TypeError):
        USERS_OF_APP.rows(application=app)
    with pytest.raises(ValueError, match="cannot be None"):
        USER_WITH_APP.rows(user_id=None)  # peewee would have written IS NULL


@pytest.mark.usefixtures("connected")
def test_a_statement_that_compiles_differently_from_its_query_is_refused() -> None:
    new_app("eight")
    # The builder ignores its parameter for the real value: the two compilations differ.
    drifting = Select([App], lambda p: App.select().where(
        App.name == (p.name if not isinstance(p.name, str) else "constant")), name=App.name)
    with pytest.raises(RuntimeError, match="differs from its query"):
        drifting.rows(name="eight")


@pytest.mark.usefixtures("connected")
def test_a_select_of_other_columns_than_its_models_is_refused() -> None:
    app = new_app("nine")
    names_only = Select([App], lambda p: App.select(App.name).where(App.id == p.app_id),
                        app_id=App.id)
    with pytest.raises(RuntimeError, match="not the columns"):
        names_only.rows(app_id=app.id)
