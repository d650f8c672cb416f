"""Field tables: a type's plain fields declared once, for every path that answers them.

Each entry is a GraphQL field read from the row (a column, or an expression of the row's
columns). From one table come

- the Strawberry part of the type (``table.part``: the schema and its docs),
- the SQL expression of each field as its GraphQL scalar serialises it (``table.sql``:
  the compiled reads that build JSON in PostgreSQL, schema/compiled),
- the Python value of each field, serialised the same way (``table.python``: the
  compiled reads completed in Python),

so a field added to a table is in the API, in ``schema.graphql`` and on both compiled
paths at once. How a value is serialised follows from its annotation: IDs as text, enums
by name (``upper(column)``: an enum's name is its stored value in capitals, which
tests/test_enums.py holds every enum to), datetimes as ``isoformat()`` of the UTC value,
dates as ``YYYY-MM-DD``, other scalars (and JSON) as they are. Fields with their own logic (masks,
loaders, arguments) stay resolvers on the type, beside its table.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import Text, cast
from strawberry.scalars import JSON

from schema.compiled.sql import enum_name, iso_date, iso_datetime

#: GraphQL field name → an expression of a row, serialised as the scalar is
Serialised = dict[str, Callable[[Any], Any]]


def camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(w.capitalize() for w in rest)


def _bare(annotation: Any) -> Any:
    """The annotation without ``| None``."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(inner) == 1:
            return inner[0]
    return annotation


@dataclass(frozen=True)
class Column:
    """A field whose value is a column of the row (``attr``, default the field's Python
    name) or, with ``sql`` and ``python``, an expression of the row's columns."""

    annotation: Any
    description: str | None = None
    attr: str | None = None
    #: the value as SQL, from the row's table (only with ``python``)
    sql: Callable[[Any], Any] | None = None
    #: the value in Python, from the row (only with ``sql``)
    python: Callable[[Any], Any] | None = None

    def __post_init__(self) -> None:
        if (self.sql is None) != (self.python is None):
            raise TypeError("a computed column needs both its SQL and its Python form")


class FieldTable:
    """The plain fields of one GraphQL type, by Python name (``snake_case``)."""

    def __init__(self, typename: str, columns: dict[str, Column]) -> None:
        self.typename = typename
        self.columns = columns
        self.part = self._part()
        self.sql = self._serialised(sql=True)
        self.python = self._serialised(sql=False)

    def _part(self) -> type:
        namespace: dict[str, Any] = {"__annotations__": {}}
        for name, column in self.columns.items():
            namespace["__annotations__"][name] = column.annotation
            resolver = None
            if column.python is not None:
                resolver = _computed(column.python, column.annotation)
            elif column.attr is not None and column.attr != name:
                resolver = _attribute(column.attr, column.annotation)
            if resolver is None:
                namespace[name] = strawberry.field(description=column.description)
            else:
                namespace[name] = strawberry.field(
                    description=column.description, resolver=resolver
                )
        cls = type(f"{self.typename}Columns", (), namespace)
        return strawberry.type(cls, name=f"{self.typename}Columns")

    def _serialised(self, *, sql: bool) -> Serialised:
        out: Serialised = {}
        for name, column in self.columns.items():
            if column.sql is not None and column.python is not None:
                out[camel(name)] = column.sql if sql else column.python
                continue
            attr = column.attr or name
            kind = _bare(column.annotation)
            out[camel(name)] = (_sql if sql else _python)(kind, attr)
        return out


def _attribute(attr: str, annotation: Any) -> Any:
    def resolve(root: Any) -> Any:
        return getattr(root, attr)

    resolve.__annotations__["return"] = annotation
    return resolve


def _computed(python: Callable[[Any], Any], annotation: Any) -> Any:
    def resolve(root: Any) -> Any:
        return python(root)

    resolve.__annotations__["return"] = annotation
    return resolve


def _sql(kind: Any, attr: str) -> Callable[[Any], Any]:
    if kind is strawberry.ID:
        return lambda row: cast(getattr(row, attr), Text)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return lambda row: enum_name(getattr(row, attr))
    if kind is datetime:
        return lambda row: iso_datetime(getattr(row, attr))
    if kind is date:
        return lambda row: iso_date(getattr(row, attr))
    if kind in (str, int, bool, float) or kind is JSON:
        return lambda row: getattr(row, attr)
    raise TypeError(f"no SQL form for a column of type {kind!r}")


def _python(kind: Any, attr: str) -> Callable[[Any], Any]:
    if kind is strawberry.ID:
        return lambda row: None if (v := getattr(row, attr)) is None else str(v)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return lambda row: None if (v := getattr(row, attr)) is None else kind(v).name
    if kind in (datetime, date):
        return lambda row: None if (v := getattr(row, attr)) is None else v.isoformat()
    if kind in (str, int, bool, float) or kind is JSON:
        return lambda row: getattr(row, attr)
    raise TypeError(f"no Python form for a column of type {kind!r}")
