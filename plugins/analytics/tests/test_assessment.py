"""Assessment tables: generated from the records (one row recomputed by hand here), the
same numbers in the XLSX, weights that can be edited, rolled up to communities and
townships."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from plugins.analytics.tests.test_dashboard import areas
from tests.fixtures import sql_scalar

TABLE = """query($m: String!, $r: String, $l: AssessmentLevel) {
  assessment(month: $m, regionCode: $r, level: $l) {
    month area { code } level download
    indicators { key label unit better weight module }
    rows { rank code name workerId workers score values { indicator value normalized } } } }"""
MONTH = "2026-05"
TZ = ZoneInfo("Asia/Shanghai")
START, END = datetime(2026, 5, 1, tzinfo=TZ), datetime(2026, 6, 1, tzinfo=TZ)


def values(row: dict) -> dict[str, float | None]:
    return {v["indicator"]: v["value"] for v in row["values"]}


async def test_a_row_recomputed_by_hand(demo_url, app_client) -> None:
    township, grid = await areas(demo_url)
    async with app_client(demo_url) as client:
        await client.login("command")
        result = await client.gql(TABLE, {"m": MONTH, "r": township})
        assert "errors" not in result, result
        table = result["data"]["assessment"]
    assert {i["key"] for i in table["indicators"]} >= {
        "events_reported",
        "close_rate",
        "on_time_rate",
        "satisfaction",
        "overdue",
        "days_present",
        "visits",
        "patrols",
    }
    assert sum(i["weight"] for i in table["indicators"]) == 100
    row = next(r for r in table["rows"] if r["code"] == grid)
    got = values(row)
    worker = int(row["workerId"])
    p = {"g": grid, "s": START, "e": END, "w": worker}
    due = "region_code = :g AND deadline_at >= :s AND deadline_at < :e"
    reported = await sql_scalar(
        demo_url,
        "SELECT count(*) FROM event WHERE region_code = :g AND collected_at >= :s "
        "AND collected_at < :e",
        **p,
    )
    n_due = await sql_scalar(demo_url, f"SELECT count(*) FROM event WHERE {due}", **p)
    closed = await sql_scalar(
        demo_url, f"SELECT count(*) FROM event WHERE {due} AND closed_at < :e", **p
    )
    on_time = await sql_scalar(
        demo_url, f"SELECT count(*) FROM event WHERE {due} AND closed_at <= deadline_at", **p
    )
    days = await sql_scalar(
        demo_url,
        "SELECT count(*) FROM attendance_day WHERE worker_id = :w AND day >= '2026-05-01' "
        "AND day < '2026-06-01'",
        **p,
    )
    visits = await sql_scalar(
        demo_url,
        "SELECT count(*) FROM attendance_visit WHERE worker_id = :w AND collected_at >= :s "
        "AND collected_at < :e",
        **p,
    )
    assert got["events_reported"] == reported > 0
    assert got["overdue"] == n_due - closed
    if n_due:
        assert got["close_rate"] == round(closed * 100 / n_due, 2)
        assert got["on_time_rate"] == round(on_time * 100 / n_due, 2)
    assert got["days_present"] == days
    assert got["visits"] == visits
    # the score: the weighted mean of the normalised values the worker has
    weight = {i["key"]: i["weight"] for i in table["indicators"]}
    norm = {v["indicator"]: v["normalized"] for v in row["values"] if v["normalized"] is not None}
    expected = sum(weight[k] * n for k, n in norm.items()) / sum(weight[k] for k in norm)
    assert row["score"] == pytest.approx(expected, abs=0.01)
    ranks = [r["rank"] for r in table["rows"]]
    assert ranks == list(range(1, len(ranks) + 1))
    scores = [r["score"] for r in table["rows"] if r["score"] is not None]
    assert scores == sorted(scores, reverse=True)


async def test_the_xlsx_holds_the_same_numbers(demo_url, app_client) -> None:
    township, _ = await areas(demo_url)
    async with app_client(demo_url) as client:
        await client.login("command")
        for level in ("WORKER", "COMMUNITY"):
            table = (await client.gql(TABLE, {"m": MONTH, "r": township, "l": level}))["data"][
                "assessment"
            ]
            got = await client.http.get(
                table["download"], headers={"Authorization": f"Bearer {client.token}"}
            )
            assert got.status_code == 200, got.text
            book = openpyxl.load_workbook(io.BytesIO(got.content))
            sheet = book.worksheets[0]
            rows = list(sheet.iter_rows(values_only=True))
            keys = [i["key"] for i in table["indicators"]]
            assert len(rows) - 1 == len(table["rows"]) > 0
            for line, row in zip(rows[1:], table["rows"], strict=True):
                assert line[0] == row["rank"] and line[1] == row["code"]
                assert list(line[4 : 4 + len(keys)]) == [values(row)[k] for k in keys]
                assert line[-1] == row["score"]
            assert [r[1] for r in book.worksheets[1].iter_rows(values_only=True)][1:] == keys


async def test_rolled_up_rows_are_means_of_their_workers(demo_url, app_client) -> None:
    township, _ = await areas(demo_url)
    async with app_client(demo_url) as client:
        await client.login("command")
        workers = (await client.gql(TABLE, {"m": MONTH, "r": township}))["data"]["assessment"]
        towns = (await client.gql(TABLE, {"m": MONTH, "l": "TOWNSHIP"}))["data"]["assessment"]
    mine = next(r for r in towns["rows"] if r["code"] == township[:9])
    assert mine["workers"] == len(workers["rows"])
    reported = [values(r)["events_reported"] for r in workers["rows"]]
    assert values(mine)["events_reported"] == round(sum(reported) / len(reported), 2)


async def test_weights_are_edited_by_the_command_centre_only(
    pg_server, template_db, app_client
) -> None:
    from tests.test_records import demo_copy

    url = await demo_copy(pg_server, template_db)
    township, _ = await areas(url)
    mutation = """mutation($w: [WeightInput!]!) { setAssessmentWeights(weights: $w) {
      key weight } }"""
    async with app_client(url) as client:
        await client.login(f"ts-{township[:9]}")
        refused = await client.gql(mutation, {"w": [{"indicator": "visits", "weight": 50}]})
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        await client.login("command")
        for bad in ([{"indicator": "nope", "weight": 1}], [{"indicator": "visits", "weight": -1}]):
            result = await client.gql(mutation, {"w": bad})
            assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        done = await client.gql(mutation, {"w": [{"indicator": "visits", "weight": 50}]})
        assert {w["key"]: w["weight"] for w in done["data"]["setAssessmentWeights"]}["visits"] == 50
        table = (await client.gql(TABLE, {"m": MONTH, "r": township}))["data"]["assessment"]
        assert {i["key"]: i["weight"] for i in table["indicators"]}["visits"] == 50
        assert (
            await sql_scalar(url, "SELECT weight FROM analytics_weight WHERE indicator = 'visits'")
            == 50
        )


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"m": "2026/05"}, "BAD_USER_INPUT"),
        ({"m": "2099-01"}, "BAD_USER_INPUT"),
        ({"m": MONTH, "r": "511504199"}, "NOT_FOUND"),
    ],
)
async def test_bad_input(demo_url, app_client, variables, code) -> None:
    async with app_client(demo_url) as client:
        await client.login("command")
        result = await client.gql(TABLE, variables)
        assert result["errors"][0]["extensions"]["code"] == code, result
