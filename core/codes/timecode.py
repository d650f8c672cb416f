"""Time codes: a calendar period written as digits whose prefixes are the enclosing periods.

A time code is the wall-clock date and time in the deployment time zone (default
``Asia/Shanghai``, China Standard Time), most significant field first, cut after the field
that gives its level::

    2026 11 25 14 30 00
    |    |  |  |  |  `- second  (14 digits)  00-59, no leap seconds
    |    |  |  |  `---- minute  (12 digits)  00-59
    |    |  |  `------- hour    (10 digits)  00-23
    |    |  `---------- day     ( 8 digits)  01-28/29/30/31 as the month has
    |    `------------- month   ( 6 digits)  01-12
    `------------------ year    ( 4 digits)  1900-9999

``"2026"`` is the year 2026, ``"202611"`` November 2026, ``"20261125143000"`` one second.
Every prefix of valid length is the enclosing period, so "everything in November 2026" is
``code LIKE '202611%'`` and :func:`time_code_range` turns any ``[start, end)`` into a few
such prefixes. Codes of one length sort chronologically as plain strings.

Time zones with daylight saving time
------------------------------------
A code names *wall-clock* time, so in a zone with DST (including Asia/Shanghai's own DST of
1986-1991, which :mod:`zoneinfo` knows about):

* **Skipped wall-clock time** (spring forward, e.g. 02:00-02:59 on 2026-03-29 in
  Europe/Berlin) never occurs. Such codes are still valid (the calendar has them) but no
  instant encodes to them; :func:`decode_time` returns an *empty* interval,
  ``start == end == the transition instant``. Enclosing periods simply are shorter
  (that Berlin day lasts 23 hours).
* **Repeated wall-clock time** (fall back, e.g. 02:00-02:59 on 2026-10-25 in Berlin) occurs
  twice, and both occurrences get the same code: the code is then not unique per instant and
  not chronological inside that hour. An hour or coarser code stays one interval (that hour
  lasts two real hours, that day 25), but a minute or second code inside the repeated hour
  denotes two separate intervals an hour apart. :class:`TimeInterval` then reports their
  hull (first occurrence's start, second occurrence's end) and :meth:`TimeInterval.contains`
  stays exact (it compares codes, not the hull).

A deployment that must code every instant uniquely should use a zone without DST (the
default has none since 1991) or a fixed offset such as ``datetime.timezone.utc``.

Note that comparing or subtracting two aware datetimes that share one ``tzinfo`` object is
done by Python on their *wall clocks* (``fold`` ignored): use :attr:`TimeInterval.duration`
or convert to UTC first when a DST transition may lie in between.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.codes.errors import InvalidCode

__all__ = [
    "DEFAULT_TZ",
    "MAX_YEAR",
    "MIN_YEAR",
    "InvalidCode",
    "TimeInterval",
    "TimeLevel",
    "TimeZone",
    "decode_time",
    "encode_time",
    "parent_time",
    "time_code_range",
    "time_level_of",
]

DEFAULT_TZ = "Asia/Shanghai"
MIN_YEAR = 1900
MAX_YEAR = 9999

_SECOND = timedelta(seconds=1)
_MICROSECOND = timedelta(microseconds=1)
_LAST_INSTANT = datetime.max.replace(tzinfo=UTC)
# time_code_range looks for UTC-offset changes this close to the ends of a long range
# (wall-clock jumps are at most about a day), sampling the offset at _SCAN_STEP.
_SCAN_WINDOW = timedelta(days=3)
_SCAN_STEP = timedelta(hours=1)


class TimeLevel(StrEnum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"
    HOUR = "hour"
    MINUTE = "minute"
    SECOND = "second"

    @property
    def length(self) -> int:
        """Number of digits of a code at this level (4, 6, 8, 10, 12 or 14)."""
        return _LENGTH[self]


_LEVELS: tuple[TimeLevel, ...] = tuple(TimeLevel)  # coarsest first
_LENGTH: dict[TimeLevel, int] = dict(zip(_LEVELS, (4, 6, 8, 10, 12, 14), strict=True))
_BY_LENGTH: dict[int, TimeLevel] = {length: level for level, length in _LENGTH.items()}

TimeZone = tzinfo | str


@dataclass(frozen=True, slots=True)
class TimeInterval:
    """The period a time code names: the half-open interval ``[start, end)``.

    ``start`` and ``end`` are aware datetimes in the code's time zone. ``start`` is the first
    instant whose wall clock shows a time inside the period; ``end`` is the instant right
    after the last one. They are exact except in the DST corner cases of the module
    docstring: a skipped period has ``start == end``, and a minute/second code inside a
    repeated hour gets the hull of its two occurrences.

    Compare them with other instants in UTC (``.astimezone(UTC)``) when DST may be involved:
    Python compares two datetimes of one zone by wall clock, and never finds an ambiguous
    wall time (fold-dependent offset) equal to a datetime of another zone.

    Year 9999: a period that ends after the last wall-clock time Python can represent has its
    ``end`` in UTC (zones east of UTC), or clamped to ``datetime.max`` UTC (UTC and zones west
    of it, where the true end is not representable at all; :meth:`contains` stays exact); a
    period starting after ``datetime.max`` UTC cannot be decoded.
    """

    code: str
    level: TimeLevel
    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        """Real elapsed time from ``start`` to ``end`` (computed in UTC)."""
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (an aware datetime) falls in this period.

        Exact in every zone: the moment is encoded in the code's zone and compared with the
        code, so both occurrences of a repeated wall-clock time are inside.
        """
        _require_aware(moment, "moment")
        try:
            local = moment.astimezone(self.start.tzinfo)
        except OverflowError:  # its wall clock is outside datetime's years 1-9999
            return False
        return _digits(local).startswith(self.code)


# --- arguments ------------------------------------------------------------------------------


def _zone(tz: TimeZone) -> tzinfo:
    if isinstance(tz, str):
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidCode(
                f"unknown time zone {tz!r}; use an IANA name such as 'Asia/Shanghai'", value=tz
            ) from None
    if isinstance(tz, tzinfo):
        return tz
    raise InvalidCode(
        f"time zone must be a ZoneInfo or an IANA name such as 'Asia/Shanghai', "
        f"got {type(tz).__name__}",
        value=tz,
    )


def _level(level: TimeLevel | str) -> TimeLevel:
    if isinstance(level, TimeLevel):
        return level
    if isinstance(level, str):
        try:
            return TimeLevel(level.strip().lower())
        except ValueError:
            pass
    raise InvalidCode(f"time level must be one of {', '.join(_LEVELS)}; got {level!r}", value=level)


def _require_aware(moment: object, what: str) -> datetime:
    if not isinstance(moment, datetime):
        raise InvalidCode(f"{what} must be a datetime, got {type(moment).__name__}", value=moment)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidCode(
            f"{what} {moment.isoformat()} is a naive datetime (no time zone): it could mean "
            "any instant within about a day, so it cannot be coded. Pass an aware datetime, "
            "e.g. datetime.now(UTC) or dt.replace(tzinfo=ZoneInfo('Asia/Shanghai'))",
            value=moment,
        )
    return moment


def _utc(moment: datetime, what: str) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidCode(
            f"{what} {moment.isoformat()} is outside the range of datetimes in UTC", value=moment
        ) from None


# --- wall clock <-> instants ----------------------------------------------------------------


def _digits(wall: datetime) -> str:
    """The 14-digit second code of a wall-clock time (no range check)."""
    return (
        f"{wall.year:04d}{wall.month:02d}{wall.day:02d}"
        f"{wall.hour:02d}{wall.minute:02d}{wall.second:02d}"
    )


def _wall(moment: datetime, zone: tzinfo, what: str) -> datetime:
    """Naive wall-clock time of an aware ``moment`` in ``zone``, checked to be codable."""
    try:
        local = moment.astimezone(zone)
    except OverflowError:
        raise InvalidCode(
            f"{what} {moment.isoformat()} falls outside the years {MIN_YEAR}-{MAX_YEAR} "
            f"in time zone {zone}",
            value=moment,
        ) from None
    if not MIN_YEAR <= local.year <= MAX_YEAR:
        raise InvalidCode(
            f"{what} {moment.isoformat()} is in the year {local.year} in time zone {zone}; "
            f"time codes cover the years {MIN_YEAR}-{MAX_YEAR}",
            value=moment,
        )
    return local.replace(tzinfo=None, fold=0)


def _offset(instant: datetime, zone: tzinfo) -> timedelta | None:
    return instant.astimezone(zone).utcoffset()


def _first_change(lo: datetime, hi: datetime, zone: tzinfo) -> datetime:
    """Earliest whole-second instant in ``(lo, hi]`` whose UTC offset differs from ``lo``'s.

    ``hi``'s offset must differ from ``lo``'s. Offset changes in the tz database fall on whole
    seconds, so a bisection over seconds finds the change exactly.
    """
    base = lo.replace(microsecond=0)
    reference = _offset(base, zone)
    span = hi - base
    low, high = 0, span.days * 86_400 + span.seconds + (1 if span.microseconds else 0)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(base + middle * _SECOND, zone) == reference:
            low = middle
        else:
            high = middle
    return base + high * _SECOND


def _exists(wall: datetime, zone: tzinfo) -> bool:
    """Whether the clock of ``zone`` ever shows ``wall`` (not inside a forward jump)."""
    try:
        instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
        return instant.astimezone(zone).replace(tzinfo=None, fold=0) == wall
    except OverflowError:  # not representable, but not skipped either
        return True


def _jump(wall: datetime, zone: tzinfo) -> datetime:
    """The instant (UTC) of the forward jump of the clock that skips ``wall``."""
    # PEP 495: in a gap fold=0 reads the wall time with the offset from before the jump (a
    # later instant), fold=1 with the offset after it (an earlier instant); the jump is
    # between the two.
    later = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    earlier = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return _first_change(min(earlier, later), max(earlier, later), zone)


def _first_instant(wall: datetime, zone: tzinfo) -> datetime:
    """Start (UTC) of the first occurrence of wall-clock second ``wall``, or of the jump.

    Raises ``OverflowError`` when that instant is not representable.
    """
    if _exists(wall, zone):
        return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    return _jump(wall, zone)


def _after_last_instant(wall: datetime, zone: tzinfo) -> datetime:
    """End (UTC) of the last occurrence of wall-clock second ``wall``, or the jump over it.

    Raises ``OverflowError`` when that instant is not representable.
    """
    if _exists(wall, zone):
        return wall.replace(tzinfo=zone, fold=1).astimezone(UTC) + _SECOND
    return _jump(wall, zone)


def _period_last(first: datetime, level: TimeLevel) -> datetime:
    """Last second of the period at ``level`` that starts at ``first`` (aligned)."""
    if level is TimeLevel.YEAR:
        return first.replace(month=12, day=31, hour=23, minute=59, second=59)
    if level is TimeLevel.MONTH:
        last_day = calendar.monthrange(first.year, first.month)[1]
        return first.replace(day=last_day, hour=23, minute=59, second=59)
    if level is TimeLevel.DAY:
        return first.replace(hour=23, minute=59, second=59)
    if level is TimeLevel.HOUR:
        return first.replace(minute=59, second=59)
    if level is TimeLevel.MINUTE:
        return first.replace(second=59)
    return first


def _aligned(wall: datetime, level: TimeLevel) -> bool:
    """Whether ``wall`` is the first second of its period at ``level``."""
    fields = (wall.month - 1, wall.day - 1, wall.hour, wall.minute, wall.second)
    return not any(fields[_LEVELS.index(level) :])


# --- parsing --------------------------------------------------------------------------------


def _parse(code: object) -> tuple[str, TimeLevel, datetime]:
    """Validate a time code; return it stripped, its level and its first wall-clock second."""
    if not isinstance(code, str):
        raise InvalidCode(f"time code must be a string, got {type(code).__name__}", value=code)
    text = code.strip()
    if not text:
        raise InvalidCode("time code is empty", value=code)
    if not (text.isascii() and text.isdigit()):
        raise InvalidCode(f"time code {code!r} must contain only digits 0-9", value=code)
    level = _BY_LENGTH.get(len(text))
    if level is None:
        raise InvalidCode(
            f"time code {text!r} has {len(text)} digits; a time code has 4 (year), 6 (month), "
            "8 (day), 10 (hour), 12 (minute) or 14 (second) digits",
            value=code,
        )

    def field(index: int) -> int:
        return int(text[4 + 2 * (index - 1) : 4 + 2 * index]) if len(text) > 2 + 2 * index else 0

    year = int(text[:4])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidCode(
            f"time code {text!r}: year {year} is outside {MIN_YEAR}-{MAX_YEAR}", value=code
        )
    month, day, hour, minute, second = (field(i) for i in range(1, 6))
    if len(text) >= 6 and not 1 <= month <= 12:
        raise InvalidCode(f"time code {text!r}: month {text[4:6]} is outside 01-12", value=code)
    if len(text) >= 8:
        days = calendar.monthrange(year, month)[1]
        if day == 0:
            raise InvalidCode(f"time code {text!r}: day 00 is outside 01-{days}", value=code)
        if day > days:
            raise InvalidCode(
                f"time code {text!r}: day {day} does not exist, "
                f"{calendar.month_name[month]} {year} has {days} days",
                value=code,
            )
    if hour > 23:
        raise InvalidCode(
            f"time code {text!r}: hour {text[8:10]} is outside 00-23 "
            "(midnight is hour 00 of the next day)",
            value=code,
        )
    if minute > 59:
        raise InvalidCode(f"time code {text!r}: minute {text[10:12]} is outside 00-59", value=code)
    if second > 59:
        raise InvalidCode(
            f"time code {text!r}: second {text[12:14]} is outside 00-59 "
            "(leap seconds are not coded)",
            value=code,
        )
    return text, level, datetime(year, month or 1, day or 1, hour, minute, second)


# --- public API -----------------------------------------------------------------------------


def encode_time(
    moment: datetime, level: TimeLevel | str = TimeLevel.SECOND, tz: TimeZone = DEFAULT_TZ
) -> str:
    """The time code of ``moment`` at ``level`` (default: second, 14 digits).

    ``moment`` must be aware; it is converted to ``tz`` first, so
    2026-12-31T20:00Z is ``"2027"`` at year level in Asia/Shanghai. Sub-second parts are
    dropped (the code of an instant is the second it falls in).
    """
    wanted = _level(level)
    zone = _zone(tz)
    _require_aware(moment, "moment")
    return _digits(_wall(moment, zone, "moment"))[: wanted.length]


def decode_time(code: str, tz: TimeZone = DEFAULT_TZ) -> TimeInterval:
    """The interval ``[start, end)`` of a time code in time zone ``tz``."""
    zone = _zone(tz)
    text, level, first = _parse(code)
    last = _period_last(first, level)

    try:
        start = _first_instant(first, zone).astimezone(zone)
    except OverflowError:
        raise InvalidCode(
            f"time code {text!r}: the period starts after the last instant Python can "
            f"represent ({datetime.max} UTC) in time zone {zone}",
            value=code,
        ) from None
    try:
        end = _after_last_instant(last, zone)
    except OverflowError:  # the end of 9999 west of UTC: clamp to the last instant
        end = _LAST_INSTANT
    try:
        end = end.astimezone(zone)
    except OverflowError:  # the end of 9999 east of UTC: keep it in UTC
        pass
    return TimeInterval(code=text, level=level, start=start, end=end)


def time_level_of(code: str) -> TimeLevel:
    """Validate a time code and return its level."""
    return _parse(code)[1]


def parent_time(code: str, level: TimeLevel | str) -> str:
    """The code of the period at ``level`` enclosing ``code`` (``level`` not finer than it).

    ``parent_time("20261125143000", "month") == "202611"``; asking for the code's own level
    returns the code itself.
    """
    text, own, _first = _parse(code)
    wanted = _level(level)
    if wanted.length > own.length:
        raise InvalidCode(
            f"time code {text!r} is a {own.value} code; {wanted.value} is finer, "
            f"so there is no enclosing {wanted.value}",
            value=code,
        )
    return text[: wanted.length]


def time_code_range(start: datetime, end: datetime, tz: TimeZone = DEFAULT_TZ) -> list[str]:
    """Time-code prefixes that together match exactly the instants in ``[start, end)``.

    A query "from ``start`` to ``end``" becomes ``code LIKE p1 || '%' OR code LIKE p2 || '%'
    ...`` over the returned prefixes (sorted, pairwise disjoint: no prefix is a prefix of
    another). They are found greedily, coarsest first, like covering a range with aligned
    blocks: each prefix is the largest whole year/month/day/hour/minute/second that starts at
    the current position and fits. ``start == end`` gives ``[]``.

    Exactness: when ``start`` and ``end`` fall on whole seconds, every instant in
    ``[start, end)`` is matched by exactly one prefix and an instant outside is matched only
    if its second code equals that of an instant inside - which happens only next to a
    fall-back transition of a DST zone (see the module docstring); in a zone without DST the
    cover is exact. Otherwise the partial seconds at either end are covered whole.
    """
    zone = _zone(tz)
    # Work in UTC: Python compares and shifts two datetimes sharing a tzinfo by wall clock.
    start = _utc(_require_aware(start, "start"), "start")
    end = _utc(_require_aware(end, "end"), "end")
    if end < start:
        raise InvalidCode(
            f"time range end {end.isoformat()} is before its start {start.isoformat()}",
            value=(start, end),
        )
    if end == start:
        return []

    # Split [start, end) where the UTC offset changes; each piece shows a contiguous run of
    # wall-clock seconds. Only changes near the ends can reach past the run from the wall
    # clock at `start` to the wall clock at `end`, so a long range is only scanned there.
    if end - start <= 2 * _SCAN_WINDOW:
        changes = _offset_changes(start, end, zone)
    else:
        changes = _offset_changes(start, start + _SCAN_WINDOW, zone)
        changes += _offset_changes(end - _SCAN_WINDOW, end, zone)
    cuts = [start, *changes, end]
    runs: list[list[datetime]] = []
    for piece_start, piece_end in pairwise(cuts):
        low = _wall(piece_start, zone, "start").replace(microsecond=0)
        high = _wall(piece_end - _MICROSECOND, zone, "end").replace(microsecond=0)
        if runs and low > runs[-1][1] + _SECOND:
            # A forward jump: the wall-clock seconds in between never occur, so covering them
            # too matches nothing extra and keeps the prefixes coarse.
            runs[-1][1] = low - _SECOND
        runs.append([low, high])

    merged: list[list[datetime]] = []
    for low, high in sorted(runs):
        if merged and low <= merged[-1][1] + _SECOND:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])

    prefixes: list[str] = []
    for low, high in merged:
        prefixes.extend(_cover(low, high))
    return prefixes


def _offset_changes(lo: datetime, hi: datetime, zone: tzinfo) -> list[datetime]:
    """Instants in ``(lo, hi)`` at which ``zone``'s UTC offset changes (UTC, ascending).

    The offset is sampled every hour and each change located to the second; two changes
    less than an hour apart that cancel out would be missed (the tz database has none).
    """
    samples = [lo]
    while samples[-1] + _SCAN_STEP < hi:
        samples.append(samples[-1] + _SCAN_STEP)
    samples.append(hi - _MICROSECOND)
    changes: list[datetime] = []
    for a, b in pairwise(samples):
        left = a
        while left < b and _offset(left, zone) != _offset(b, zone):
            left = _first_change(left, b, zone)
            if lo < left < hi:
                changes.append(left)
    return changes


def _cover(low: datetime, high: datetime) -> list[str]:
    """Greedy coarsest-first prefixes covering the wall-clock seconds ``low..high``."""
    prefixes: list[str] = []
    cursor = low
    while True:
        for level in _LEVELS:
            if _aligned(cursor, level):
                last = _period_last(cursor, level)
                if last <= high:
                    break
        prefixes.append(_digits(cursor)[: level.length])
        if last >= high:
            return prefixes
        cursor = last + _SECOND
