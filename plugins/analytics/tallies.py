"""Reading the summaries: tallies by dimension, per drill-down group."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analysis import Figure, Figures, Scope
from plugins.analytics.models import Tally, TallyUp

TOWNSHIP = 9

#: group -> (dim, value) -> n
Counts = dict[str, dict[tuple[str, str], int]]


def coarse(scope: Scope) -> bool:
    """Can the per-township summaries answer (a district, or townships, asked about)?"""
    return len(scope.prefix) <= TOWNSHIP and (scope.group_len or 0) <= TOWNSHIP


async def tallies(session: AsyncSession, scope: Scope, *subjects: str) -> dict[str, Counts]:
    """``{subject: {group: {(dim, value): n}}}`` over the scope's region ("" group when not
    grouped; an ungrouped subject with no records still has its "" group)."""
    t = TallyUp if coarse(scope) else Tally
    group = scope.group(t.region_code).label("g")
    rows = await session.execute(
        select(t.subject, group, t.dim, t.value, func.sum(t.n))
        .where(t.subject.in_(subjects), scope.within(t.region_code))
        .group_by(t.subject, group, t.dim, t.value)
    )
    out: dict[str, Counts] = {s: defaultdict(dict) for s in subjects}
    for subject, g, dim, value, n in rows:
        out[subject][g][(dim, value)] = int(n)
    if scope.group_len is None:
        for counts in out.values():
            counts.setdefault("", {})
    return out


def figures_per_group(groups: set[str], build: dict[str, list[Figure]] | None = None) -> Figures:
    return {g: list((build or {}).get(g, [])) for g in groups}


def count(
    key: str,
    label: str,
    value: int,
    chart: str = "",
    unit: str = "",
    additive: bool = True,
    *,
    personal: str | None = None,
    min_count: int = 0,
) -> Figure:
    return Figure(
        key,
        label,
        float(value),
        unit=unit,
        chart=chart,
        additive=additive,
        personal=personal,
        min_count=min_count,
    )
