"""Bulk writes for the demo: binary COPY through the session's own connection (so they
share its transaction), geometries sent as EWKB, and ``bulk_load`` for plugins' demos that
fill tables of many rows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.models.base import SRID


def ewkb(geoms: Sequence[Any] | np.ndarray) -> list[bytes]:
    """EWKB (with SRID) of each geometry, vectorised."""
    arr = shapely.set_srid(np.asarray(geoms, dtype=object), SRID)
    return list(shapely.to_wkb(arr, include_srid=True))


def point_ewkb(xs: np.ndarray, ys: np.ndarray) -> list[bytes]:
    return ewkb(shapely.points(xs, ys))


class Copier:
    """``COPY … FROM STDIN (FORMAT binary)`` of Python rows into a table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._raw: Any = None

    async def _driver(self) -> Any:
        if self._raw is None:
            conn = await self.session.connection()
            raw = await conn.get_raw_connection()
            self._raw = raw.driver_connection
            await self._raw.set_type_codec(
                "geometry", schema="public", encoder=bytes, decoder=bytes, format="binary"
            )
        return self._raw

    async def copy(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        driver = await self._driver()
        await driver.copy_records_to_table(table, records=rows, columns=list(columns))

    async def close(self) -> None:
        if self._raw is not None:
            await self._raw.reset_type_codec("geometry", schema="public")
            self._raw = None

    async def sync_identity(self, table: str) -> None:
        """Move the table's identity sequence past the ids written explicitly."""
        await self.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        )


# The foreign keys, and the secondary indexes (not those of primary keys and unique
# constraints, which stay), of some tables, each with the statement that makes it anew.
_KEYS = text("""
WITH t AS (SELECT to_regclass(n) AS oid FROM unnest(CAST(:tables AS text[])) n)
SELECT 'ALTER TABLE ' || conrelid::regclass || ' DROP CONSTRAINT ' || quote_ident(conname),
       'ALTER TABLE ' || conrelid::regclass || ' ADD CONSTRAINT ' || quote_ident(conname) || ' '
           || pg_get_constraintdef(oid)
FROM pg_constraint WHERE contype = 'f' AND conparentid = 0 AND conrelid IN (SELECT oid FROM t)
ORDER BY oid
""")
_INDEXES = text("""
WITH t AS (SELECT to_regclass(n) AS oid FROM unnest(CAST(:tables AS text[])) n)
SELECT 'DROP INDEX ' || i.indexrelid::regclass, pg_get_indexdef(i.indexrelid)
FROM pg_index i WHERE i.indrelid IN (SELECT oid FROM t) AND NOT EXISTS (
    SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
ORDER BY i.indexrelid
""")


@asynccontextmanager
async def bulk_load(session: AsyncSession, tables: Sequence[str]) -> AsyncIterator[None]:
    """Drop the tables' foreign keys and secondary indexes meanwhile and make them anew
    after, as they were: an index built at once and a key checked by one join are far
    cheaper than a trigger and an index insertion per row (PostgreSQL's advice for bulk
    loads). On an error the caller's rollback restores them."""
    found: list[Any] = []
    for statement in (_KEYS, _INDEXES):
        found += (await session.execute(statement, {"tables": list(tables)})).all()
    for drop, _ in found:
        await session.execute(text(drop))
    yield
    for _, make in reversed(found):
        await session.execute(text(make))
