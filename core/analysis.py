"""What plugins hand the analytics plugin: dashboard panel parts, analysis modules and
assessment indicators (hooks ``gridgov_dashboard_panels``, ``gridgov_analysis_modules``,
``gridgov_assessment_indicators``). The types live in the core so that any plugin can
contribute without importing the analytics plugin, and a panel vanishes with its plugin.

Every computation gets a :class:`Scope`: the region (a code prefix), the period (local
days, ``[start, end)`` as instants) and, for drill-down, the length of the child codes to
group by. It answers figures per group: ``{"": [...]}`` when ungrouped, else
``{"<child prefix>": [...]}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, literal
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import BadInput
from core.models.base import prefix_match

#: the longest period (in days) an analysis may span
MAX_PERIOD_DAYS = 3 * 366


def local_today(tz: str, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(tz)).date()


#: the days a period may name (the calendar's far ends overflow when shifted by a zone)
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)


def period(tz: str, first: date | None, last: date | None, now: datetime) -> tuple[date, date]:
    """The local days ``first..last`` asked, checked: by default the year up to today
    (``to`` defaults to today, ``from`` to a year before ``to``), at most
    ``MAX_PERIOD_DAYS`` long (else BAD_USER_INPUT on ``from``), within
    ``EARLIEST_DAY..LATEST_DAY``."""
    last = last or local_today(tz, now)
    for day, argument in ((first, "from"), (last, "to")):
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise BadInput(
                f"{argument} must lie within {EARLIEST_DAY}..{LATEST_DAY}, not {day}",
                argument=argument,
            )
    if first is None:
        try:
            first = last.replace(year=last.year - 1) + timedelta(days=1)
        except ValueError:  # 29 February
            first = last.replace(year=last.year - 1, day=28) + timedelta(days=1)
    if first > last:
        raise BadInput(f"from ({first}) is after to ({last})", argument="from")
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise BadInput(
            f"a period spans at most {MAX_PERIOD_DAYS} days, not {(last - first).days + 1}",
            argument="from",
        )
    return first, last


@dataclass(frozen=True, slots=True)
class Scope:
    """Where and when: ``prefix`` of region codes ("" = everywhere), local days
    ``first_day..last_day`` (both included) which are the instants ``[start, end)``."""

    prefix: str
    first_day: date
    last_day: date
    start: datetime
    end: datetime
    now: datetime
    tz: str
    #: group by the first ``group_len`` characters of region codes (one level down)
    group_len: int | None = None

    def grouped(self, length: int | None) -> Scope:
        return Scope(
            self.prefix,
            self.first_day,
            self.last_day,
            self.start,
            self.end,
            self.now,
            self.tz,
            length,
        )

    def within(self, column: Any) -> ColumnElement[bool]:
        """SQL: the record's region code lies in the scope's region."""
        found: ColumnElement[bool] = prefix_match(column, self.prefix)
        return found

    def group(self, column: Any) -> ColumnElement[str]:
        """SQL: the group a record's region code falls in ("" when not grouped)."""
        if self.group_len is None:
            return literal("")
        return func.left(column, self.group_len)


@dataclass(frozen=True, slots=True)
class Figure:
    """One number on a panel. ``chart`` groups figures drawn together (an age pyramid,
    kinds of things); ``additive`` figures are 0 where nothing was counted, others (rates,
    means) are null."""

    key: str
    label: str
    value: float | None
    unit: str = ""
    chart: str = ""
    additive: bool = True
    #: disclosure control: a count of personal data (of this data category) under
    #: ``min_count`` is withheld from a reader whose read grant does not cover the area
    personal: str | None = None
    min_count: int = 0


#: figures per group key ("" when not grouped)
Figures = dict[str, list[Figure]]
PanelCompute = Callable[[AsyncSession, Scope], Awaitable[Figures]]


@dataclass(frozen=True, slots=True)
class PanelPart:
    """Figures on the dashboard panel ``panel``. Parts with the same key make one panel, in
    ``order``; the part with a ``title`` founds it (a part whose panel nobody founds is
    dropped: its plugin's panel is gone)."""

    panel: str
    compute: PanelCompute
    title: str | None = None
    order: int = 100


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a module's list and report. ``personal``: the data category whose
    ``read`` grant shows it whole (it is masked with ``mask`` otherwise, and audited)."""

    key: str
    label: str
    personal: str | None = None
    mask: Callable[[str], str | None] | None = None
    #: a boolean column of the source saying whether the cell is personal in that row
    #: (a house's address is, a shop's is not); None: in every row
    personal_when: str | None = None


#: a module's records as SQL: ``(scope, filter) -> SELECT`` whose columns are ``id``,
#: ``region_code``, ``at`` (when it happened, or was registered) and one per ``Column``
Source = Callable[[Scope, str | None], Any]


@dataclass(frozen=True, slots=True)
class AnalysisModule:
    """One of the analysis system's modules (研判分析). The analytics plugin turns its
    ``source`` into a filtered, paginated list of the records behind it, totals with
    drill-down, a trend (counts per day/week/month of ``at``) and a report (the list as XLSX
    or CSV). ``category`` is the data category of the rows (reach, masks, audit) and
    ``kind`` the record kind the access audit names. ``dated`` modules count what happened
    in the period; the others (residents, places…) the records there now, their trend being
    when records were registered."""

    key: str
    title: str
    category: str
    kind: str
    columns: Sequence[Column]
    source: Source
    dated: bool = False
    #: named filters a client may pick (key -> label); ``source`` receives the key
    filters: dict[str, str] = field(default_factory=dict)
    order: int = 100
    #: the source also answers ``geom`` (SRID 4326) and ``beidou_code`` (level 10): the
    #: module has a point map and heat maps
    located: bool = False
    #: the data category whose ``read`` grant shows a record's point (a home is personal);
    #: None: a point is shown to whoever may list the record
    location_personal: str | None = None
    #: disclosure control: a heat cell counting fewer records than this is left out for an
    #: actor whose ``read`` grant on ``category`` does not reach every record in it
    min_count: int = 0
    #: a cheaper way to a BeiDou heat map (pre-aggregated counts): ``(scope, filter,
    #: level) -> SELECT region_code, cell, n`` counting exactly the located records the
    #: source gives, per cell of that level; None where it cannot (that filter, that level)
    cells: Callable[[Scope, str | None, int], Any] | None = None


@dataclass(frozen=True, slots=True)
class AssessmentIndicator:
    """A measure of a grid worker's month for the assessment tables (考核表): ``compute``
    answers, for the workers of the scope's region and the month, ``{worker account id:
    value}``. ``better`` says whether more is better (``higher``) or worse (``lower``)."""

    key: str
    label: str
    compute: Callable[[AsyncSession, Scope], Awaitable[dict[int, float]]]
    unit: str = ""
    better: str = "higher"
    default_weight: float = 0.0
    #: the analysis module listing the records behind the figure (traceability)
    module: str | None = None
    #: a count (0 for a worker it has nothing for); else a rate or mean (no value then)
    additive: bool = True
