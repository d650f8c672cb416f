"""Bulk writes for the demo: binary COPY through the session's own connection (so they
share its transaction), geometries sent as EWKB."""

from __future__ import annotations

from collections.abc import Sequence
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
