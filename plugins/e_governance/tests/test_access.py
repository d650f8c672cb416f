"""Who sees an application, in the style of the authorization matrix, and the whole life
cycle end to end: an agent files, the department handles it to 办结, the applicant gives a
差评, the rectification is closed with a call-back, and the metrics move by exactly that."""

from __future__ import annotations

from typing import Any

from plugins.e_governance.tests.test_applications import (
    STAFF,
    agent_input,
    code,
    data,
    make_item,
    other_worker,
    resident,
    step,
    submit,
)
from tests.fixtures import fence, sql_scalar
from tests.test_records import demo_copy

SEEN = "query($id: ID!) { application(id: $id) { applicantName idNumber phone } }"
WHOLE, MASKED = "whole", "masked"


def how(result: dict[str, Any], id_number: str) -> str:
    """whole, masked, or the error's code."""
    if result.get("errors"):
        return str(result["errors"][0]["extensions"]["code"])
    seen = result["data"]["application"]
    return WHOLE if seen["idNumber"] == id_number else MASKED


async def test_only_the_department_and_the_applicant_side_see_it(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    item_id, _ = await make_item(url)
    person = await resident(url)
    stranger = await other_worker(url, person.grid)
    expected = {
        "command": WHOLE,  # the command centre: service everywhere
        STAFF: WHOLE,  # the item's department
        f"gw-{person.grid}": WHOLE,  # the agent
        "citizen": WHOLE,  # the applicant's account
        "ds-511504-health": "NOT_FOUND",  # another department
        stranger: "NOT_FOUND",  # another grid worker
        f"cs-{person.grid[:12]}": "NOT_FOUND",  # the community: no service grant
        f"ts-{person.grid[:9]}": "NOT_FOUND",
        "admin": "NOT_FOUND",
        None: "UNAUTHENTICATED",
    }
    async with app_client(url) as client, app_client(url) as department:
        await client.login(f"gw-{person.grid}")
        filed = data(await submit(client, agent_input(item_id, person)))["submitApplication"]
        wrong = []
        for username, want in expected.items():
            client.token = None
            if username is not None:
                await client.login(username)
            got = how(await client.gql(SEEN, {"id": filed["id"]}), person.id_number)
            if got != want:
                wrong.append(f"{username}: got {got}, want {want}")
        assert wrong == [], "\n".join(wrong)
        # a department granted service where the applicant lives sees it, identity masked
        await client.login("admin")
        granted = await client.gql(
            'mutation($r: String!) { grantAccess(input: {departmentCode: "511504-HEALTH", '
            'category: "service", regionCode: $r}) { id } }',
            {"r": person.grid[:12]},
        )
        assert "errors" not in granted, granted
        await fence(department.app, url)
        await department.login("ds-511504-health")
        seen = await department.gql(SEEN, {"id": filed["id"]})
        assert how(seen, person.id_number) == MASKED, seen
        assert seen["data"]["application"]["phone"] != person.phone


METRICS = """query($d: String) { serviceMetrics(departmentCode: $d) { totals {
  applications completed completedOnTime badRatings rectificationsOpen } } }"""


async def test_the_whole_cycle_with_a_bad_rating(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    item_id, _ = await make_item(url, promised=5)
    person = await resident(url)
    async with app_client(url) as client:
        await client.login(STAFF)
        before = data(await client.gql(METRICS))["serviceMetrics"]["totals"]
        await client.login(f"gw-{person.grid}")
        filed = data(await submit(client, agent_input(item_id, person)))["submitApplication"]
        app_id = filed["id"]
        await client.login(STAFF)
        for mutation, arguments in (
            ("acceptApplication", {}),
            ("startReview", {}),
            ("decideApplication", {"decision": "APPROVED"}),
            ("completeApplication", {}),
        ):
            moved = await step(client, mutation, id=app_id, **arguments)
            assert "errors" not in moved, (mutation, moved)
        done = moved["data"]["completeApplication"]
        assert done["status"] == "COMPLETED" and done["onTime"] is True
        assert done["steps"][0]["step"] == "SUBMIT"
        assert done["steps"][0]["asAgent"] is True  # the agent, visible in the trace
        again = await step(client, "completeApplication", id=app_id)
        assert code(again) == "CONFLICT"
        # the department may not rate; the applicant's account does, once
        rate = """mutation($id: ID!) { rateApplication(id: $id, grade: VERY_DISSATISFIED,
          comment: "窗口让我跑了两趟") { grade score rectification { status dueOn } } }"""
        assert code(await client.gql(rate, {"id": app_id})) == "FORBIDDEN"
        await client.login("citizen")
        rated = data(await client.gql(rate, {"id": app_id}))["rateApplication"]
        assert rated["score"] == 1 and rated["rectification"]["status"] == "OPEN"
        assert code(await client.gql(rate, {"id": app_id})) == "CONFLICT"
        await client.login(STAFF)
        middle = data(await client.gql(METRICS))["serviceMetrics"]["totals"]
        close = """mutation($id: ID!) { closeRectification(applicationId: $id,
          callbackNote: "已电话回访，申请人认可整改", callbackSatisfied: true) { status } }"""
        assert code(await client.gql(close, {"id": app_id})) == "CONFLICT"  # no measures yet
        measures = await client.gql(
            'mutation($id: ID!) { recordRectification(applicationId: $id, measures: "一次性告知'
            '材料清单，窗口人员培训") { status } }',
            {"id": app_id},
        )
        assert "errors" not in measures, measures
        closed = data(await client.gql(close, {"id": app_id}))["closeRectification"]
        assert closed["status"] == "CLOSED"
        after = data(await client.gql(METRICS))["serviceMetrics"]["totals"]
    delta = {k: middle[k] - before[k] for k in before}
    assert delta == {
        "applications": 1,
        "completed": 1,
        "completedOnTime": 1,
        "badRatings": 1,
        "rectificationsOpen": 1,
    }, (before, middle)
    assert after["rectificationsOpen"] == before["rectificationsOpen"]
    callback = await sql_scalar(
        url, "SELECT callback_note FROM gov_rectification WHERE application_id = :a", a=int(app_id)
    )
    assert callback == "已电话回访，申请人认可整改"


async def test_disabling_removes_schema_and_panel(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    panels = '{ dashboard { panelKeys panel(key: "government_affairs") { figures { key } } } }'
    async with app_client(url) as client:
        await client.login("command")
        on = data(await client.gql(panels))["dashboard"]["panel"]["figures"]
        assert "gov_applications" in {f["key"] for f in on}
    async with app_client(url, disabled_plugins="e_governance") as client:
        await client.login("command")
        off = data(await client.gql("{ dashboard { panelKeys } }"))["dashboard"]["panelKeys"]
        assert "government_affairs" not in off
        gone = await client.gql("{ serviceItems { totalCount } }")
        assert code(gone) == "GRAPHQL_VALIDATION_FAILED"
        grids = data(await client.gql("{ grids(first: 1) { totalCount } }"))
        assert grids["grids"]["totalCount"] == 579
