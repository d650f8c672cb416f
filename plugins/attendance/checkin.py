"""Check-in and check-out with a geofence: a position farther from the worker's grid than
the tolerance is accepted but flagged."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.errors import Conflict, Forbidden, Unauthenticated
from core.models.account import Role
from core.services.locating import check_position
from plugins.attendance.models import AttendanceDay

_DISTANCE = text("""
SELECT g.code, ST_Distance(g.geom::geography,
                           ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography) AS metres
FROM grid g WHERE g.worker_id = :worker AND g.valid_to IS NULL
""")


async def _where(
    session: AsyncSession, actor: Actor, lon: float, lat: float, tolerance_m: float
) -> tuple[str | None, float, bool]:
    check_position(lon, lat)
    row = (
        await session.execute(_DISTANCE, {"lon": lon, "lat": lat, "worker": actor.account_id})
    ).one_or_none()
    if row is None:
        return None, float("inf"), True  # no grid: every position is outside it
    metres = float(row.metres)
    return row.code, metres, metres > tolerance_m


def require_worker(actor: Actor) -> None:
    if not actor.authenticated:
        raise Unauthenticated("log in first")
    if actor.role is not Role.GRID_WORKER:
        raise Forbidden("only grid workers check in")


async def check_in(
    session: AsyncSession, actor: Actor, lon: float, lat: float, tz: str, tolerance_m: float
) -> AttendanceDay:
    require_worker(actor)
    now = datetime.now(UTC)
    day = now.astimezone(ZoneInfo(tz)).date()
    existing = await session.scalar(
        select(AttendanceDay).where(
            AttendanceDay.worker_id == actor.account_id, AttendanceDay.day == day
        )
    )
    if existing is not None:
        raise Conflict("already checked in today")
    code, metres, flagged = await _where(session, actor, lon, lat, tolerance_m)
    record = AttendanceDay(
        worker_id=actor.account_id,
        grid_code=code,
        day=day,
        check_in_at=now,
        check_in_geom=f"SRID=4326;POINT({lon!r} {lat!r})",
        check_in_distance_m=metres if metres != float("inf") else -1.0,
        check_in_flagged=flagged,
    )
    session.add(record)
    await session.flush()
    return record


async def check_out(
    session: AsyncSession, actor: Actor, lon: float, lat: float, tz: str, tolerance_m: float
) -> AttendanceDay:
    require_worker(actor)
    now = datetime.now(UTC)
    day = now.astimezone(ZoneInfo(tz)).date()
    record = await session.scalar(
        select(AttendanceDay)
        .where(AttendanceDay.worker_id == actor.account_id, AttendanceDay.day == day)
        .with_for_update()
    )
    if record is None:
        raise Conflict("check in before checking out")
    if record.check_out_at is not None:
        raise Conflict("already checked out today")
    _, metres, flagged = await _where(session, actor, lon, lat, tolerance_m)
    record.check_out_at = now
    record.check_out_geom = f"SRID=4326;POINT({lon!r} {lat!r})"
    record.check_out_distance_m = metres if metres != float("inf") else -1.0
    record.check_out_flagged = flagged
    await session.flush()
    return record
