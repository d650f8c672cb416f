"""Recomputing the summaries of the region codes marked stale (see ``models``).

``refresh`` takes the marks under a row lock (a second refresher waits, then finds them
gone), recomputes each marked code's summaries with the same ``GROUP BY`` a direct count
would run, and deletes the marks, all in one transaction: a change committed meanwhile
marks its code again and is picked up by the next refresh."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import exists, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from plugins.analytics.models import Dirty, Meta

LOCAL = "(({col}) AT TIME ZONE :tz)::date"

#: subject -> [(summary table, columns, SELECT with a {where} on the source's region_code)]
RECOMPUTE: dict[str, list[tuple[str, str, str]]] = {
    "person": [
        (
            "analytics_tally",
            "subject, region_code, dim, value, n",
            """SELECT 'person', p.region_code, d.dim, d.value, count(*) FROM person p
               CROSS JOIN LATERAL (VALUES ('total', ''), ('gender', p.gender),
                 ('residence', p.residence_type),
                 ('birth', p.gender || ':' || extract(year FROM p.birth_date)::int)
               ) AS d(dim, value)
               WHERE {where} GROUP BY 2, 3, 4
               UNION ALL
               SELECT 'person', p.region_code, 'group', g.group_code, count(*)
               FROM person_special_group g JOIN person p ON p.id = g.person_id
               WHERE {where} GROUP BY 2, 4""",
        )
    ],
    "household": [
        (
            "analytics_tally",
            "subject, region_code, dim, value, n",
            """SELECT 'household', region_code, 'total', '', count(*) FROM household p
               WHERE {where} GROUP BY 2""",
        )
    ],
    "place": [
        (
            "analytics_tally",
            "subject, region_code, dim, value, n",
            """SELECT 'place', p.region_code, d.dim, d.value, count(*) FROM place p
               CROSS JOIN LATERAL (VALUES ('total', ''), ('kind', p.kind)) AS d(dim, value)
               WHERE {where} GROUP BY 2, 3, 4""",
        )
    ],
    "thing": [
        (
            "analytics_tally",
            "subject, region_code, dim, value, n",
            """SELECT 'thing', p.region_code, d.dim, d.value, count(*) FROM thing p
               CROSS JOIN LATERAL (VALUES ('total', ''), ('kind', p.kind),
                 ('status', p.status), ('category', p.category)) AS d(dim, value)
               WHERE {where} GROUP BY 2, 3, 4""",
        )
    ],
    "organization": [
        (
            "analytics_tally",
            "subject, region_code, dim, value, n",
            """SELECT 'organization', p.region_code, d.dim, d.value, sum(d.n)
               FROM organization p
               CROSS JOIN LATERAL (VALUES ('total', '', 1), ('kind', p.kind, 1),
                 ('members', p.kind, coalesce(p.member_count, 0))) AS d(dim, value, n)
               WHERE {where} GROUP BY 2, 3, 4""",
        )
    ],
    "event": [
        (
            "analytics_event_day",
            "region_code, day, reported, due, due_on_time, open_due, closed, rated, "
            "rating_sum, supervised",
            f"""SELECT region_code, day, sum(reported), sum(due), sum(due_on_time),
                 sum(open_due), sum(closed), sum(rated), sum(rating_sum), sum(supervised)
               FROM (
                 SELECT region_code, {LOCAL.format(col="collected_at")} AS day, 1 AS reported,
                   0 AS due, 0 AS due_on_time, 0 AS open_due, 0 AS closed, 0 AS rated,
                   0 AS rating_sum, (supervision IS NOT NULL)::int AS supervised
                 FROM event p WHERE {{where}}
                 UNION ALL
                 SELECT region_code, {LOCAL.format(col="deadline_at")}, 0, 1,
                   (closed_at IS NOT NULL AND closed_at <= deadline_at)::int,
                   (status <> 'closed')::int, 0, 0, 0, 0
                 FROM event p WHERE {{where}}
                 UNION ALL
                 SELECT region_code, {LOCAL.format(col="closed_at")}, 0, 0, 0, 0, 1,
                   (rating IS NOT NULL)::int, coalesce(rating, 0), 0
                 FROM event p WHERE closed_at IS NOT NULL AND {{where}}
               ) x GROUP BY region_code, day""",
        ),
        (
            "analytics_event_late",
            "region_code, deadline_day, closed_day, n",
            f"""SELECT region_code, {LOCAL.format(col="deadline_at")},
                 {LOCAL.format(col="closed_at")}, count(*)
               FROM event p WHERE closed_at > deadline_at AND {{where}} GROUP BY 1, 2, 3""",
        ),
        (
            "analytics_event_cell_month",
            "month, region_code, cell, closed, n",
            f"""SELECT date_trunc('month', {LOCAL.format(col="collected_at")})::date,
                 region_code, left(beidou_code, 9), status = 'closed', count(*)
               FROM event p WHERE beidou_code IS NOT NULL AND {{where}}
               GROUP BY 1, 2, 3, 4""",
        ),
        (
            "analytics_event_category_day",
            "region_code, category_code, day, reported",
            f"""SELECT region_code, category_code, {LOCAL.format(col="collected_at")},
                 count(*)
               FROM event p WHERE {{where}} GROUP BY 1, 2, 3""",
        ),
    ],
}
SUBJECTS = tuple(RECOMPUTE)
#: summary -> (its per-township table, key columns, summed columns)
ROLLUPS = {
    "analytics_tally": ("analytics_tally_up", "subject, dim, value", "n"),
    "analytics_event_day": (
        "analytics_event_day_up",
        "day",
        "reported, due, due_on_time, open_due, closed, rated, rating_sum, supervised",
    ),
    "analytics_event_late": ("analytics_event_late_up", "deadline_day, closed_day", "n"),
}
TOWNSHIP = 9


async def _roll_up(
    session: AsyncSession, table: str, subject: str, codes: Sequence[str] | None
) -> None:
    """Re-sum the per-township rows of the townships ``codes`` lie in (all when None)."""
    if table not in ROLLUPS:
        return
    up, keys, sums = ROLLUPS[table]
    own = f"subject = '{subject}'" if table == "analytics_tally" else "TRUE"
    summed = ", ".join(f"sum({c})" for c in sums.split(", "))
    params: dict[str, object] = {}
    where = "TRUE"
    if codes is not None:
        params["towns"] = sorted({c[:TOWNSHIP] for c in codes})
        where = f"left(region_code, {TOWNSHIP}) = ANY(:towns)"
    await session.execute(text(f"DELETE FROM {up} WHERE {own} AND {where}"), params)
    await session.execute(
        text(
            f"INSERT INTO {up} (region_code, {keys}, {sums}) "
            f"SELECT left(region_code, {TOWNSHIP}), {keys}, {summed} FROM {table} "
            f"WHERE {own} AND {where} GROUP BY left(region_code, {TOWNSHIP}), {keys}"
        ),
        params,
    )


async def _recompute(
    session: AsyncSession, subject: str, codes: Sequence[str] | None, tz: str
) -> None:
    for table, columns, query in RECOMPUTE[subject]:
        where = "TRUE" if codes is None else "p.region_code = ANY(:codes)"
        own = f"subject = '{subject}'" if table == "analytics_tally" else "TRUE"
        params: dict[str, object] = {"tz": tz}
        if codes is not None:
            params["codes"] = list(codes)
            await session.execute(
                text(f"DELETE FROM {table} WHERE {own} AND region_code = ANY(:codes)"), params
            )
        else:
            await session.execute(text(f"DELETE FROM {table} WHERE {own}"))
        await session.execute(
            text(f"INSERT INTO {table} ({columns}) {query.format(where=where)}"), params
        )
        await _roll_up(session, table, subject, codes)


async def refresh(session: AsyncSession, tz: str) -> int:
    """Recompute the summaries of every marked region code; how many marks were cleared."""
    marks = (
        await session.execute(
            text(
                "SELECT subject, region_code FROM analytics_dirty "
                "ORDER BY subject, region_code FOR UPDATE"
            )
        )
    ).all()
    if not marks:
        return 0
    by_subject: dict[str, list[str]] = defaultdict(list)
    for subject, code in marks:
        by_subject[subject].append(code)
    for subject, codes in by_subject.items():
        if subject in RECOMPUTE:
            await _recompute(session, subject, codes, tz)
        await session.execute(
            text("DELETE FROM analytics_dirty WHERE subject = :s AND region_code = ANY(:codes)"),
            {"s": subject, "codes": codes},
        )
    return len(marks)


async def rebuild(session: AsyncSession, tz: str) -> None:
    """Recompute every summary from all records (after a bulk load, or a time-zone change)."""
    await session.execute(text("LOCK TABLE analytics_dirty IN EXCLUSIVE MODE"))
    for subject in SUBJECTS:
        await _recompute(session, subject, None, tz)
    await session.execute(text("DELETE FROM analytics_dirty"))
    await session.merge(Meta(key="zone", value=tz))
    await session.flush()
    await session.execute(
        text(
            "ANALYZE analytics_tally, analytics_event_day, analytics_event_late, "
            "analytics_event_category_day, analytics_event_cell_month, analytics_tally_up, "
            "analytics_event_day_up, analytics_event_late_up, event"
        )
    )


async def ensure_fresh(sessionmaker: async_sessionmaker[AsyncSession], tz: str) -> None:
    """Refresh in a transaction of its own when anything is marked (one cheap read if not)."""
    async with sessionmaker() as session, session.begin():
        if await session.scalar(select(exists().select_from(Dirty))):
            await refresh(session, tz)


async def summary_zone(session: AsyncSession) -> str | None:
    """The time zone the summaries' days are local to (None before the first rebuild)."""
    return await session.scalar(select(Meta.value).where(Meta.key == "zone"))
