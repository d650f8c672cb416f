"""Working days counted by hand on the State Council's real 2025 and 2026 lists.

The lists are the migration's own (``STATE_COUNCIL_DAYS``, imported from its file: the
migrations folder is no package), so these cases check the data as loaded and the
counting rules of ``workdays.py`` together: the start day is not counted, a period ends on
its n-th working day, a 补正 pause moves the deadline on by the working days after the
request up to and including the day the materials come.

The months the cases cross (Mo…Su)::

    2025-09  22 23 24 25 26 27 28 | 29 30          (28 Sun: 国庆 make-up workday)
    2025-10        1  2  3  4  5 | 6 7 8 9 10 11 12 (1–8 off; 11 Sat worked)
    2026-01           1  2  3  4                   (1–3 off; 4 Sun worked)
    2026-02   9 10 11 12 13 14 15 | 16 … 22 | 23 24 25 26 27 28   (14 Sat worked,
              15–23 春节 off, 28 Sat worked)
    2026-04-30 Thu; 05-01 Fri … 05-05 Tue off; 05-09 Sat worked
    2026-09  14 15 16 17 18 19 20 | 21 22 23 24 25 26 27 | 28 29 30 (20 Sun worked,
             25–27 中秋 off)
    2026-10         1  2  3  4 | 5 6 7 8 9 10 11 | 12   (1–7 国庆 off, 10 Sat worked)
"""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from core.errors import BadInput
from plugins.e_governance.catalogue import CalendarEntry, check_calendar_year
from plugins.e_governance.models import DayKind
from plugins.e_governance.workdays import Calendar

MIGRATION = Path(__file__).parents[1] / "migrations" / "e002_catalogue_applications.py"


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("e002_catalogue_applications", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ROWS: list[tuple[date, str, str]] = _migration().STATE_COUNCIL_DAYS
CAL = Calendar.of((d, k) for d, k, _ in ROWS)
D = date


def test_make_up_workdays_are_the_published_weekend_days() -> None:
    # 2025: 1/26 Sun, 2/8 Sat, 4/27 Sun, 9/28 Sun, 10/11 Sat;
    # 2026: 1/4 Sun, 2/14 Sat, 2/28 Sat, 5/9 Sat, 9/20 Sun, 10/10 Sat
    assert sorted(CAL.workdays) == [
        D(2025, 1, 26),
        D(2025, 2, 8),
        D(2025, 4, 27),
        D(2025, 9, 28),
        D(2025, 10, 11),
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ]
    assert all(d.weekday() >= 5 for d in CAL.workdays)
    # spans stored whole: 春节 2026 is 2/15–2/23, nine days
    assert sorted(d for d, _, n in ROWS if n == "春节" and d.year == 2026) == [
        D(2026, 2, 15) + timedelta(i) for i in range(9)
    ]


def test_the_lists_pass_the_calendar_check() -> None:
    # what setCalendarYear accepts: the real lists must pass its rules
    for year in (2025, 2026):
        entries = [CalendarEntry(d, DayKind(k), n) for d, k, n in ROWS if d.year == year]
        assert len(check_calendar_year(year, entries)) == len(entries)


def test_is_working() -> None:
    assert CAL.is_working(D(2026, 2, 14))  # Sat, 春节 make-up workday
    assert not CAL.is_working(D(2026, 2, 16))  # Mon, 春节
    assert not CAL.is_working(D(2026, 2, 21))  # Sat inside the span
    assert CAL.is_working(D(2026, 2, 24))  # Tue after the holiday
    assert not CAL.is_working(D(2026, 3, 7))  # an ordinary Saturday
    assert not CAL.is_working(D(2025, 1, 1))  # 元旦 2025, Wed


def test_spring_festival_2026() -> None:
    # accepted Fri 2/13, 3 working days: 2/14 Sat worked = 1; 2/15–2/23 off;
    # 2/24 Tue = 2; 2/25 Wed = 3 → deadline 2026-02-25
    assert CAL.add(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert CAL.add(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert CAL.add(D(2026, 2, 13), 3) == D(2026, 2, 25)
    # 20 working days from 2/13: 2/14 (1), 2/24–2/27 (2–5), 2/28 Sat worked (6),
    # 3/2–3/6 (7–11), 3/9–3/13 (12–16), 3/16–3/19 (17–20) → 2026-03-19
    assert CAL.add(D(2026, 2, 13), 20) == D(2026, 3, 19)
    assert CAL.between(D(2026, 2, 13), D(2026, 3, 19)) == 20
    # accepted on a holiday (Mon 2/16, taken at an open hall): 1 → 2/24
    assert CAL.add(D(2026, 2, 16), 1) == D(2026, 2, 24)


def test_national_day_2026() -> None:
    # accepted Wed 9/30, 3: 10/1–10/7 off; 10/8 Thu = 1, 10/9 Fri = 2,
    # 10/10 Sat worked = 3 → 2026-10-10; one more: 10/11 Sun off, 10/12 Mon = 4
    assert CAL.add(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert CAL.add(D(2026, 9, 30), 4) == D(2026, 10, 12)
    # 9/18 Fri + 1: 9/19 Sat off, 9/20 Sun worked → 2026-09-20
    assert CAL.add(D(2026, 9, 18), 1) == D(2026, 9, 20)


def test_national_day_2025() -> None:
    # accepted Fri 9/26, 5: 9/27 Sat off, 9/28 Sun worked = 1, 9/29 = 2, 9/30 = 3,
    # 10/1–10/8 off, 10/9 Thu = 4, 10/10 Fri = 5 → 2025-10-10; 6 → 10/11 Sat worked
    assert CAL.add(D(2025, 9, 26), 5) == D(2025, 10, 10)
    assert CAL.add(D(2025, 9, 26), 6) == D(2025, 10, 11)


def test_new_year_and_labour_day_2026() -> None:
    # Wed 2025-12-31 + 1: 1/1–1/3 off, 1/4 Sun worked → 2026-01-04; + 2 → Mon 1/5
    assert CAL.add(D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert CAL.add(D(2025, 12, 31), 2) == D(2026, 1, 5)
    # Thu 4/30 + 3: 5/1–5/5 off, 5/6 Wed = 1, 5/7 = 2, 5/8 Fri = 3; + 4 → 5/9 Sat worked
    assert CAL.add(D(2026, 4, 30), 3) == D(2026, 5, 8)
    assert CAL.add(D(2026, 4, 30), 4) == D(2026, 5, 9)


def test_zero_days_and_empty_periods() -> None:
    # a period of 0 working days ends on its start, even a holiday
    assert CAL.add(D(2026, 10, 1), 0) == D(2026, 10, 1)
    assert CAL.between(D(2026, 2, 25), D(2026, 2, 25)) == 0
    assert CAL.between(D(2026, 2, 25), D(2026, 2, 13)) == 0
    # (2/14, 2/24]: only 2/24 (2/15–2/23 off)
    assert CAL.between(D(2026, 2, 14), D(2026, 2, 24)) == 1
    # (2/13, 2/23]: only 2/14 (Sat worked)
    assert CAL.between(D(2026, 2, 13), D(2026, 2, 23)) == 1
    with pytest.raises(ValueError):
        CAL.add(D(2026, 1, 1), -1)


def test_whole_years() -> None:
    # 2026: 365 days from Thu 1/1 = 52 weeks + Thu 12/31 → 261 weekdays.
    # Weekdays off: 元旦 1/1, 1/2 (2); 春节 2/16–2/20, 2/23 (6); 清明 4/6 (1);
    # 劳动 5/1, 5/4, 5/5 (3); 端午 6/19 (1); 中秋 9/25 (1); 国庆 10/1, 10/2, 10/5–10/7 (5)
    # = 19. Weekend days worked: 1/4, 2/14, 2/28, 5/9, 9/20, 10/10 = 6.
    # 261 − 19 + 6 = 248
    assert CAL.between(D(2025, 12, 31), D(2026, 12, 31)) == 248
    # 2025: from Wed 1/1, 261 weekdays. Off: 1/1 (1); 1/28–1/31, 2/3, 2/4 (6); 4/4 (1);
    # 5/1, 5/2, 5/5 (3); 6/2 (1); 10/1–10/3, 10/6–10/8 (6) = 18. Worked: 1/26, 2/8, 4/27,
    # 9/28, 10/11 = 5. 261 − 18 + 5 = 248
    assert CAL.between(D(2024, 12, 31), D(2025, 12, 31)) == 248


def test_a_correction_pause_moves_the_deadline() -> None:
    # accepted Mon 9/14, promised 10: 9/15–9/18 (1–4), 9/19 Sat off, 9/20 Sun worked (5),
    # 9/21–9/24 (6–9), 9/25–9/27 中秋 off, 9/28 Mon (10) → deadline 2026-09-28
    accepted = D(2026, 9, 14)
    deadline = CAL.add(accepted, 10)
    assert deadline == D(2026, 9, 28)
    # 补正 asked Wed 9/23, materials came Fri 10/9: paused = working days in (9/23, 10/9]
    # = 9/24 (1), 9/28 (2), 9/29 (3), 9/30 (4), [10/1–10/7 off], 10/8 (5), 10/9 (6) = 6
    paused = CAL.between(D(2026, 9, 23), D(2026, 10, 9))
    assert paused == 6
    # the deadline moves on 6 working days: 9/29 (1), 9/30 (2), 10/8 (3), 10/9 (4),
    # 10/10 Sat worked (5), 10/12 Mon (6) → 2026-10-12; the same as 16 from acceptance
    assert CAL.add(deadline, paused) == D(2026, 10, 12)
    assert CAL.add(accepted, 10 + paused) == D(2026, 10, 12)
    # finished on 10/12: on time; the working days it took net of the pause are 10
    assert CAL.between(accepted, D(2026, 10, 12)) - paused == 10


def test_pause_on_a_single_day() -> None:
    # asked Fri 2/13 and the materials came the next day, Sat 2/14 (a workday): 1 day;
    # came Sun 2/15 (off) instead: still 1 (2/14); came Tue 2/24: 2 (2/14, 2/24)
    assert CAL.between(D(2026, 2, 13), D(2026, 2, 14)) == 1
    assert CAL.between(D(2026, 2, 13), D(2026, 2, 15)) == 1
    assert CAL.between(D(2026, 2, 13), D(2026, 2, 24)) == 2


def test_calendar_check_refuses_bad_lists() -> None:
    sat, mon = D(2027, 1, 2), D(2027, 1, 4)
    with pytest.raises(BadInput, match="weekday"):
        check_calendar_year(2027, [CalendarEntry(mon, DayKind.WORKDAY, "调休")])
    with pytest.raises(BadInput, match="twice"):
        check_calendar_year(
            2027,
            [CalendarEntry(sat, DayKind.HOLIDAY, "元旦"), CalendarEntry(sat, DayKind.WORKDAY, "x")],
        )
    with pytest.raises(BadInput, match="not in 2027"):
        check_calendar_year(2027, [CalendarEntry(D(2026, 12, 31), DayKind.HOLIDAY, "元旦")])
    with pytest.raises(BadInput, match="empty"):
        check_calendar_year(2027, [CalendarEntry(mon, DayKind.HOLIDAY, "  ")])
    with pytest.raises(BadInput, match="year"):
        check_calendar_year(1999, [])
    # a holiday on a weekend day is fine (spans are stored whole); the rows come sorted
    sun = D(2027, 1, 3)
    entries = [
        CalendarEntry(mon, DayKind.HOLIDAY, " 元旦 "),
        CalendarEntry(sat, DayKind.HOLIDAY, "元旦"),
        CalendarEntry(sun, DayKind.WORKDAY, "调休上班"),
    ]
    rows = check_calendar_year(2027, entries)
    assert [(r.day, r.kind, r.name) for r in rows] == [
        (sat, DayKind.HOLIDAY, "元旦"),
        (sun, DayKind.WORKDAY, "调休上班"),
        (mon, DayKind.HOLIDAY, "元旦"),
    ]
