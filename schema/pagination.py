"""Relay-style cursor connections with keyset pagination (at most 100 items a page).

A cursor is opaque to clients: base64url of JSON ``[kind, key…]``, where the key is the
ordering key of the last row seen. A cursor of another list, or a forged one, is refused.
"""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar

import strawberry
from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.types import Info

from core.errors import BadInput

#: a SELECT of any columns (SQLAlchemy types a Select by the tuple of its columns)
Statement: TypeAlias = Select[*tuple[Any, ...]]
#: a column to order or match by: a mapped attribute or a column expression
Column: TypeAlias = ColumnElement[Any] | InstrumentedAttribute[Any]


def encode_cursor(kind: str, key: Sequence[Any]) -> str:
    raw = json.dumps([kind, *key], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str, types: Sequence[type]) -> tuple[Any, ...]:
    bad = BadInput(f"cursor {cursor!r} is not a cursor of this list", argument="after")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise bad from None
    if not isinstance(data, list) or len(data) != len(types) + 1 or data[0] != kind:
        raise bad
    key = tuple(data[1:])
    for value, typ in zip(key, types, strict=True):
        if type(value) is not typ:
            raise bad
    return key


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def check_first(first: int, maximum: int) -> int:
    if first < 0 or first > maximum:
        raise BadInput(f"first must be between 0 and {maximum}, got {first}", argument="first")
    return first


@dataclass
class Page:
    rows: list[Any]
    keys: list[tuple[Any, ...]]
    has_next: bool
    has_previous: bool
    count_statement: Statement | None


async def keyset_page(
    info: Info,
    statement: Statement,
    order_by: Sequence[Column],
    key_of: Callable[[Any], tuple[Any, ...]],
    *,
    kind: str,
    key_types: Sequence[type],
    first: int,
    after: str | None,
) -> Page:
    """One page of ``statement`` ordered by ``order_by`` (unique), after the cursor."""
    ctx = info.context
    first = check_first(first, ctx.settings.max_page_size)
    count_statement = select(func.count()).select_from(statement.order_by(None).subquery())
    if after is not None:
        key = decode_cursor(after, kind, key_types)
        statement = statement.where(tuple_(*order_by) > tuple_(*key))
    rows = list((await ctx.execute(statement.order_by(*order_by).limit(first + 1))).all())
    has_next = len(rows) > first
    rows = rows[:first]
    return Page(rows, [key_of(r) for r in rows], has_next, after is not None, count_statement)


N = TypeVar("N")


@strawberry.type
class Edge(Generic[N]):
    """``Edge[PlaceRef]`` is GraphQL's ``PlaceEdge``."""

    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    """``Connection[PlaceRef]`` is GraphQL's ``PlaceConnection``: one page of a list."""

    edges: list[Edge[N]]
    page_info: PageInfo
    count_statement: strawberry.Private[Any]

    @strawberry.field(description="Number of items in the whole list (one more query).")
    async def total_count(self, info: Info) -> int:
        return int(await info.context.scalar(self.count_statement))

    @strawberry.field
    def nodes(self) -> list[N]:
        return [e.node for e in self.edges]


def to_connection(connection: Any, edge: Any, page: Page, kind: str) -> Any:
    edges = [
        edge(cursor=encode_cursor(kind, k), node=row)
        for row, k in zip(page.rows, page.keys, strict=True)
    ]
    return connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count_statement=page.count_statement,
    )
