"""Monthly partitions of the access audit table, made at start-up ahead of time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


def _month(day: date, ahead: int) -> date:
    month = day.month - 1 + ahead
    return date(day.year + month // 12, month % 12 + 1, 1)


async def ensure_audit_partitions(conn: AsyncConnection, months_ahead: int = 2) -> None:
    """Monthly partitions of the access audit, this month and the next ones."""
    today = datetime.now(UTC).date()
    for i in range(months_ahead + 1):
        start, end = _month(today, i), _month(today, i + 1)
        name = f"access_audit_y{start.year}m{start.month:02d}"
        exists = await conn.scalar(text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name})
        if not exists:
            await conn.execute(
                text(
                    f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF access_audit "
                    f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
                )
            )
