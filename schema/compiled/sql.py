"""SQL building blocks: JSON objects keyed by response names, and scalars serialised the
way the GraphQL scalars serialise them (IDs as text, enums by name, ISO times)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Text, case, cast, func, literal_column

from schema.compiled.selection import NotCompilable, Selected

NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")

#: GraphQL field name → SQL expression of a row (the row's columns as attributes)
Scalars = dict[str, Callable[[Any], Any]]


def key(name: str) -> Any:
    """A response name as a SQL string literal (GraphQL names cannot hold quotes)."""
    if not NAME.match(name):
        raise NotCompilable(name)
    return literal_column(f"'{name}'")


def text_id(column: Any) -> Any:
    return cast(column, Text)


def enum_name(column: Any) -> Any:
    return func.upper(column)


def iso_datetime(column: Any) -> Any:
    """As ``datetime.isoformat()`` of the UTC value: seconds, microseconds when not zero."""
    utc = func.timezone("UTC", column)
    fraction = case(
        (func.extract("microseconds", column) % 1_000_000 != 0, func.to_char(utc, ".US")),
        else_="",
    )
    return func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS').op("||")(fraction).op("||")("+00:00")


def iso_date(column: Any) -> Any:
    return func.to_char(column, "YYYY-MM-DD")


def json_object(
    row: Any,
    typename: str,
    selected: list[Selected],
    scalars: Scalars,
    relations: dict[str, Callable[[Any, Selected], Any]] | None = None,
) -> Any:
    """``json_build_object`` of the selection; NotCompilable for any undeclared field."""
    parts: list[Any] = []
    for field in selected:
        parts.append(key(field.key))
        if field.name == "__typename":
            parts.append(literal_column(f"'{typename}'"))
        elif field.name in scalars and not field.children:
            parts.append(scalars[field.name](row))
        elif relations and field.name in relations:
            parts.append(relations[field.name](row, field))
        else:
            raise NotCompilable(f"{typename}.{field.name}")
    if not parts:
        raise NotCompilable("empty selection")
    return func.json_build_object(*parts)
