"""Demo data of the attendance plugin: a year of grid work for every demo grid worker.

Over the 12 months up to the demo's day: check-ins and check-outs (a few away from the
grid, flagged; now and then a check-out forgotten), patrols (巡查) with their findings,
and household visits (走访). Weekends, public holidays and the Spring Festival week are
mostly off (a few workers on duty). Each worker keeps habits of their own, and a few are
markedly less diligent — fewer days, later, shorter patrols, fewer visits — so the monthly
assessments differ. Findings follow the seasons: most in the summer (rain, street trade),
fewest in the winter, with notes of the season (straw burning at harvest, ice, fireworks).

GPS tracks — the fixes and their per-day figures — are written for the last week only (a
year of fixes would be far too big): a fix every ``demo_fix_interval_s`` along a route
inside the grid, slow between visits, at a patrol's pace during the patrol; the week's
records lie on the track. The figures of those days and patrols are measured on it here,
by the rules of playback (``tracks.figures``): what the reports' refresh would compute,
which is spared. Older patrols carry the distance their pace and length give.

Everything is written with COPY, the foreign keys and secondary indexes of the plugin's
tables dropped meanwhile and made anew after: an index is then built at once, a foreign
key checked by one join instead of a trigger per row (PostgreSQL's advice for bulk loads).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from itertools import repeat
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.codes import beidou
from core.demo.bulk import Copier, bulk_load, point_ewkb
from core.demo.context import DemoContext
from core.demo.population import DEMO_TZ, random_points
from plugins.attendance.settings import AttendanceSettings
from plugins.attendance.tracks import Track, create_partitions, figures, month_start

TRACK_DAYS = 7  # the last days, up to the demo's day, with GPS tracks
METRES_PER_DEGREE = 111_320.0
FROM_HOME_M = 300.0  # how far north a check-in "from home" is made
WAYPOINTS = 8  # of a day's route
HOUR = 3600
SLOW_PACE = 0.15  # m/s outside patrols: between households, at the community office
PATROL_PACE = {"urban": (0.8, 1.2), "rural": (2.0, 3.5)}  # m/s: on foot, by e-bike
FINDING_RATE = 0.2  # findings per patrol, on average over the year
FIX_COLUMNS = ("worker_id", "fixed_at", "lon", "lat", "accuracy_m")
FIX_BATCH = 200_000  # fixes held before they are written
TABLES = (
    "attendance_day",
    "attendance_fix",
    "attendance_track_day",
    "attendance_patrol",
    "attendance_patrol_finding",
    "attendance_visit",
)
VISIT_NOTES = (
    "入户走访，了解家庭近况",
    "走访独居老人，身体状况良好",
    "宣传防诈骗知识",
    "核实常住人口信息",
    "走访困难家庭，登记诉求",
)
#: Notes of patrols and of findings: those of the whole year, and those a month adds (each
#: as likely as two of the others).
PATROLS = ("日常巡查", "日常巡查", "重点区域巡查", "安全隐患排查")
SEASONAL_PATROLS: dict[int, tuple[str, ...]] = {
    **{m: ("防汛巡查",) for m in (6, 7, 8)},
    **{m: ("消防安全巡查",) for m in (12, 1, 2)},
}
FINDINGS = ("路灯损坏", "垃圾堆放", "井盖松动", "占道经营", "违规停车")
SEASONAL_FINDINGS: dict[int, tuple[str, ...]] = {
    1: ("道路结冰", "燃放烟花爆竹隐患"),
    2: ("燃放烟花爆竹隐患", "消防通道堵塞"),
    3: ("消防通道堵塞",),
    6: ("秸秆焚烧", "道路积水"),
    7: ("道路积水", "河道漂浮物"),
    8: ("道路积水", "树木倒伏"),
    9: ("树木倒伏",),
    10: ("秸秆焚烧",),
    12: ("道路结冰", "取暖用电隐患"),
}

#: The first day of the lunar year (春节); its holiday runs from the eve to the sixth day.
SPRING_FESTIVAL = {
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
    2033: date(2033, 1, 31),
    2034: date(2034, 2, 19),
    2035: date(2035, 2, 8),
    2036: date(2036, 1, 28),
    2037: date(2037, 2, 15),
    2038: date(2038, 2, 4),
    2039: date(2039, 1, 24),
    2040: date(2040, 2, 12),
}
#: New Year's Day, the May Day and the National Day weeks
HOLIDAYS = {(1, 1), *((5, d) for d in range(1, 6)), *((10, d) for d in range(1, 8))}
WORK, WEEKEND, HOLIDAY, FESTIVAL = 0, 1, 2, 3
#: Chance that a worker is on duty on a day off, by kind of day (on WORK: their presence).
ON_DUTY = np.array([0.0, 0.06, 0.04, 0.02])


def day_kind(day: date) -> int:
    festival = SPRING_FESTIVAL.get(day.year)
    if festival is not None and -1 <= (day - festival).days <= 6:
        return FESTIVAL
    if (day.month, day.day) in HOLIDAYS:
        return HOLIDAY
    return WEEKEND if day.weekday() >= 5 else WORK


def demo_days(today: date) -> list[date]:
    """The 12 months up to ``today``: from the day after its date a year before."""
    try:
        year_before = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_before = today.replace(year=today.year - 1, day=28)
    return [year_before + timedelta(days=i) for i in range(1, (today - year_before).days + 1)]


def working_days(days: Iterable[date]) -> list[date]:
    return [d for d in days if day_kind(d) == WORK]


@dataclass(frozen=True, slots=True)
class Habits:
    """How a worker works."""

    presence: float  # share of working days with a check-in
    late_h: float  # mean check-in after 08:30, hours
    early_h: float  # mean check-out before 17:30, hours
    patrols: float  # share of days present with a patrol
    patrol_h: float  # mean length of a patrol, hours
    visit_days: float  # share of days present with visits
    extra_visits: float  # mean visits beyond the first on such a day
    findings: float  # factor on the season's findings per patrol
    from_home: float  # share of check-ins made away from the grid
    no_check_out: float  # share of days without a check-out


Ranges = dict[str, tuple[float, float]]
#: Kinds of worker: how common, and the range of each habit.
WORKER_KINDS: tuple[tuple[float, Ranges], ...] = (
    (  # markedly less diligent
        0.05,
        {
            "presence": (0.72, 0.8),
            "late_h": (0.3, 0.6),
            "early_h": (0.4, 0.9),
            "patrols": (0.85, 0.92),
            "patrol_h": (0.5, 0.8),
            "visit_days": (0.82, 0.9),
            "extra_visits": (0.0, 0.2),
            "findings": (0.3, 0.6),
            "from_home": (0.08, 0.12),
            "no_check_out": (0.06, 0.1),
        },
    ),
    (
        0.35,
        {
            "presence": (0.86, 0.93),
            "late_h": (0.0, 0.15),
            "early_h": (0.0, 0.3),
            "patrols": (0.9, 0.97),
            "patrol_h": (0.9, 1.3),
            "visit_days": (0.85, 0.95),
            "extra_visits": (0.4, 0.9),
            "findings": (0.7, 1.0),
            "from_home": (0.02, 0.04),
            "no_check_out": (0.01, 0.03),
        },
    ),
    (  # steady
        0.6,
        {
            "presence": (0.94, 0.99),
            "late_h": (-0.1, 0.05),
            "early_h": (-0.1, 0.1),
            "patrols": (0.96, 1.0),
            "patrol_h": (1.2, 1.8),
            "visit_days": (0.9, 0.98),
            "extra_visits": (0.9, 1.5),
            "findings": (0.9, 1.3),
            "from_home": (0.005, 0.015),
            "no_check_out": (0.0, 0.01),
        },
    ),
)


def draw_habits(rng: np.random.Generator) -> Habits:
    shares = np.array([share for share, _ in WORKER_KINDS])
    _, ranges = WORKER_KINDS[int(rng.choice(len(shares), p=shares / shares.sum()))]
    return Habits(**{name: float(rng.uniform(lo, hi)) for name, (lo, hi) in ranges.items()})


class Year:
    """The demo's days: each one's kind, midnight, date as digits, month and season."""

    def __init__(self, days: list[date], zone: ZoneInfo) -> None:
        self.days = days
        self.kinds = np.array([day_kind(d) for d in days])
        self.midnights = [datetime(d.year, d.month, d.day, tzinfo=zone) for d in days]
        self.digits = np.array([d.year * 10_000 + d.month * 100 + d.day for d in days])
        self.months = np.array([d.month for d in days])
        # findings: most in mid-July, fewest in mid-January (1.5 and 0.5 times the rate)
        yday = np.array([d.timetuple().tm_yday for d in days])
        self.season = 1.0 + 0.5 * np.cos(2 * math.pi * (yday - 196) / 365.25)
        self.visit_notes = self._by_month(VISIT_NOTES, {})
        self.patrol_notes = self._by_month(PATROLS, SEASONAL_PATROLS)
        self.finding_notes = self._by_month(FINDINGS, SEASONAL_FINDINGS)

    @staticmethod
    def _by_month(notes: tuple[str, ...], seasonal: dict[int, tuple[str, ...]]) -> list[np.ndarray]:
        return [np.array(notes + 2 * seasonal.get(m, ()), dtype=object) for m in range(13)]

    def pick(
        self, rng: np.random.Generator, notes: list[np.ndarray], day: np.ndarray
    ) -> np.ndarray:
        """A note for each day index, of that day's month."""
        out = np.empty(len(day), dtype=object)
        months = self.months[day]
        for m in np.unique(months).tolist():
            mine = months == m
            out[mine] = notes[m][rng.integers(len(notes[m]), size=int(mine.sum()))]
        return out

    def moments(self, day: np.ndarray, second: np.ndarray) -> list[datetime]:
        """Aware local times of (day index, second of the day) pairs."""
        mid = self.midnights
        return [
            mid[d] + timedelta(seconds=s)
            for d, s in zip(day.tolist(), second.tolist(), strict=True)
        ]

    def time_codes(self, day: np.ndarray, second: np.ndarray) -> list[str]:
        """Second-level time codes of the same pairs: their wall clock as digits (what
        ``encode_time`` gives in the demo's zone, which keeps no daylight saving time)."""
        hms = second // HOUR * 10_000 + second // 60 % 60 * 100 + second % 60
        return (self.digits[day] * 1_000_000 + hms).astype(str).tolist()


class Columns:
    """A table's rows as named numpy columns, added a worker at a time (scalars repeat)."""

    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = defaultdict(list)
        self.size = 0

    def add(self, **columns: Any) -> None:
        size = max(np.size(v) for v in columns.values() if np.ndim(v))
        for name, values in columns.items():
            self.parts[name].append(np.broadcast_to(np.asarray(values), (size,)))
        self.size += size

    def __getitem__(self, name: str) -> np.ndarray:
        return np.concatenate(self.parts[name]) if self.parts[name] else np.empty(0, int)

    def __len__(self) -> int:
        return self.size


@dataclass
class Records:
    days: Columns = field(default_factory=Columns)
    patrols: Columns = field(default_factory=Columns)
    findings: Columns = field(default_factory=Columns)
    visits: Columns = field(default_factory=Columns)
    track_days: list[tuple[Any, ...]] = field(default_factory=list)


def _int(values: np.ndarray) -> np.ndarray:
    return np.rint(values).astype(np.int64)


class WorkerYear:
    """One worker's year, drawn from their habits. Times are seconds of the local day;
    ``*_of`` arrays tie a patrol or visit to its day present, a finding to its patrol."""

    def __init__(
        self, rng: np.random.Generator, year: Year, grid: Any, households: Sequence[int]
    ) -> None:
        self.rng, self.year, self.grid = rng, year, grid
        h = self.habits = draw_habits(rng)
        chance = np.where(year.kinds == WORK, h.presence, ON_DUTY[year.kinds])
        self.day = np.flatnonzero(rng.random(len(year.days)) < chance)
        m = len(self.day)
        self.t_in = _int(np.clip(HOUR * (8.5 + rng.normal(h.late_h, 0.15, m)), 7 * HOUR, 11 * HOUR))
        t_out = _int(HOUR * (17.5 - rng.normal(h.early_h, 0.2, m)))
        self.t_out = np.clip(t_out, self.t_in + 4 * HOUR, 20 * HOUR)
        self.checked_out = rng.random(m) >= h.no_check_out
        self.from_home = rng.random(m) < h.from_home
        # patrols: one on most days present, within the working hours
        self.p_of = np.flatnonzero(rng.random(m) < h.patrols)
        span = (self.t_out - self.t_in)[self.p_of]
        n_p = len(self.p_of)
        length = np.minimum(
            np.clip(rng.normal(h.patrol_h, 0.25, n_p), 0.3, 3.0) * HOUR, span - 1800
        )
        self.p_start = self.t_in[self.p_of] + _int(900 + rng.random(n_p) * (span - length - 1800))
        self.p_end = self.p_start + _int(length)
        self.p_distance = rng.uniform(*PATROL_PACE[grid.kind], n_p) * (self.p_end - self.p_start)
        self.p_note = year.pick(rng, year.patrol_notes, self.day[self.p_of])
        # findings: by season and habit, during their patrol
        rate = FINDING_RATE * year.season[self.day[self.p_of]] * h.findings
        self.f_of = np.repeat(np.arange(n_p), rng.poisson(rate))
        n_f = len(self.f_of)
        self.f_at = self.p_start[self.f_of] + _int(
            rng.random(n_f) * (self.p_end - self.p_start)[self.f_of]
        )
        self.f_note = year.pick(rng, year.finding_notes, self.day[self.p_of[self.f_of]])
        # visits to the grid's households, any time of the day
        visits = (rng.random(m) < h.visit_days) * (1 + rng.poisson(h.extra_visits, m))
        self.v_of = np.repeat(np.arange(m), visits if households else 0)
        n_v = len(self.v_of)
        t0, t1 = self.t_in[self.v_of] + 600, self.t_out[self.v_of] - 600
        self.v_at = t0 + _int(rng.random(n_v) * (t1 - t0))
        self.v_household = np.asarray(households or [0], dtype=np.int64)[
            rng.integers(max(1, len(households)), size=n_v)
        ]
        self.v_note = year.pick(rng, year.visit_notes, self.day[self.v_of])
        # where: anywhere in the grid (moved onto the track on tracked days)
        xy = random_points(grid.geometry, 2 * m + n_p + n_f + n_v, rng)
        self.in_xy, self.out_xy, self.p_xy, self.f_xy, self.v_xy = np.split(
            xy, np.cumsum([m, m, n_p, n_f])
        )

    def track(
        self,
        worker_id: int,
        first: int,
        settings: AttendanceSettings,
        fixes: list[tuple[Any, ...]],
    ) -> list[tuple[Any, ...]]:
        """GPS fixes of the days present from day index ``first`` on, appended to
        ``fixes``; those days' records move onto the track (their times onto its fixes'),
        and the figures of the days and patrols are measured on it. Returns the days'
        figures as rows of ``attendance_track_day``."""
        rng, year, interval = self.rng, self.year, settings.demo_fix_interval_s
        days = []
        for j in np.flatnonzero(self.day >= first).tolist():
            t_in = int(self.t_in[j])
            n = int(self.t_out[j] - t_in) // interval + 1
            seconds = t_in + interval * np.arange(n)
            pace = np.full(n, SLOW_PACE)
            patrols = np.flatnonzero(self.p_of == j)
            for p in patrols.tolist():
                # two fixes at least (sparse fixes: a long interval)
                end = max(2, _fix(self.p_end[p], t_in, interval, n))
                start = min(end - 2, _fix(self.p_start[p], t_in, interval, n))
                self.p_start[p], self.p_end[p] = seconds[start], seconds[end]
                pace[start:end] = rng.uniform(*PATROL_PACE[self.grid.kind])
            along = rng.uniform(0, 5000) + np.concatenate([[0.0], np.cumsum(pace[:-1] * interval)])
            xy = _route(rng, random_points(self.grid.geometry, WAYPOINTS, rng), along)
            accuracy = rng.gamma(2.0, 4.0, n).astype(np.float32)
            self.in_xy[j], self.out_xy[j] = xy[0], xy[-1]
            self.p_xy[patrols] = xy[_fix(self.p_start[patrols], t_in, interval, n)]
            for at, where, mine in (
                (self.f_at, self.f_xy, self.p_of[self.f_of] == j),
                (self.v_at, self.v_xy, self.v_of == j),
            ):
                k = _fix(at[mine], t_in, interval, n)
                at[mine], where[mine] = seconds[k], xy[k]
            midnight = year.midnights[self.day[j]]
            checked_in = midnight + timedelta(seconds=t_in)
            fixes.extend(
                zip(
                    repeat(worker_id),
                    [checked_in + step for step in _steps(interval)[:n]],
                    xy[:, 0].tolist(),
                    xy[:, 1].tolist(),
                    accuracy.tolist(),
                    strict=False,
                )
            )
            # the figures, by the rules of playback and refresh (accurate fixes only)
            used = accuracy <= settings.max_accuracy_m
            us = (int(midnight.timestamp()) + seconds) * 1_000_000
            inside = shapely.intersects_xy(self.grid.geometry, xy[:, 0], xy[:, 1])
            track = Track(us[used], xy[used, 0], xy[used, 1], inside[used])
            distance, inside_s = figures(track, settings.max_gap_s)
            days.append((worker_id, year.days[self.day[j]], 1, 1, len(track), distance, inside_s))
            t = seconds[used]
            for p in patrols.tolist():
                during = (t >= self.p_start[p]) & (t < self.p_end[p])
                part = Track(*(a[during] for a in (track.us, track.lon, track.lat, track.inside)))
                self.p_distance[p], _ = figures(part, settings.max_gap_s)
        return days

    def records(self, into: Records, worker_id: int, grid_id: int, code: str) -> None:
        away = self.in_xy[self.from_home] + np.array([0.0, FROM_HOME_M / METRES_PER_DEGREE])
        self.in_xy[self.from_home] = away
        distance = np.zeros(len(self.day))
        distance[self.from_home] = (
            shapely.distance(self.grid.geometry, shapely.points(away)) * METRES_PER_DEGREE
        )
        into.days.add(
            worker=worker_id, code=code, day=self.day, t_in=self.t_in, t_out=self.t_out,
            checked_out=self.checked_out, in_x=self.in_xy[:, 0], in_y=self.in_xy[:, 1],
            out_x=self.out_xy[:, 0], out_y=self.out_xy[:, 1], distance=distance,
        )  # fmt: skip
        ids = len(into.patrols) + 1 + np.arange(len(self.p_of))
        into.patrols.add(
            id=ids, worker=worker_id, grid=grid_id, code=code, day=self.day[self.p_of],
            at=self.p_start, end=self.p_end, x=self.p_xy[:, 0], y=self.p_xy[:, 1],
            distance=self.p_distance, note=self.p_note,
        )  # fmt: skip
        into.findings.add(
            patrol=ids[self.f_of], worker=worker_id, grid=grid_id, code=code,
            day=self.day[self.p_of[self.f_of]], at=self.f_at, x=self.f_xy[:, 0],
            y=self.f_xy[:, 1], note=self.f_note,
        )  # fmt: skip
        into.visits.add(
            worker=worker_id, grid=grid_id, code=code, day=self.day[self.v_of], at=self.v_at,
            x=self.v_xy[:, 0], y=self.v_xy[:, 1], household=self.v_household, note=self.v_note,
        )  # fmt: skip


@cache
def _steps(interval: int) -> list[timedelta]:
    """A day of steps of ``interval`` seconds, from 0."""
    return [timedelta(seconds=s) for s in range(0, 24 * HOUR, interval)]


def _fix(at: Any, t_in: int, interval: int, n: int) -> Any:
    """Index of the day's fix at or before ``at`` (seconds of the day)."""
    return np.clip((at - t_in) // interval, 0, n - 1)


def _route(rng: np.random.Generator, waypoints: np.ndarray, along_m: np.ndarray) -> np.ndarray:
    """Positions ``along_m`` metres along a loop through the waypoints (round again past
    its end), with a few metres of GPS noise."""
    loop = np.vstack([waypoints, waypoints[:1]])
    metres = np.array([math.cos(math.radians(float(loop[0, 1]))), 1.0]) * METRES_PER_DEGREE
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*(np.diff(loop, axis=0) * metres).T))])
    at = along_m % along[-1] if along[-1] > 0 else np.zeros_like(along_m)
    xy = np.column_stack([np.interp(at, along, loop[:, 0]), np.interp(at, along, loop[:, 1])])
    return xy + rng.normal(0.0, 4.0 / METRES_PER_DEGREE, xy.shape)


async def load_demo(session: AsyncSession, demo: DemoContext) -> None:
    settings = AttendanceSettings()
    year = Year(demo_days(demo.today), ZoneInfo(DEMO_TZ))
    first_tracked = len(year.days) - TRACK_DAYS
    tracked = year.days[first_tracked:]
    await create_partitions(
        session, sorted({month_start(d) for d in tracked} | {month_start(tracked[-1], 1)})
    )
    households: dict[int, list[int]] = defaultdict(list)
    for row in await session.execute(text("SELECT id, grid_id FROM household ORDER BY id")):
        households[row.grid_id].append(row.id)
    rng = np.random.default_rng(demo.rng("attendance").getrandbits(64))
    task = (
        demo.progress.add_task("attendance", total=len(demo.partition.grids))
        if demo.progress is not None
        else None
    )
    records = Records()
    fixes: list[tuple[Any, ...]] = []
    copier = Copier(session)
    try:
        async with bulk_load(session, TABLES):
            for grid in demo.partition.grids:
                worker_id = demo.worker_ids.get(grid.code)
                grid_id = demo.grid_ids.get(grid.code)
                if worker_id is None or grid_id is None:
                    continue
                worker = WorkerYear(rng, year, grid, households[grid_id])
                records.track_days += worker.track(worker_id, first_tracked, settings, fixes)
                if len(fixes) >= FIX_BATCH:
                    await copier.copy("attendance_fix", FIX_COLUMNS, fixes)
                    fixes = []
                worker.records(records, worker_id, grid_id, grid.code)
                if task is not None:
                    demo.progress.advance(task)
            await copier.copy("attendance_fix", FIX_COLUMNS, fixes)
            await _write(copier, year, records, settings)
    finally:
        await copier.close()
    await session.execute(text(f"ANALYZE {', '.join(TABLES)}"))


LOCATED = (
    "grid_id",
    "region_code",
    "county",
    "geom",
    "beidou_code",
    "time_code",
    "collected_at",
)


def _located(year: Year, c: Columns) -> tuple[list[Any], ...]:
    """Per row: grid, region code, county, point, Beidou code, time code and time."""
    x, y, day, at = c["x"], c["y"], c["day"], c["at"]
    codes = c["code"].tolist()
    return (
        c["grid"].tolist(),
        codes,
        [code[:6] for code in codes],
        point_ewkb(x, y),
        beidou.encode_many(x, y, 10) if len(x) else [],
        year.time_codes(day, at),
        year.moments(day, at),
    )


async def _write(
    copier: Copier, year: Year, records: Records, settings: AttendanceSettings
) -> None:
    d = records.days
    day = d["day"]
    flagged = d["distance"] > settings.tolerance_m
    checked_out = d["checked_out"].tolist()
    await copier.copy(
        "attendance_day",
        (
            "worker_id",
            "grid_code",
            "day",
            "check_in_at",
            "check_in_geom",
            "check_in_distance_m",
            "check_in_flagged",
            "check_out_at",
            "check_out_geom",
            "check_out_distance_m",
            "check_out_flagged",
        ),
        [
            (
                w,
                code,
                year.days[i],
                t_in,
                g_in,
                dist,
                flag,
                *((t_out, g_out, 0.0, False) if out else (None,) * 4),
            )
            for w, code, i, t_in, g_in, dist, flag, t_out, g_out, out in zip(
                d["worker"].tolist(),
                d["code"].tolist(),
                day.tolist(),
                year.moments(day, d["t_in"]),
                point_ewkb(d["in_x"], d["in_y"]),
                d["distance"].tolist(),
                flagged.tolist(),
                year.moments(day, d["t_out"]),
                point_ewkb(d["out_x"], d["out_y"]),
                checked_out,
                strict=True,
            )
        ],
    )
    await copier.copy(
        "attendance_track_day",
        ("worker_id", "day", "version", "computed_version", "fixes", "distance_m", "inside_s"),
        records.track_days,
    )
    p = records.patrols
    await copier.copy(
        "attendance_patrol",
        (
            "id",
            "worker_id",
            "started_at",
            "ended_at",
            "distance_m",
            "note",
            "version",
            "computed_version",
            *LOCATED,
            "collected_by",
        ),
        [
            (i, w, located[-1], end, distance, note, 1, 1, *located, w)
            for i, w, end, distance, note, *located in zip(
                p["id"].tolist(),
                p["worker"].tolist(),
                year.moments(p["day"], p["end"]),
                p["distance"].tolist(),
                p["note"].tolist(),
                *_located(year, p),
                strict=True,
            )
        ],
    )
    f = records.findings
    await copier.copy(
        "attendance_patrol_finding",
        ("patrol_id", "note", *LOCATED, "collected_by"),
        [
            (patrol, note, *located, w)
            for patrol, note, w, *located in zip(
                f["patrol"].tolist(),
                f["note"].tolist(),
                f["worker"].tolist(),
                *_located(year, f),
                strict=True,
            )
        ],
    )
    v = records.visits
    await copier.copy(
        "attendance_visit",
        ("worker_id", "household_id", "note", *LOCATED, "collected_by"),
        [
            (w, household, note, *located, w)
            for w, household, note, *located in zip(
                v["worker"].tolist(),
                v["household"].tolist(),
                v["note"].tolist(),
                *_located(year, v),
                strict=True,
            )
        ],
    )
    for table in ("attendance_patrol", "attendance_patrol_finding", "attendance_visit"):
        await copier.sync_identity(table)
