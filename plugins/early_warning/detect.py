"""Finding warnings as events arrive, inside the transaction of the event's workflow step.

A new report looks for its *neighbours*: open events of its category within the rule's
radius (a geography distance, after an index-friendly box on the GiST index of
``event.geom``) and within the rule's window of its report time. If a neighbour belongs to
a warning, the report joins it, with its other neighbours that belong to none (a report
touching several warnings merges them into the oldest); otherwise, when the report and its
free neighbours reach the rule's count, they raise a new warning.

Detection is serialized per category by a transaction-scoped advisory lock taken before the
search: of two reports arriving together, the second searches once the first has committed
(READ COMMITTED: each statement sees what is committed when it starts), so they never both
miss each other. Closing an event takes the same lock, so a warning is not closed while a
report is joining it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.pubsub import publish

#: the lengths of region-code prefixes: district, township, community, grid
LEVELS = (6, 9, 12, 15)
#: the topic of every change, for readers whose reach is not made of region prefixes
ALL = "all"
#: metres in a degree of latitude (and of longitude at the equator), rounded down: the box
#: drawn around a report is a little larger than the radius, never smaller
METRES_PER_DEGREE = 111_000


@dataclass(frozen=True, slots=True)
class Rule:
    category_code: str
    radius_m: int
    window_hours: int
    min_count: int
    active: bool


def topic(key: str) -> str:
    return f"warnings:{key}"


def topics_of(region_codes: Iterable[str]) -> list[str]:
    """The topics a change of a warning with members in these regions is published on: one
    per region prefix (district, township, community, grid) of each member, and ``all``."""
    keys = {ALL}
    for code in region_codes:
        keys.update(code[:n] for n in LEVELS if len(code) >= n)
    return sorted(topic(k) for k in keys)


def common_region(region_codes: Sequence[str]) -> str:
    """The longest region prefix (of a level) every code starts with; '' when none."""
    for n in reversed(LEVELS):
        prefixes = {code[:n] for code in region_codes if len(code) >= n}
        if len(prefixes) == 1 and all(len(code) >= n for code in region_codes):
            return prefixes.pop()
    return ""


async def rule_for(session: AsyncSession, category_code: str) -> Rule | None:
    """The rule that applies to a category: its own, its kind's, or the default ``*``."""
    row = (
        await session.execute(
            text("""
            SELECT r.category_code, r.radius_m, r.window_hours, r.min_count, r.active
            FROM warning_rule r JOIN event_category c ON r.category_code IN (c.code, c.kind, '*')
            WHERE c.code = :code
            ORDER BY CASE r.category_code WHEN c.code THEN 0 WHEN c.kind THEN 1 ELSE 2 END
            LIMIT 1"""),
            {"code": category_code},
        )
    ).one_or_none()
    return None if row is None else Rule(*row)


async def lock_category(session: AsyncSession, category_code: str) -> None:
    """Serialize detection for one category until the transaction ends."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('early_warning'), hashtext(:code))"),
        {"code": category_code},
    )


async def _neighbours(session: AsyncSession, event_id: int, rule: Rule) -> list[Any]:
    """Open events of the report's category near it in space and time, with the open
    warning each belongs to (or None)."""
    result = await session.execute(
        text("""
        SELECT e.id, w.id AS warning_id
        FROM event me
        JOIN event e ON e.category_code = me.category_code AND e.id <> me.id
        LEFT JOIN warning_member m ON m.event_id = e.id
        LEFT JOIN warning w ON w.id = m.warning_id AND w.status = 'open'
        WHERE me.id = :id AND e.status <> 'closed' AND e.geom IS NOT NULL
          AND e.geom && ST_Expand(
                me.geom,
                CAST(:radius AS float8) / CAST(:per_degree AS float8)
                / cos(radians(least(abs(ST_Y(ST_Centroid(me.geom))) + 0.1, 89.0))))
          AND ST_DWithin(e.geom::geography, me.geom::geography, CAST(:radius AS float8))
          AND e.collected_at BETWEEN me.collected_at - make_interval(hours => :hours)
                                 AND me.collected_at + make_interval(hours => :hours)
          AND (m.event_id IS NULL OR w.id IS NOT NULL)
        ORDER BY e.id"""),
        {
            "id": event_id,
            "radius": float(rule.radius_m),
            "per_degree": float(METRES_PER_DEGREE),
            "hours": rule.window_hours,
        },
    )
    return list(result.all())


async def _member_regions(session: AsyncSession, warning_id: int) -> list[str]:
    rows = await session.scalars(
        text("""
        SELECT DISTINCT e.region_code FROM warning_member m JOIN event e ON e.id = m.event_id
        WHERE m.warning_id = :w ORDER BY 1"""),
        {"w": warning_id},
    )
    return list(rows.all())


async def _refresh(session: AsyncSession, warning_id: int, *, bump: bool = True) -> list[str]:
    """Recompute a warning's centroid, times, count and region from its members (and count
    a new version); returns the members' region codes."""
    codes = await _member_regions(session, warning_id)
    await session.execute(
        text("""
        UPDATE warning w SET geom = s.centroid, first_at = s.first_at, last_at = s.last_at,
               member_count = s.n, region_code = :region, updated_at = now(),
               version = w.version + :bump
        FROM (SELECT ST_Centroid(ST_Collect(e.geom)) AS centroid, min(e.collected_at) AS first_at,
                     max(e.collected_at) AS last_at, count(*) AS n
              FROM warning_member m JOIN event e ON e.id = m.event_id
              WHERE m.warning_id = :w) s
        WHERE w.id = :w"""),
        {"w": warning_id, "region": common_region(codes), "bump": int(bump)},
    )
    return codes


async def _add_members(session: AsyncSession, warning_id: int, event_ids: Iterable[int]) -> None:
    await session.execute(
        text(
            "INSERT INTO warning_member (event_id, warning_id) "
            "SELECT unnest(CAST(:ids AS bigint[])), :w"
        ),
        {"ids": sorted(event_ids), "w": warning_id},
    )


async def _notify(
    session: AsyncSession, warning_id: int, change: str, topics: Iterable[str], **extra: Any
) -> None:
    version = await session.scalar(
        text("SELECT version FROM warning WHERE id = :w"), {"w": warning_id}
    )
    payload = {"id": warning_id, "change": change, "version": version, **extra}
    for name in topics:
        await publish(session, name, payload)


async def on_report(session: AsyncSession, event_id: int, category_code: str) -> int | None:
    """Detection for a report just recorded; returns the warning it raised or joined."""
    rule = await rule_for(session, category_code)
    if rule is None or not rule.active:
        return None
    located = await session.scalar(
        text("SELECT geom IS NOT NULL FROM event WHERE id = :id"), {"id": event_id}
    )
    if not located:  # an address alone: the command centre places it, no cluster to find
        return None
    await lock_category(session, category_code)
    near = await _neighbours(session, event_id, rule)
    warnings = sorted({r.warning_id for r in near if r.warning_id is not None})
    free = [r.id for r in near if r.warning_id is None]
    if warnings:
        target, absorbed = warnings[0], warnings[1:]
        if absorbed:
            await session.execute(
                text("UPDATE warning_member SET warning_id = :t WHERE warning_id = ANY(:a)"),
                {"t": target, "a": absorbed},
            )
            await session.execute(
                text("""
                UPDATE warning SET merged_into_id = :t, updated_at = now()
                WHERE merged_into_id = ANY(:a)"""),
                {"t": target, "a": absorbed},
            )
            await session.execute(
                text("""
                UPDATE warning SET status = 'merged', merged_into_id = :t, member_count = 0,
                       updated_at = now(), version = version + 1
                WHERE id = ANY(:a)"""),
                {"t": target, "a": absorbed},
            )
        await _add_members(session, target, [event_id, *free])
        topics = topics_of(await _refresh(session, target))
        await _notify(session, target, "joined", topics)
        for other in absorbed:
            await _notify(session, other, "merged", topics, into=target)
        return target
    if len(free) + 1 < rule.min_count:
        return None
    created = await session.scalar(
        text("""
        INSERT INTO warning (category_code, status, region_code, geom, member_count,
                             first_at, last_at)
        SELECT category_code, 'open', region_code, ST_Centroid(geom), 1, collected_at, collected_at
        FROM event WHERE id = :id
        RETURNING id"""),
        {"id": event_id},
    )
    assert created is not None
    await _add_members(session, created, [event_id, *free])
    topics = topics_of(await _refresh(session, created, bump=False))
    await _notify(session, created, "raised", topics)
    return int(created)


async def _open_warning_of(session: AsyncSession, event_id: int) -> int | None:
    found = await session.scalar(
        text("""
        SELECT w.id FROM warning_member m JOIN warning w ON w.id = m.warning_id
        WHERE m.event_id = :id AND w.status = 'open'"""),
        {"id": event_id},
    )
    return None if found is None else int(found)


async def on_close(session: AsyncSession, event_id: int, category_code: str) -> int | None:
    """An event was closed: close its warning if every member is now closed."""
    if await _open_warning_of(session, event_id) is None:
        return None  # (a report joining it meanwhile finds the event closed, or came first)
    await lock_category(session, category_code)
    warning_id = await _open_warning_of(session, event_id)  # again: it may have been merged
    if warning_id is None:
        return None
    closed = await session.scalar(
        text("""
        UPDATE warning SET status = 'closed', closed_at = now(), updated_at = now(),
               version = version + 1
        WHERE id = :w AND status = 'open' AND NOT EXISTS (
            SELECT 1 FROM warning_member m JOIN event e ON e.id = m.event_id
            WHERE m.warning_id = :w AND e.status <> 'closed')
        RETURNING id"""),
        {"w": warning_id},
    )
    if closed is None:
        return None
    await _notify(
        session, warning_id, "closed", topics_of(await _member_regions(session, warning_id))
    )
    return warning_id
