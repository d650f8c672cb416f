"""Deadlines in working days, on the State Council's 2026 calendar (as the migration loads
it), through the API with back-office dates: the promised days counted from the day after
受理, holidays skipped, make-up Saturdays counted, a 补正 pause moving the deadline on by
the working days it lasted; on time on the last day, late the next working day.

2026 facts used (国务院办公厅, 2025-11-04):
  春节 2月15日–23日 off; 2月14日 (Sat) and 2月28日 (Sat) worked.
  中秋节 9月25日–27日 off.  国庆节 10月1日–7日 off; 9月20日 (Sun) and 10月10日 (Sat) worked.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from plugins.e_governance.tests.test_applications import (
    STAFF,
    SUPPLY,
    code,
    data,
    error,
    make_item,
    step,
    submit,
)
from plugins.e_governance.workdays import Calendar
from tests.fixtures import Client, sql_execute
from tests.test_records import demo_copy

TZ = ZoneInfo("Asia/Shanghai")
FILED = {
    "channel": "WINDOW",
    "applicantName": "李秀英",
    "phone": "13912345678",
    "visits": 1,
    "materials": [{"seq": 1}, {"seq": 2}],
}


def local_day(at: str) -> str:
    return datetime.fromisoformat(at).astimezone(TZ).date().isoformat()


async def filed_on(url: str, client: Client, item_id: int, day: date) -> str:
    """An application the resident filed on paper on ``day`` (entered now, its filing
    time moved to that day, as a back-office clerk's import would)."""
    await client.login("citizen")
    app_id = data(await submit(client, {**FILED, "itemId": str(item_id)}))["submitApplication"][
        "id"
    ]
    at = datetime.combine(day, datetime.min.time(), TZ).replace(hour=9)
    await sql_execute(
        url, "UPDATE gov_application SET submitted_at = :at WHERE id = :i", at=at, i=int(app_id)
    )
    await sql_execute(
        url,
        "UPDATE gov_application_step SET at = :at WHERE application_id = :i",
        at=at,
        i=int(app_id),
    )
    return app_id


async def handled(client: Client, app_id: str, **days: date) -> dict[str, Any]:
    """The department's steps on the days given (``accepted``, ``reviewed``,
    ``decided``, ``completed``); the application after the last."""
    await client.login(STAFF)
    answer: dict[str, Any] = {}
    for mutation, argument, key in (
        ("acceptApplication", "acceptedOn", "accepted"),
        ("startReview", "startedOn", "reviewed"),
        ("decideApplication", "decidedOn", "decided"),
        ("completeApplication", "completedOn", "completed"),
    ):
        if key not in days:
            continue
        extra = {"decision": "APPROVED"} if mutation == "decideApplication" else {}
        answer = data(
            await step(client, mutation, id=app_id, **{argument: days[key].isoformat()}, **extra)
        )[mutation]
    return answer


async def test_national_day_with_a_correction_across_the_make_up_saturday(
    pg_server, template_db, app_client
) -> None:
    """THE acceptance case.

    Promised 5 working days, accepted on Mon 28 Sep 2026. Working days after it:
      29 Sep (Tue) 1, 30 Sep (Wed) 2, [1–7 Oct 国庆 off], 8 Oct (Thu) 3, 9 Oct (Fri) 4,
      10 Oct (Sat, 调休上班) 5  → without a pause the deadline is Sat 10 Oct.
    补正 asked on Wed 30 Sep, materials brought on Mon 12 Oct. Days not counted: the working
    days after 30 Sep up to and including 12 Oct:
      8 Oct 1, 9 Oct 2, 10 Oct (make-up Saturday) 3, [11 Oct Sun], 12 Oct 4  → 4 days.
    Deadline: the (5 + 4) = 9th working day after 28 Sep:
      29 Sep 1, 30 Sep 2, 8 Oct 3, 9 Oct 4, 10 Oct 5, 12 Oct 6, 13 Oct 7, 14 Oct 8,
      15 Oct (Thu) 9  → Thu 15 Oct 2026.
    Completed on 15 Oct: on time. Completed on Fri 16 Oct, the next working day: late."""
    url = await demo_copy(pg_server, template_db)
    item_id, _ = await make_item(
        url, promised=5, materials=(("居民身份证", True), ("户口簿", True), ("结婚证", False))
    )
    async with app_client(url) as client:
        on_time = await filed_on(url, client, item_id, date(2026, 9, 24))
        late = await filed_on(url, client, item_id, date(2026, 9, 24))
        for app_id in (on_time, late):
            accepted = await handled(client, app_id, accepted=date(2026, 9, 28))
            assert accepted["acceptedOn"] == "2026-09-28"
            assert accepted["deadlineOn"] == "2026-10-10"  # the make-up Saturday
            asked = data(
                await step(
                    client,
                    "requestCorrection",
                    id=app_id,
                    materials=[3],
                    note="已婚的请提交结婚证",
                    requestedOn="2026-09-30",
                )
            )["requestCorrection"]
            assert asked["status"] == "CORRECTING" and asked["pausedSince"] == "2026-09-30"
            assert asked["workingDaysLeft"] is None and asked["overdue"] is False

            await client.login("citizen")
            brought = {"id": app_id, "m": [{"seq": 3}], "on": "2026-10-12"}
            supplied = data(await client.gql(SUPPLY, brought))["supplyCorrection"]
            assert supplied["status"] == "ACCEPTED"
            assert supplied["pausedDays"] == 4 and supplied["pausedSince"] is None
            assert supplied["deadlineOn"] == "2026-10-15"
            # the trace holds the days things happened
            assert [local_day(s["at"]) for s in supplied["steps"]] == [
                "2026-09-24",
                "2026-09-28",
                "2026-09-30",
                "2026-10-12",
            ]

        done = await handled(
            client,
            on_time,
            reviewed=date(2026, 10, 13),
            decided=date(2026, 10, 14),
            completed=date(2026, 10, 15),
        )
        assert done["completedOn"] == "2026-10-15" and done["deadlineOn"] == "2026-10-15"
        assert done["onTime"] is True and done["overdue"] is False

        overran = await handled(
            client,
            late,
            reviewed=date(2026, 10, 13),
            decided=date(2026, 10, 14),
            completed=date(2026, 10, 16),
        )
        assert overran["completedOn"] == "2026-10-16"
        assert overran["onTime"] is False and overran["overdue"] is True
        queue = """query { applicationsToHandle(overdue: true, status: COMPLETED) {
          nodes { id } } }"""
        await client.login(STAFF)
        late_ones = {
            n["id"] for n in data(await client.gql(queue))["applicationsToHandle"]["nodes"]
        }
        assert late in late_ones and on_time not in late_ones


async def test_spring_festival_counts_the_make_up_saturday_before_it(
    pg_server, template_db, app_client
) -> None:
    """Promised 5 working days, accepted on Thu 12 Feb 2026:
      13 Feb (Fri) 1, 14 Feb (Sat, 调休上班) 2, [15–23 Feb 春节 off], 24 Feb (Tue) 3,
      25 Feb 4, 26 Feb (Thu) 5  → deadline Thu 26 Feb 2026.
    A running application past its deadline (none completed here) is overdue, with the
    working days since the deadline negative."""
    url = await demo_copy(pg_server, template_db)
    item_id, _ = await make_item(url, promised=5)
    async with app_client(url) as client:
        app_id = await filed_on(url, client, item_id, date(2026, 2, 11))
        accepted = await handled(client, app_id, accepted=date(2026, 2, 12))
        assert accepted["deadlineOn"] == "2026-02-26"
        assert accepted["overdue"] is True and accepted["dueSoon"] is False
        assert accepted["workingDaysLeft"] < 0
        done = await handled(
            client,
            app_id,
            reviewed=date(2026, 2, 24),
            decided=date(2026, 2, 26),
            completed=date(2026, 2, 26),
        )
        assert done["onTime"] is True and done["overdue"] is False


async def test_back_office_dates_are_never_in_the_future_nor_before_the_previous_step(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    item_id, _ = await make_item(url, promised=2)
    async with app_client(url) as client:
        app_id = await filed_on(url, client, item_id, date(2026, 9, 24))
        await client.login(STAFF)
        early = error(await step(client, "acceptApplication", id=app_id, acceptedOn="2026-09-23"))
        assert early["extensions"]["code"] == "BAD_USER_INPUT"
        assert early["extensions"]["argument"] == "acceptedOn"
        future = error(await step(client, "acceptApplication", id=app_id, acceptedOn="2099-01-02"))
        assert future["extensions"]["argument"] == "acceptedOn"
        accepted = await handled(client, app_id, accepted=date(2026, 9, 24))
        # 2 working days after Thu 24 Sep: Fri 25 Sep is 中秋 (off), so Mon 28, Tue 29
        assert accepted["deadlineOn"] == "2026-09-29"
        before = await step(
            client, "requestCorrection", id=app_id, materials=[1], requestedOn="2026-09-23"
        )
        assert error(before)["extensions"]["argument"] == "requestedOn"
        data(
            await step(
                client, "requestCorrection", id=app_id, materials=[1], requestedOn="2026-09-28"
            )
        )
        await client.login("citizen")
        undated = {"id": app_id, "m": [{"seq": 1}], "on": "2026-09-27"}
        assert error(await client.gql(SUPPLY, undated))["extensions"]["argument"] == "suppliedOn"
        # brought back on Tue 29 Sep: 1 working day paused, the deadline Wed 30 Sep
        back = data(await client.gql(SUPPLY, {**undated, "on": "2026-09-29"}))["supplyCorrection"]
        assert back["pausedDays"] == 1 and back["deadlineOn"] == "2026-09-30"
        assert code(await client.gql(SUPPLY, {**undated, "on": "2026-09-29"})) == "CONFLICT"


def test_the_calendar_rules_the_acceptance_case_relies_on() -> None:
    """The counting rule itself, on the days of the acceptance case (no database)."""
    national_day = [date(2026, 10, d) for d in range(1, 8)]
    calendar = Calendar.of(
        [(d, "holiday") for d in national_day]
        + [(date(2026, 9, 20), "workday"), (date(2026, 10, 10), "workday")]
    )
    assert calendar.add(date(2026, 9, 28), 5) == date(2026, 10, 10)
    assert calendar.between(date(2026, 9, 30), date(2026, 10, 12)) == 4
    assert calendar.add(date(2026, 9, 28), 9) == date(2026, 10, 15)
    assert calendar.between(date(2026, 10, 15), date(2026, 10, 16)) == 1
