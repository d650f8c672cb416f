"""The period every analysis takes: defaults, limits, and days the calendar cannot shift
(a fuzzer's ``to: "0001-01-01"`` once failed with "year 0 is out of range")."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.analysis import EARLIEST_DAY, LATEST_DAY, period
from core.errors import BadInput

NOW = datetime(2026, 12, 1, 4, tzinfo=UTC)


def test_the_default_is_the_year_up_to_today() -> None:
    assert period("Asia/Shanghai", None, None, NOW) == (date(2025, 12, 2), date(2026, 12, 1))
    assert period("Asia/Shanghai", None, date(2028, 2, 29), NOW) == (
        date(2027, 3, 1),
        date(2028, 2, 29),
    )
    assert period("Asia/Shanghai", None, EARLIEST_DAY, NOW)[1] == EARLIEST_DAY


@pytest.mark.parametrize(
    ("first", "last", "argument"),
    [
        (None, date(1, 1, 1), "to"),
        (date(1, 1, 1), date(2026, 1, 1), "from"),
        (None, date(9999, 12, 31), "to"),
        (date(2026, 1, 2), date(2026, 1, 1), "from"),
        (EARLIEST_DAY, LATEST_DAY, "from"),  # far longer than a period may be
    ],
)
def test_days_out_of_range_are_bad_input(first: date | None, last: date, argument: str) -> None:
    with pytest.raises(BadInput) as refused:
        period("Asia/Shanghai", first, last, NOW)
    assert refused.value.details["argument"] == argument
