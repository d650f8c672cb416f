"""Assessment tables (考核表), generated from the records: each indicator's value per grid
worker for a month, normalised against the table's best (``higher`` is better: value /
max × 100; ``lower``: (1 − value / max) × 100), and the score: the weighted mean of the
normalised values the worker has (an indicator without a value — no events due, say —
is left out of that worker's mean). Community and township rows are the means of their
workers' values and scores. Weights are stored per deployment (``analytics_weight``),
defaulting to the indicators' own."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from statistics import fmean
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analysis import AssessmentIndicator, Scope
from core.errors import BadInput
from core.models import Account, Grid, Region
from core.models.base import prefix_match
from plugins.analytics.models import Weight
from plugins.analytics.regions import Area
from plugins.analytics.registry import Registry

LEVELS = {"worker": 15, "community": 12, "township": 9}


@dataclass
class Entry:
    code: str  # the worker's grid, or the community's / township's prefix
    name: str
    worker_id: int | None
    values: dict[str, float | None]
    normalized: dict[str, float | None]
    score: float | None
    workers: int = 1
    rank: int = 0


@dataclass
class Table:
    month: str
    area: Area
    level: str
    scope: Scope
    indicators: list[tuple[AssessmentIndicator, float]]
    rows: list[Entry] = field(default_factory=list)


def month_scope(month: str, area: Area, tz: str) -> Scope:
    try:
        first = datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise BadInput(f"month must be YYYY-MM, not {month!r}", argument="month") from None
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    zone = ZoneInfo(tz)
    now = datetime.now(zone)
    if first > now.date():
        raise BadInput(f"{month} has not begun", argument="month")
    return Scope(
        prefix=area.prefix,
        first_day=first,
        last_day=last,
        start=datetime.combine(first, time(), zone),
        end=datetime.combine(last + timedelta(days=1), time(), zone),
        now=now,
        tz=tz,
    )


async def weights(session: AsyncSession, registry: Registry) -> dict[str, float]:
    stored = dict((await session.execute(select(Weight.indicator, Weight.weight))).all())
    return {k: float(stored.get(k, i.default_weight)) for k, i in registry.indicators.items()}


async def set_weights(
    session: AsyncSession, registry: Registry, given: dict[str, float]
) -> dict[str, float]:
    for key, value in given.items():
        if key not in registry.indicators:
            known = ", ".join(registry.indicators)
            raise BadInput(
                f"no assessment indicator {key!r} (indicators: {known})", argument="weights"
            )
        if not 0 <= value <= 1000:
            raise BadInput(f"the weight of {key} must be between 0 and 1000", argument="weights")
    merged = {**(await weights(session, registry)), **given}
    if sum(merged.values()) <= 0:
        raise BadInput("at least one weight must be above zero", argument="weights")
    await session.execute(delete(Weight).where(Weight.indicator.in_(list(given))))
    session.add_all(Weight(indicator=k, weight=v) for k, v in given.items())
    await session.flush()
    return merged


def normalize(values: dict[int, float], better: str) -> dict[int, float]:
    top = max(values.values(), default=0.0)
    if better == "lower":
        return {w: 100.0 if top <= 0 else round((1 - v / top) * 100, 2) for w, v in values.items()}
    return {w: 0.0 if top <= 0 else round(v / top * 100, 2) for w, v in values.items()}


def weighted(normalized: dict[str, float | None], weight: dict[str, float]) -> float | None:
    parts = [(weight[k], n) for k, n in normalized.items() if n is not None and weight[k] > 0]
    total = sum(w for w, _ in parts)
    return round(sum(w * n for w, n in parts) / total, 2) if total else None


async def assess(
    session: AsyncSession, registry: Registry, area: Area, scope: Scope, level: str, month: str
) -> Table:
    if len(area.prefix) > LEVELS[level]:
        raise BadInput(f"a {area.level} has no {level} rows", argument="level")
    weight = await weights(session, registry)
    table = Table(
        month, area, level, scope, [(i, weight[k]) for k, i in registry.indicators.items()]
    )
    workers = (
        await session.execute(
            select(Grid.worker_id, Account.name, Grid.code)
            .join(Account, Account.id == Grid.worker_id)
            .where(Grid.valid_to.is_(None), prefix_match(Grid.code, area.prefix))
            .order_by(Grid.code)
        )
    ).all()
    grid_of: dict[int, tuple[str, str]] = {}
    for worker_id, name, code in workers:
        if worker_id is not None:
            grid_of.setdefault(int(worker_id), (code, name))
    values: dict[str, dict[int, float]] = {}
    for key, indicator in registry.indicators.items():
        found = await indicator.compute(session, scope)
        values[key] = {w: float(v) for w, v in found.items() if w in grid_of}
        if indicator.additive:  # a count: nothing counted is 0
            values[key] = {w: values[key].get(w, 0.0) for w in grid_of}
    normalized = {key: normalize(values[key], registry.indicators[key].better) for key in values}
    entries = []
    for worker_id, (code, name) in grid_of.items():
        norm = {k: normalized[k].get(worker_id) for k in values}
        entries.append(
            Entry(
                code=code,
                name=name,
                worker_id=worker_id,
                values={k: values[k].get(worker_id) for k in values},
                normalized=norm,
                score=weighted(norm, weight),
            )
        )
    if level != "worker":
        entries = await _rolled_up(session, entries, LEVELS[level], list(values))
    entries.sort(key=lambda e: (-(e.score if e.score is not None else -1), e.code))
    for rank, entry in enumerate(entries, start=1):
        entry.rank = rank
    table.rows = entries
    return table


def _mean(xs: list[float | None]) -> float | None:
    present = [x for x in xs if x is not None]
    return round(fmean(present), 2) if present else None


async def _rolled_up(
    session: AsyncSession, entries: list[Entry], length: int, keys: list[str]
) -> list[Entry]:
    groups: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        groups[e.code[:length]].append(e)
    names = dict(
        (
            await session.execute(
                select(Region.prefix, Region.name).where(Region.prefix.in_(list(groups)))
            )
        ).all()
    )
    return [
        Entry(
            code=prefix,
            name=names.get(prefix, prefix),
            worker_id=None,
            values={k: _mean([m.values[k] for m in members]) for k in keys},
            normalized={k: _mean([m.normalized[k] for m in members]) for k in keys},
            score=_mean([m.score for m in members]),
            workers=len(members),
        )
        for prefix, members in groups.items()
    ]


def as_rows(table: Table) -> dict[str, list[list[object]]]:
    """The table as spreadsheet sheets: the table, then the weights and definitions."""
    who = "网格员" if table.level == "worker" else "区域"
    header: list[object] = ["排名", "编码", who, "人数" if table.level != "worker" else "网格"]
    header += [f"{i.label}（{i.unit}）" if i.unit else i.label for i, _ in table.indicators]
    header += ["得分"]
    body: list[list[object]] = [header]
    for e in table.rows:
        row: list[object] = [
            e.rank,
            e.code,
            e.name,
            e.workers if table.level != "worker" else e.code,
        ]
        row += [e.values[i.key] for i, _ in table.indicators]
        row += [e.score]
        body.append(row)
    weights_sheet: list[list[object]] = [["指标", "键", "权重", "方向", "记录来源（分析模块）"]]
    for i, w in table.indicators:
        weights_sheet.append(
            [i.label, i.key, w, "越高越好" if i.better == "higher" else "越低越好", i.module or ""]
        )
    return {f"考核表 {table.month}": body, "权重与口径": weights_sheet}
