"""Unmasking personal fields: allowed by the actor's reach for that record's region, and
recorded; the records are written before the response leaves (or the data is withheld)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import Info

from authz.masking import PersonalField, may_unmask

log = logging.getLogger("gridgov.audit")


def operation_of(info: Info) -> str:
    """``query <name> / <root field>``: how the data was read (cached per root field)."""
    path = info.path
    while path.prev is not None:
        path = path.prev
    cache = info.context.audit.operations
    found = cache.get(path.key)
    if found is None:
        op = info.operation
        name = op.name.value if op.name else "-"
        found = cache[path.key] = f"{op.operation.value} {name} / {path.key}"
    return found


def reveal(
    info: Info, *, category: str, kind: str, record_id: int, region_code: str | None, field: str
) -> bool:
    """May this actor see ``field`` of this record unmasked? If so, the read is audited."""
    ctx = info.context
    if not may_unmask(ctx.actor, category, region_code):
        return False
    ctx.audit.record(kind, record_id, region_code, field, lambda: operation_of(info))
    return True


def shown(info: Info, row: Any, field: str, spec: PersonalField) -> Any:
    """The row's personal ``field``: whole (and audited) when the actor may, else masked."""
    value = getattr(row, spec.attr)
    if value is None or reveal(
        info,
        category=spec.category,
        kind=spec.kind,
        record_id=int(row.id),
        region_code=row.region_code,
        field=field,
    ):
        return value
    return spec.mask(value)


async def flush_audit(ctx: Any, result: Any) -> None:
    """Write the request's access records (after execution, before the response is sent);
    if they cannot be written, the result's data is withheld."""
    audit = getattr(ctx, "audit", None)
    if audit is None or not audit.entries:
        return
    try:
        async with ctx.locked() as session:
            await audit.flush(session, ctx.actor)
    except Exception:
        log.exception("access audit could not be written")
        if result is not None:
            result.data = None
            result.errors = [
                GraphQLError(
                    "the access audit could not be written, so no personal data is returned",
                    extensions={"code": "INTERNAL_SERVER_ERROR"},
                )
            ]


class AuditFlush(SchemaExtension):
    """Writes the request's access records after execution, before the response is sent."""

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        await flush_audit(self.execution_context.context, self.execution_context.result)
