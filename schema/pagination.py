"""Relay-style cursor connections with keyset pagination (at most 100 items a page).

A cursor is opaque to clients: base64url of JSON ``[kind, key…]``, where the key is the
ordering key of the last row seen. A cursor of another list, or a forged one, is refused.
"""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry
from sqlalchemy import ColumnElement, Select, func, select, tuple_
from strawberry.types import Info

from core.errors import BadInput
from schema.refs import REGISTRY


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
    count_statement: Select[Any] | None


async def keyset_page(
    info: Info,
    statement: Select[Any],
    order_by: Sequence[ColumnElement[Any]],
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


def connection_types(node_name: str, node: type | None = None) -> tuple[type, type]:
    """An ``<Node>Edge`` and ``<Node>Connection`` pair whose node is the composed type of
    that name (or ``node``, for a type plugins do not extend)."""
    node_type: Any = node if node is not None else Annotated[node_name, strawberry.lazy(REGISTRY)]

    edge = strawberry.type(
        type(f"{node_name}Edge", (), {"__annotations__": {"cursor": str, "node": node_type}}),
        name=f"{node_name}Edge",
    )

    @strawberry.type(name=f"{node_name}Connection")
    class Connection:
        edges: list[edge]  # type: ignore[valid-type]
        page_info: PageInfo
        count_statement: strawberry.Private[Any]

        @strawberry.field(description="Number of items in the whole list (one more query).")
        async def total_count(self, info: Info) -> int:
            return int(await info.context.scalar(self.count_statement))

        @strawberry.field
        def nodes(self) -> list[node_type]:  # type: ignore[valid-type]
            return [e.node for e in self.edges]

    Connection.__name__ = f"{node_name}Connection"
    return edge, Connection


def to_connection(connection: type, edge: type, page: Page, kind: str) -> Any:
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
