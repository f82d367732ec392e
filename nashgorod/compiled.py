"""A queryset's SQL written once per process, for the busiest pages.

Building a queryset with annotations and subqueries, then compiling it to
SQL, costs the same on every request: for the editorial desk's new-reports
queue it was about a third of the page's CPU, more than PostgreSQL spent
answering. `CompiledRows` compiles the queryset once per set of arguments
given and then runs the same SQL with the arguments' values, a LIMIT and an
OFFSET, applying Django's own converters to the columns (SQLite's
datetimes, for one), so the rows are what `values_list(..., named=True)`
gives.

The arguments are found in the compiled SQL by probes: the queryset is built
once with a value no row has for each argument (a negative id, a string
with a NUL), and the parameters equal to a probe are the argument's
placeholders. Nothing else in the queryset may depend on the request (no
now(), no user).

`rows.bind(**arguments)` stands where a paginator wants a queryset:
`count()` and slicing. `CompiledLookup` does the same for one model
instance found by a key: the logged-in user that every desk and back-office
request loads.
"""

from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Model, QuerySet


def _probe(position: int, kind: type) -> int | str:
    return f"\x00probe-{position}" if kind is str else -7_310_911 - position


def _compile(build: Callable[..., QuerySet], using: str, arguments: tuple[tuple[str, type], ...]):
    """(compiler, sql, params, slots, converters): slots[i] is the name of
    the argument whose value goes to params[i], or None (a constant)."""
    probes = {name: _probe(position, kind) for position, (name, kind) in enumerate(arguments)}
    queryset = build(**probes).using(using)
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    by_probe = {value: name for name, value in probes.items()}
    slots = tuple(by_probe.get(value) if isinstance(value, int | str) else None for value in params)
    if set(probes) - set(slots):
        raise ImproperlyConfigured(f"Arguments not found in the compiled SQL: {set(probes) - set(slots)}.")
    converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
    return compiler, sql, tuple(params), slots, list(converters.items())


def _params(params: tuple, slots: tuple, values: dict) -> list:
    return [values[slot] if slot is not None else value for value, slot in zip(params, slots, strict=True)]


def _convert(values, converters, connection) -> list:
    values = list(values)
    for position, (functions, expression) in converters:
        value = values[position]
        for convert in functions:
            value = convert(value, expression, connection)
        values[position] = value
    return values


def _signature(values: dict) -> tuple[tuple[str, type], ...]:
    return tuple(sorted((name, str if isinstance(value, str) else int) for name, value in values.items()))


class CompiledRows:
    def __init__(self, build: Callable[..., QuerySet], fields: tuple[str, ...], using: str = "default"):
        """`build(**arguments)`: the queryset, ordered, not sliced, whose
        values_list(*fields) are the rows; the arguments are ints (ids) or
        strings, passed as filter values only."""
        self.build = build
        self.fields = fields
        self.using = using
        self.row = namedtuple("Row", fields)  # noqa: PYI024 - as values_list(named=True) makes them

    @functools.cache  # noqa: B019 - one per module-level instance, kept for the process
    def compiled(self, signature: tuple[tuple[str, type], ...]) -> tuple[str, tuple, tuple, list]:
        _, sql, params, slots, converters = _compile(
            lambda **probes: self.build(**probes).values_list(*self.fields), self.using, signature
        )
        return sql, params, slots, converters

    def rows(self, offset: int, limit: int, **arguments) -> list:
        sql, params, slots, converters = self.compiled(_signature(arguments))
        connection = connections[self.using]
        # Both are ints: formatted in, as Django's compiler does itself.
        with connection.cursor() as cursor:
            cursor.execute(
                f"{sql} LIMIT {int(limit)} OFFSET {int(offset)}", _params(params, slots, arguments)
            )
            fetched = cursor.fetchall()
        if not converters:
            return [self.row._make(values) for values in fetched]
        return [self.row._make(_convert(values, converters, connection)) for values in fetched]

    def bind(self, **arguments) -> BoundRows:
        return BoundRows(self, arguments)


class BoundRows:
    """CompiledRows with their arguments: what a paginator takes."""

    def __init__(self, compiled: CompiledRows, arguments: dict):
        self.compiled = compiled
        self.arguments = arguments

    def count(self) -> int:
        return self.compiled.build(**self.arguments).using(self.compiled.using).count()

    def __getitem__(self, item: slice) -> list:
        if not isinstance(item, slice) or item.step is not None or item.start is None or item.stop is None:
            raise TypeError("Compiled rows take a slice [start:stop].")
        return self.compiled.rows(item.start, item.stop - item.start, **self.arguments)


class CompiledLookup:
    """`build().get(<field>=value)`, compiled once: the SQL of
    build().filter(<field>=…) with the value as its one parameter, and the
    instance made as Django's ModelIterable makes it (Model.from_db, so
    deferred fields, refresh_from_db and save work as usual). Only a plain
    queryset of one model: no select_related, no annotations."""

    def __init__(
        self, build: Callable[[], QuerySet], field: str = "pk", kind: type = int, using: str = "default"
    ):
        self.build = build
        self.field = field
        self.kind = kind
        self.using = using
        self._compiled = None

    def compiled(self) -> tuple[type[Model], str, tuple, tuple, list[str], list]:
        if self._compiled is None:
            compiler, sql, params, slots, converters = _compile(
                lambda key: self.build().filter(**{self.field: key}), self.using, (("key", self.kind),)
            )
            related = (compiler.klass_info or {}).get("related_klass_infos")
            if (
                compiler.klass_info is None
                or related
                or compiler.annotation_col_map
                or slots.count("key") != 1
            ):
                raise ImproperlyConfigured(
                    "CompiledLookup takes a plain queryset of one model, filtered by one key."
                )
            fields = [expression.target.attname for expression, _, _ in compiler.select]
            self._compiled = (compiler.query.model, f"{sql} LIMIT 2", params, slots, fields, converters)
        return self._compiled

    def get(self, value) -> Model | None:
        """The instance, or None when there is none (or, the key not being
        unique, more than one)."""
        model, sql, params, slots, fields, converters = self.compiled()
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(sql, _params(params, slots, {"key": value}))
            fetched = cursor.fetchall()
        if len(fetched) != 1:
            return None
        return model.from_db(self.using, fields, _convert(fetched[0], converters, connection))
