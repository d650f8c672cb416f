"""Files uploaded with a mutation: stored before its transaction, and deleted again when
the transaction fails — unless a record already uses them. Files are content-addressed,
so records of the core and of plugins may share one; every table that holds storage keys
is declared (core: ``event_attachment.key``; plugins: ``gridgov_file_key_columns``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from sqlalchemy import text
from strawberry.types import Info

from core.errors import BadInput

CHUNK = 64 * 1024
CORE_FILE_KEYS = (("event_attachment", "key"),)


def file_key_columns(pm: Any) -> tuple[tuple[str, str], ...]:
    """(table, column) of every column holding storage keys, core and plugins'."""
    found = list(CORE_FILE_KEYS)
    if pm is not None:
        for contributed in pm.hook.gridgov_file_key_columns():
            found.extend(contributed or ())
    for table, column in found:
        if not (table.isidentifier() and column.isidentifier()):
            raise ValueError(f"not a table and column name: {table!r}, {column!r}")
    return tuple(found)


async def _chunks(upload: Any) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK):
        yield chunk


async def store_uploads(
    info: Info, uploads: Iterable[Any], *, limit: int, argument: str, kinds: Iterable[str] = ()
) -> list[Any]:
    """Save each upload (sniffed, capped, EXIF stripped); on any error none is kept."""
    uploads = list(uploads)
    if len(uploads) > limit:
        raise BadInput(f"at most {limit} {argument}", argument=argument)
    allowed = set(kinds)
    storage = info.context.app.storage
    saved: list[Any] = []
    try:
        for upload in uploads:
            stored = await storage.save(
                _chunks(upload), declared_type=upload.content_type, filename=upload.filename
            )
            saved.append(stored)
            if allowed and stored.kind not in allowed:
                raise BadInput(f"{argument} must be {' or '.join(sorted(allowed))}s")
    except BaseException:
        await forget_uploads(info, saved)
        raise
    return saved


async def forget_uploads(info: Info, saved: list[Any]) -> None:
    """Delete the files of a failed request that no record uses."""
    if not saved:
        return
    ctx = info.context
    columns = ctx.app.file_key_columns
    used_sql = text(
        "SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM {t} WHERE {c} = :k)" for t, c in columns)
    )
    for stored in saved:
        if not await ctx.scalar(used_sql, {"k": stored.key}):
            await ctx.app.storage.delete(stored.key)
