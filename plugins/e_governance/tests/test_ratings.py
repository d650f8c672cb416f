"""好差评 and 差评整改 through the API: a bad rating opens a rectification due 15 working
days later (counted by hand across the 2026 Mid-Autumn and National Day holidays), the
department records its measures and closes it with the call-back, on time or late; a
good rating opens nothing; who may rate and rectify; the rectification list.

The due day by hand, rated on Thursday 2026-09-24 (the rating day itself is not
counted): 09-25 (Fri) to 09-27 中秋节 off; 09-28, 09-29, 09-30 = 1, 2, 3; 10-01 to 10-07
国庆节 off; 10-08, 10-09 = 4, 5; 10-10 (Sat) 调休上班 = 6; 10-12 … 10-16 = 7 … 11;
10-19 … 10-22 = 12 … 15. Due: 2026-10-22.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import make_url

from plugins.e_governance import ratings
from plugins.e_governance.tests.test_metrics import (
    App,
    C,
    H,
    World,
    code_of,
    local,
    ok,
    prepare,
    write_application,
)
from plugins.e_governance.workdays import Calendar
from tests.fixtures import sql_rows, sql_scalar
from tests.test_records import demo_copy

RATED_ON = local("2026-09-24 10:00")
DUE = "2026-10-22"

RATE = """mutation($id: ID!, $g: GovGrade!, $c: String) {
  rateApplication(id: $id, grade: $g, comment: $c) {
    grade score comment ratedAt
    rectification { applicationId departmentCode status dueOn measures overdue onTime } } }"""
RECORD = """mutation($id: ID!, $m: String!) {
  recordRectification(applicationId: $id, measures: $m) { status measures dueOn } }"""
CLOSE = """mutation($id: ID!, $n: String!, $s: Boolean!, $at: DateTime) {
  closeRectification(applicationId: $id, callbackNote: $n, callbackSatisfied: $s,
                     calledBackAt: $at) {
    status measures callbackAt callbackNote callbackSatisfied closedAt onTime overdue } }"""
#: calledBackAt left out (default: now)
CLOSE_NOW = """mutation($id: ID!, $n: String!, $s: Boolean!) {
  closeRectification(applicationId: $id, callbackNote: $n, callbackSatisfied: $s) {
    status closedAt callbackAt onTime } }"""
RATING = """query($id: ID!) { applicationRating(applicationId: $id) {
  grade score comment rectification { status dueOn measures callbackNote callbackSatisfied
    closedAt onTime } } }"""
LIST = """query($d: String, $s: GovRectificationStatus, $o: Boolean, $first: Int, $after: String) {
  rectifications(departmentCode: $d, status: $s, overdue: $o, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { applicationId departmentCode status dueOn overdue } } }"""
#: every argument left out
LIST_ALL = "{ rectifications { totalCount nodes { applicationId } } }"


def completed_app(area: str = "1a", department: str = H) -> App:
    return App(area, department, "online", 0, "2026-09-01 10:00", "completed", "2026-09-20", True)


def set_clock(monkeypatch: pytest.MonkeyPatch, at: datetime) -> None:
    """Ratings and rectifications read their day from this clock."""
    instant = at.astimezone(UTC)
    monkeypatch.setattr(ratings, "utc_now", lambda: instant)


@pytest_asyncio.fixture(loop_scope="session")
async def world(pg_server: Any, template_db: Any) -> AsyncIterator[World]:
    """A fresh demo copy with the applications of test_metrics, for one test."""
    url = await demo_copy(pg_server, template_db)
    yield await prepare(url)
    await pg_server.drop(str(make_url(url).database))


def test_due_day_by_hand() -> None:
    off = [date(2026, 9, 25) + timedelta(i) for i in range(3)]
    off += [date(2026, 10, 1) + timedelta(i) for i in range(7)]
    worked = [date(2026, 9, 20), date(2026, 10, 10)]
    calendar = Calendar.of([(d, "holiday") for d in off] + [(d, "workday") for d in worked])
    assert calendar.add(date(2026, 9, 24), ratings.RECTIFICATION_DAYS) == date.fromisoformat(DUE)
    assert ratings.is_overdue("open", date(2026, 10, 22), date(2026, 10, 23))
    assert not ratings.is_overdue("open", date(2026, 10, 22), date(2026, 10, 22))
    assert not ratings.is_overdue("closed", date(2026, 10, 22), date(2026, 10, 23))


async def test_bad_rating_is_rectified_and_called_back(
    world: World, app_client, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_clock(monkeypatch, RATED_ON)
    app = await write_application(world, completed_app())
    key = str(app)
    async with app_client(world.url) as client:
        await client.login("citizen")
        rated = ok(await client.gql(RATE, {"id": key, "g": "VERY_DISSATISFIED", "c": " 太慢 "}))
        got = rated["rateApplication"]
        assert (got["grade"], got["score"], got["comment"]) == ("VERY_DISSATISFIED", 1, "太慢")
        assert datetime.fromisoformat(got["ratedAt"]) == RATED_ON
        assert got["rectification"] == {
            "applicationId": key,
            "departmentCode": H,
            "status": "OPEN",
            "dueOn": DUE,
            "measures": None,
            "overdue": False,
            "onTime": None,
        }
        stored = await sql_rows(
            world.url,
            "SELECT r.rated_by, r.score, x.due_on, x.opened_at FROM gov_rating r "
            "JOIN gov_rectification x USING (application_id) WHERE application_id = :a",
            a=app,
        )
        assert [(s.rated_by, s.score, str(s.due_on)) for s in stored] == [(world.citizen, 1, DUE)]
        assert stored[0].opened_at == RATED_ON
        # once only
        again = await client.gql(RATE, {"id": key, "g": "SATISFIED"})
        assert code_of(again) == "CONFLICT"
        count = "SELECT count(*) FROM gov_rating WHERE application_id = :a"
        assert await sql_scalar(world.url, count, a=app) == 1

        # another department does not see it; the applicant does not rectify
        assert code_of(await client.gql(RECORD, {"id": key, "m": "措施"})) == "FORBIDDEN"
        await client.login("ds-511504-civil-affairs")
        assert code_of(await client.gql(RECORD, {"id": key, "m": "措施"})) == "NOT_FOUND"

        await client.login("ds-511504-health")
        no_measures = await client.gql(CLOSE, {"id": key, "n": "已回访", "s": True})
        assert code_of(no_measures) == "CONFLICT"
        assert code_of(await client.gql(RECORD, {"id": key, "m": "  "})) == "BAD_USER_INPUT"
        first = ok(await client.gql(RECORD, {"id": key, "m": "专人跟办"}))
        assert first["recordRectification"] == {
            "status": "OPEN",
            "measures": "专人跟办",
            "dueOn": DUE,
        }
        measures = "优化审批流程，专人跟办"
        ok(await client.gql(RECORD, {"id": key, "m": measures}))  # replaces the first

        # closed on the due day itself: on time
        set_clock(monkeypatch, local(f"{DUE} 16:00"))
        future = {"id": key, "n": "已回访", "s": True, "at": "2026-10-22T17:00:00+08:00"}
        assert code_of(await client.gql(CLOSE, future)) == "BAD_USER_INPUT"
        early = {**future, "at": "2026-09-23T17:00:00+08:00"}  # before the rating
        assert code_of(await client.gql(CLOSE, early)) == "BAD_USER_INPUT"
        called = {**future, "n": "申请人表示满意", "at": "2026-10-22T15:00:00+08:00"}
        closed = ok(await client.gql(CLOSE, called))["closeRectification"]
        assert closed["status"] == "CLOSED" and closed["onTime"] is True
        assert closed["measures"] == measures and closed["overdue"] is False
        assert datetime.fromisoformat(closed["callbackAt"]) == local(f"{DUE} 15:00")
        assert datetime.fromisoformat(closed["closedAt"]) == local(f"{DUE} 16:00")
        assert (closed["callbackNote"], closed["callbackSatisfied"]) == ("申请人表示满意", True)
        assert code_of(await client.gql(CLOSE, called)) == "CONFLICT"
        assert code_of(await client.gql(RECORD, {"id": key, "m": "再改"})) == "CONFLICT"
        callback_by = await sql_scalar(
            world.url,
            "SELECT callback_by FROM gov_rectification WHERE application_id = :a",
            a=app,
        )
        assert callback_by is not None

        # the applicant reads it back; a stranger does not find it
        await client.login("citizen")
        shown = ok(await client.gql(RATING, {"id": key}))["applicationRating"]
        assert shown == {
            "grade": "VERY_DISSATISFIED",
            "score": 1,
            "comment": "太慢",
            "rectification": {
                "status": "CLOSED",
                "dueOn": DUE,
                "measures": measures,
                "callbackNote": "申请人表示满意",
                "callbackSatisfied": True,
                "closedAt": closed["closedAt"],
                "onTime": True,
            },
        }
        await client.login(f"gw-{world.grids['2']}")
        assert code_of(await client.gql(RATING, {"id": key})) == "NOT_FOUND"


async def test_late_rectification_and_a_good_rating(
    world: World, app_client, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_clock(monkeypatch, RATED_ON)
    bad = await write_application(world, completed_app())
    good = await write_application(world, completed_app())
    async with app_client(world.url) as client:
        await client.login(f"gw-{world.grids['1a']}")  # the agent rates for the applicant
        opened = ok(await client.gql(RATE, {"id": str(bad), "g": "DISSATISFIED"}))
        assert opened["rateApplication"]["rectification"]["dueOn"] == DUE
        fine = ok(await client.gql(RATE, {"id": str(good), "g": "SATISFIED"}))
        assert fine["rateApplication"]["score"] == 4
        assert fine["rateApplication"]["rectification"] is None
        count = "SELECT count(*) FROM gov_rectification WHERE application_id = :a"
        assert await sql_scalar(world.url, count, a=good) == 0
        shown = ok(await client.gql(RATING, {"id": str(good)}))["applicationRating"]
        assert (shown["grade"], shown["rectification"]) == ("SATISFIED", None)

        await client.login("ds-511504-health")
        ok(await client.gql(RECORD, {"id": str(bad), "m": "加强培训"}))
        set_clock(monkeypatch, local("2026-10-23 09:00"))  # the day after the due day
        late = ok(await client.gql(LIST, {"o": True}))["rectifications"]["nodes"]
        assert str(bad) in [n["applicationId"] for n in late]
        closed = ok(await client.gql(CLOSE_NOW, {"id": str(bad), "n": "已回访", "s": False}))
        got = closed["closeRectification"]
        assert got["status"] == "CLOSED" and got["onTime"] is False
        assert got["callbackAt"] == got["closedAt"]  # called back now
        assert datetime.fromisoformat(got["closedAt"]) == local("2026-10-23 09:00")

        # the ratings in the figures of September (rated 2026-09-24)
        await client.login("command")
        figures = ok(
            await client.gql(
                'query { serviceMetrics(from: "2026-09-01", to: "2026-09-30") '
                "{ totals { rated badRatings satisfactionRate averageScore } } }"
            )
        )["serviceMetrics"]["totals"]
        assert figures == {
            "rated": 2,
            "badRatings": 1,
            "satisfactionRate": 50.0,
            "averageScore": 3.0,
        }


async def test_who_may_rate(world: World, app_client) -> None:
    done = await write_application(world, completed_app())
    busy = await write_application(
        world, App("1a", H, "online", 0, "2026-09-01 10:00", "reviewing")
    )
    async with app_client(world.url) as client:
        vote = {"id": str(done), "g": "SATISFIED"}
        assert code_of(await client.gql(RATE, vote)) == "UNAUTHENTICATED"
        await client.login("citizen")
        assert code_of(await client.gql(RATE, {**vote, "id": str(busy)})) == "CONFLICT"
        assert code_of(await client.gql(RATE, {**vote, "id": "999999999"})) == "NOT_FOUND"
        assert code_of(await client.gql(RATE, {**vote, "id": "x"})) == "BAD_USER_INPUT"
        long = {**vote, "c": "很" * (ratings.COMMENT_LENGTH + 1)}
        assert code_of(await client.gql(RATE, long)) == "BAD_USER_INPUT"
        for someone_else in ("command", "ds-511504-health"):  # they see it; not theirs
            await client.login(someone_else)
            assert code_of(await client.gql(RATE, vote)) == "FORBIDDEN"
        await client.login(f"gw-{world.grids['2']}")  # another grid's worker: unseen
        assert code_of(await client.gql(RATE, vote)) == "NOT_FOUND"
        assert code_of(await client.gql(RATING, {"id": str(done)})) == "NOT_FOUND"
        await client.login("citizen")
        assert ok(await client.gql(RATING, {"id": str(done)}))["applicationRating"] is None
    assert await sql_scalar(world.url, "SELECT count(*) FROM gov_rating WHERE "
                            "application_id IN (:a, :b)", a=done, b=busy) == 0  # fmt: skip


async def test_rectification_list(world: World, app_client) -> None:
    """The seeded rectifications: application 2 (H, open, due 2026-04-13: overdue), 6 (H,
    open, due 2099-12-31), 7 (C, closed, due 2026-04-16)."""
    two, six, seven = (str(world.ids[i]) for i in (1, 5, 6))

    def ids(result: dict[str, Any]) -> list[str]:
        return [n["applicationId"] for n in ok(result)["rectifications"]["nodes"]]

    async with app_client(world.url) as client:
        assert code_of(await client.gql(LIST_ALL)) == "UNAUTHENTICATED"
        await client.login("ds-511504-health")
        everything = ok(await client.gql(LIST_ALL))["rectifications"]
        assert everything["totalCount"] == 2
        assert [n["applicationId"] for n in everything["nodes"]] == [two, six]
        page = ok(await client.gql(LIST, {"first": 1}))["rectifications"]
        assert [n["applicationId"] for n in page["nodes"]] == [two]
        assert page["nodes"][0] == {
            "applicationId": two,
            "departmentCode": H,
            "status": "OPEN",
            "dueOn": "2026-04-13",
            "overdue": True,
        }
        assert page["pageInfo"]["hasNextPage"] is True
        after = {"first": 1, "after": page["pageInfo"]["endCursor"]}
        assert ids(await client.gql(LIST, after)) == [six]
        assert ids(await client.gql(LIST, {"o": True})) == [two]
        assert ids(await client.gql(LIST, {"o": False})) == [six]
        assert ids(await client.gql(LIST, {"s": "CLOSED"})) == []
        assert ids(await client.gql(LIST, {"d": H, "s": "OPEN"})) == [two, six]
        assert code_of(await client.gql(LIST, {"d": C})) == "FORBIDDEN"
        await client.login("ds-511504-civil-affairs")
        assert ids(await client.gql(LIST, {})) == [seven]
        assert ids(await client.gql(LIST, {"s": "OPEN"})) == []
        await client.login("command")
        assert ids(await client.gql(LIST, {})) == [two, seven, six]
        assert ids(await client.gql(LIST, {"d": C})) == [seven]
        assert ids(await client.gql(LIST, {"o": True})) == [two]
        await client.login("citizen")
        assert code_of(await client.gql(LIST, {})) == "FORBIDDEN"
