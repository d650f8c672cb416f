"""A Relay connection's selection and response, shared by the compiled list fields."""

from __future__ import annotations

from typing import Any

from schema.compiled.execution import Precompiled
from schema.compiled.selection import NotCompilable, Selected


def connection_parts(selected: list[Selected]) -> tuple[list[Selected], set[str]]:
    """The node selection of a connection (``edges.node`` and ``nodes`` must agree) and
    which connection-level fields are asked for."""
    node: list[Selected] | None = None
    wants: set[str] = set()
    for field in selected:
        if field.name in ("edges", "nodes"):
            inner = field.children
            if field.name == "edges":
                for sub in field.children:
                    if sub.name not in ("node", "cursor", "__typename"):
                        raise NotCompilable(sub.name)
                found = [s for s in field.children if s.name == "node"]
                inner = found[0].children if found else []
            if inner:
                if node is not None and node != inner:
                    raise NotCompilable("two different node selections")
                node = inner
        elif field.name not in ("pageInfo", "totalCount", "__typename"):
            raise NotCompilable(field.name)
        wants.add(field.name)
    return node or [], wants


def connection_response(
    selected: list[Selected],
    node_type: str,
    nodes: list[Any],
    cursors: list[str],
    *,
    has_next: bool,
    has_previous: bool,
    total: int | None,
) -> dict[str, Any]:
    """The connection's response, keyed by the selection's response names."""
    out: dict[str, Any] = {}
    for field in selected:
        if field.name == "__typename":
            out[field.key] = f"{node_type}Connection"
        elif field.name == "totalCount":
            out[field.key] = total
        elif field.name == "nodes":
            out[field.key] = nodes
        elif field.name == "pageInfo":
            info = {
                "hasNextPage": has_next,
                "hasPreviousPage": has_previous,
                "startCursor": cursors[0] if cursors else None,
                "endCursor": cursors[-1] if cursors else None,
                "__typename": "PageInfo",
            }
            out[field.key] = {f.key: info[f.name] for f in field.children}
        else:  # edges
            edge = f"{node_type}Edge"
            out[field.key] = [
                {
                    f.key: node if f.name == "node" else cursor if f.name == "cursor" else edge
                    for f in field.children
                }
                for node, cursor in zip(nodes, cursors, strict=True)
            ]
    return out


async def page_response(
    ctx: Any, selected: list[Selected], node_type: str, nodes: list[Any], connection: Any
) -> dict[str, Any]:
    """The response of a page the resolver's query found, with nodes built in Python
    (``totalCount`` counted by the resolver's own count statement)."""
    total = None
    if any(f.name == "totalCount" for f in selected):
        total = int(await ctx.scalar(connection.count_statement))
    page = connection.page_info
    return connection_response(
        selected,
        node_type,
        nodes,
        [e.cursor for e in connection.edges],
        has_next=page.has_next_page,
        has_previous=page.has_previous_page,
        total=total,
    )


async def resolved_page(
    ctx: Any, selected: list[Selected], node_type: str, nodes: list[Any], connection: Any
) -> Precompiled:
    """:func:`page_response` as a root field's finished value."""
    return Precompiled(await page_response(ctx, selected, node_type, nodes, connection))
