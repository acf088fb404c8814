"""Statements compiled to SQL once and run many times: the queries of the hot paths.

Turning a peewee query into SQL costs far more than running it: a one-table select
takes ~0.1 ms to compile and ~0.01 ms to run on SQLite; a three-table join ~0.3 ms to
compile. A login made eight such statements, so most of its time went into writing SQL
it had written the request before (bench/, CHANGELOG 0.2). The statements that every
login, refresh and profile runs are therefore compiled by peewee once per database, with
a placeholder where each value goes, and then run with new values.

Only peewee's building blocks are used: the query is built by peewee with
`peewee.Value` placeholders and compiled with `.sql()`; values are converted with each
field's `db_value`; rows become model instances through each field's `python_value`, as
peewee's own selects make them. And the first run on each database also builds the
query with the real values and checks that peewee compiles it to the same SQL and
parameters, so a statement cannot silently drift from the query it stands for.

    BY_ID = Select((Session, User), lambda p: Session.select(Session, User).join(User)
                   .where(Session.id == p.session_id), session_id=Session.id)
    for session, user in BY_ID.rows(session_id="..."): ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import peewee

from app.storage.database import database

Build = Callable[[Any], peewee.Query]


class _Placeholder:
    """Marks where a named parameter goes while a query is compiled."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:  # shows in the error when compilation goes wrong
        return f"<parameter {self.name}>"


class _Placeholders:
    """Passed to a query builder: `p.name` is a placeholder for the parameter `name`."""

    def __getattr__(self, name: str) -> peewee.Value:
        # converter=False: the placeholder goes into the parameters as it is; the value
        # that replaces it is converted by its declared field (`Statement._bind`).
        return peewee.Value(_Placeholder(name), converter=False)


class _Values:
    """Passed to a query builder: `p.name` is the real value of the parameter `name`."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        return self._values[name]


class Statement:
    """A query with named parameters, compiled once per database and run with new values.

    `build` makes the query from a parameter source `p` (`p.user_id`, ...); each
    parameter names the field whose `db_value` converts it, usually the field it is
    compared with.
    """

    # peewee writes `x == None` as IS NULL, which a placeholder cannot stand for: so
    # parameters may be None only where none is compared (inserts).
    nulls_allowed = False

    def __init__(self, build: Build, **fields: peewee.Field) -> None:
        self._build = build
        self._fields = fields
        self._compiled: tuple[peewee.Database, str, list[Any]] | None = None

    def _sql(self, values: dict[str, Any]) -> tuple[str, list[Any], bool]:
        """The SQL and parameters for `values`, and whether it was compiled just now."""
        if values.keys() != self._fields.keys():
            raise TypeError(f"the statement takes {sorted(self._fields)}, got {sorted(values)}")
        if not self.nulls_allowed and any(value is None for value in values.values()):
            raise ValueError("a compiled statement's parameters cannot be None")
        compiled = self._compiled
        if compiled is not None and compiled[0] is database.obj:
            return compiled[1], self._bind(compiled[2], values), False
        sql, template = self._build(_Placeholders()).sql()
        params = self._bind(template, values)
        if self._build(_Values(values)).sql() != (sql, params):
            raise RuntimeError(f"the compiled statement differs from its query: {sql}")
        self._compiled = (database.obj, sql, template)
        return sql, params, True

    def _bind(self, template: list[Any], values: dict[str, Any]) -> list[Any]:
        return [
            self._fields[param.name].db_value(values[param.name])  # type: ignore[no-untyped-call]
            if isinstance(param, _Placeholder) else param
            for param in template
        ]

    def execute(self, **values: Any) -> int:
        """Run an insert, update or delete; return how many rows it changed."""
        sql, params, _ = self._sql(values)
        cursor = database.execute_sql(sql, params)
        return int(database.rows_affected(cursor))


class Select(Statement):
    """A select of whole models (`Model.select(ModelA, ModelB, ...)` with its joins).

    Each row comes back as a tuple with an instance of each model, or None for a model
    of an outer join that found nothing. An instance whose foreign key points at another
    instance of the same row has it attached, so `session.user` needs no query.
    """

    def __init__(self, models: Sequence[type[peewee.Model]], build: Build,
                 **fields: peewee.Field) -> None:
        super().__init__(build, **fields)
        self._models = tuple(models)
        self._layout = [
            (model, [(field.name, field.python_value) for field in model._meta.sorted_fields])
            for model in self._models
        ]
        self._columns = [field.column_name for model in self._models
                         for field in model._meta.sorted_fields]
        # (instance index, foreign key name, index of the instance it may point at,
        # that instance's key name): worked out once, not per row.
        self._relations = [
            (i, field.name, j, field.rel_field.name)
            for i, model in enumerate(self._models)
            for field in model._meta.sorted_fields if isinstance(field, peewee.ForeignKeyField)
            for j, other in enumerate(self._models) if other is field.rel_model
        ]

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """Run the select; return a tuple of model instances per row."""
        sql, params, new = self._sql(values)
        cursor = database.execute_sql(sql, params)
        if new:
            selected = [column[0] for column in cursor.description]
            if selected != self._columns:
                raise RuntimeError(f"the select returns {selected}, not the columns of "
                                   f"{[model.__name__ for model in self._models]}")
        return [self._instances(row) for row in cursor.fetchall()]

    def first(self, **values: Any) -> tuple[Any, ...] | None:
        """Run the select; return its first row or None (give the query a `.limit(1)`)."""
        rows = self.rows(**values)
        return rows[0] if rows else None

    def _instances(self, row: Sequence[Any]) -> tuple[Any, ...]:
        instances: list[peewee.Model | None] = []
        start = 0
        for model, converters in self._layout:
            raw = row[start:start + len(converters)]
            start += len(converters)
            if raw[0] is None:  # no primary key: an outer join that found nothing
                instances.append(None)
                continue
            # As peewee's own selects do: no defaults (a default id would mint an id
            # per row for nothing), nothing dirty, the converted column values.
            instance = model(__no_default__=True)
            instance.__data__ = {
                name: None if value is None else convert(value)
                for (name, convert), value in zip(converters, raw, strict=True)
            }
            instances.append(instance)
        for i, name, j, key in self._relations:
            referring, referred = instances[i], instances[j]
            if (referring is not None and referred is not None
                    and referring.__data__[name] == referred.__data__[key]):
                setattr(referring, name, referred)
        return tuple(instances)


class Insert:
    """An INSERT of every field of a model, compiled once per database."""

    def __init__(self, model: type[peewee.Model]) -> None:
        self._model = model
        self._fields = {field.name: field for field in model._meta.sorted_fields}
        self._statement = _InsertStatement(
            lambda p: model.insert({field: getattr(p, name)
                                    for name, field in self._fields.items()}),
            **self._fields,
        )

    def save(self, instance: peewee.Model) -> None:
        """Insert `instance`, which has a value (None included) for every field."""
        if type(instance) is not self._model:
            raise TypeError(f"expected a {self._model.__name__}, got {type(instance).__name__}")
        values = instance.__data__
        missing = self._fields.keys() - values.keys()
        if missing:
            raise ValueError(f"{self._model.__name__} has no value for {sorted(missing)}")
        self._statement.execute(**{name: values[name] for name in self._fields})


class _InsertStatement(Statement):
    nulls_allowed = True
