"""Local days and months: "today" is the deployment's calendar day (``Settings.tz``), and
months travel as ``YYYY-MM``, quarters as ``YYYY-Qn``."""

from __future__ import annotations

import re
from datetime import date

from core.analysis import local_today
from core.errors import BadInput

__all__ = ["add_months", "local_today", "month_text", "parse_month", "parse_quarter"]

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def parse_month(text: str | None, argument: str = "month") -> date:
    """``2026-03`` → 2026-03-01 (else BAD_USER_INPUT naming the argument)."""
    found = MONTH.match((text or "").strip())
    if found is None or int(found[1]) < 1900:
        raise BadInput(f"{argument} must be a month as YYYY-MM, got {text!r}", argument=argument)
    return date(int(found[1]), int(found[2]), 1)


def month_text(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def add_months(month: date, n: int) -> date:
    """The first day of the month ``n`` months after ``month``'s (before, if negative)."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def parse_quarter(text: str, argument: str = "quarter") -> tuple[date, date]:
    """``2026-Q3`` → (2026-07-01, 2026-09-30) (else BAD_USER_INPUT)."""
    found = QUARTER.match(text.strip())
    if found is None:
        raise BadInput(f"{argument} must be a quarter as YYYY-Qn, got {text!r}", argument=argument)
    first = date(int(found[1]), 3 * int(found[2]) - 2, 1)
    last = add_months(first, 3)
    return first, date.fromordinal(last.toordinal() - 1)
