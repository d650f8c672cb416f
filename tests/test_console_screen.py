"""The command centre's big screen (/console #/screen) in headless Chromium, on the demo:
the map draws the grids from our own tiles, every dashboard panel the API gives is on the
page with its chart and a table holding exactly the API's numbers, the live counters are
eventIndicators', and a real click on a township on the map takes the whole screen there.
Nothing leaves the origin, nothing fails in the page. Screenshots: var/screenshots."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page
from shapely.geometry import Point, shape

from tests.browser import SCREENSHOTS, BrowserPage, open_page
from tests.live import served_process

DASHBOARD = """query($r: String, $from: Date, $to: Date) {
  dashboard(regionCode: $r, from: $from, to: $to) {
    area { code name level prefix } from to start end
    panels { key title figures { key value } }
  }
}"""

COUNTERS = """query($r: String, $today: Date, $start: DateTime, $end: DateTime) {
  indicators: eventIndicators(regionCode: $r, from: $start, to: $end) {
    closed closeRate onTimeRate averageSatisfaction overdue
  }
  today: dashboard(regionCode: $r, from: $today, to: $today) {
    panel(key: "work_assessment") { figure(key: "events_reported") { value } }
  }
  all: events(regionCode: $r, first: 0) { totalCount }
  closed: events(regionCode: $r, status: CLOSED, first: 0) { totalCount }
}"""

#: the screen shows this area, its map and its counters, all loaded
READY = """code => {
  const root = document.querySelector('#screen .sc');
  const map = document.getElementById('screen-map');
  const counters = document.querySelector('#screen .sc-counters');
  return !!root && !!root.dataset.area && (!code || root.dataset.area === code)
    && !root.hasAttribute('aria-busy')
    && map.dataset.ready === 'true' && map.dataset.area === root.dataset.area
    && counters.dataset.area === root.dataset.area && counters.dataset.start === root.dataset.start
    && counters.dataset.end === root.dataset.end;
}"""

#: what the page shows of each panel: its figures' table and its chart's series
PANELS = """async () => {
  const echarts = await import('/app/lib/echarts/dist/echarts.esm.min.mjs');
  return [...document.querySelectorAll('#screen [data-panel]')].map(panel => {
    const chart = echarts.getInstanceByDom(panel.querySelector('[data-chart]'));
    const series = chart ? chart.getOption().series : [];
    return {
      key: panel.dataset.panel,
      figures: [...panel.querySelectorAll('table tr[data-figure]')].map(row =>
        [row.dataset.figure, row.querySelector('[data-value]').dataset.value]),
      points: series.map(s => (s.data || []).filter(d => {
        const v = d !== null && typeof d === 'object' ? d.value : d;
        return typeof v === 'number';
      }).length),
    };
  });
}"""

#: where a longitude/latitude is on the page, and what the map has there
PROBE = """([lon, lat]) => {
  const map = window.gridgovMap;
  const at = map.project([lon, lat]);
  const box = map.getCanvas().getBoundingClientRect();
  const x = box.left + at.x, y = box.top + at.y;
  const [region] = map.queryRenderedFeatures([at.x, at.y], {layers: ['region-fill']});
  const events = map.queryRenderedFeatures(
    [[at.x - 8, at.y - 8], [at.x + 8, at.y + 8]], {layers: ['event-points']});
  return {x, y, onMap: document.elementFromPoint(x, y) === map.getCanvas(),
          code: region ? region.properties.code : null, events: events.length};
}"""


async def gql(http: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    answer: dict[str, Any] = (
        await http.post("/graphql", json={"query": query, "variables": variables})
    ).json()
    assert "errors" not in answer, answer
    data: dict[str, Any] = answer["data"]
    return data


async def screen_data(page: Page) -> dict[str, str]:
    data: dict[str, str] = await page.evaluate("() => ({...document.querySelector('.sc').dataset})")
    return data


async def check_panels(page: Page, http: httpx.AsyncClient, area: str) -> dict[str, Any]:
    """Every panel of the API's dashboard for the screen's area and period is on the page,
    in order, with a chart holding data and a table of exactly the API's values."""
    shown = await screen_data(page)
    assert shown["area"] == area, shown
    period = {"from": shown["from"], "to": shown["to"]}
    dashboard: dict[str, Any] = (await gql(http, DASHBOARD, r=area, **period))["dashboard"]
    assert dashboard["area"]["code"] == area
    assert (dashboard["start"], dashboard["end"]) == (shown["start"], shown["end"])
    panels = await page.evaluate(PANELS)
    assert [p["key"] for p in panels] == [p["key"] for p in dashboard["panels"]]
    assert len(panels) >= 4  # the built-in plugins' panels at least
    for on_page, api in zip(panels, dashboard["panels"], strict=True):
        assert on_page["points"] and max(on_page["points"]) > 0, on_page
        assert [key for key, _ in on_page["figures"]] == [f["key"] for f in api["figures"]]
        for (key, value), figure in zip(on_page["figures"], api["figures"], strict=True):
            expected = figure["value"]
            if expected is None:
                assert value == "", (api["key"], key, value)
            else:
                assert value != "" and float(value) == expected, (api["key"], key, value, expected)
    # a withheld number reads "—", never 0
    withheld = await page.locator("#screen td[data-value='']").all_inner_texts()
    assert all(text == "—" for text in withheld), withheld
    return dashboard


async def check_counters(page: Page, http: httpx.AsyncClient, area: str) -> None:
    """The live counters are the API's: eventIndicators over the dashboard's period, the
    events open now, today's reports."""
    asked = await page.evaluate("() => ({...document.querySelector('.sc-counters').dataset})")
    assert asked["area"] == area, asked
    shown = await screen_data(page)
    assert (asked["start"], asked["end"]) == (shown["start"], shown["end"])
    data = await gql(
        http, COUNTERS, r=area, today=asked["today"], start=asked["start"], end=asked["end"]
    )
    indicators = data["indicators"]
    expected = {
        "overdue": indicators["overdue"],
        "closed": indicators["closed"],
        "on_time_rate": indicators["onTimeRate"],
        "close_rate": indicators["closeRate"],
        "satisfaction": indicators["averageSatisfaction"],
        "open": data["all"]["totalCount"] - data["closed"]["totalCount"],
        "reported_today": data["today"]["panel"]["figure"]["value"],
    }
    counters = await page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('[data-counter]')]"
        ".map(c => [c.dataset.counter, c.dataset.value]))"
    )
    for key, value in expected.items():
        if value is None:
            assert counters[key] == "", (key, counters)
        else:
            assert counters[key] != "" and float(counters[key]) == value, (key, counters, value)


async def township_point(browser: BrowserPage, http: httpx.AsyncClient, district: str) -> Any:
    """A township and a point of the page inside it on the map, clear of event points
    and of what floats over the map."""
    towns = (
        await gql(
            http,
            "query($c: String!) { region(code: $c) { children(first: 100) {"
            " nodes { code name geometry } } } }",
            c=district,
        )
    )["region"]["children"]["nodes"]
    assert towns
    # the big rural ones first: room for a clean click
    towns.sort(key=lambda t: shape(t["geometry"]).area, reverse=True)
    rnd = random.Random(7)
    for town in towns[:6]:
        polygon = shape(town["geometry"])
        west, south, east, north = polygon.bounds
        points = [polygon.representative_point()]
        while len(points) < 25:
            point = Point(rnd.uniform(west, east), rnd.uniform(south, north))
            if polygon.contains(point):
                points.append(point)
        for point in points:
            hit = await browser.page.evaluate(PROBE, [point.x, point.y])
            if hit["onMap"] and hit["code"] == town["code"] and not hit["events"]:
                return town, hit
    raise AssertionError("no township could be clicked on the map")


async def test_console_screen_follows_the_api_and_drills_down(
    demo_url: str, tmp_path: Path
) -> None:
    async with (
        served_process(demo_url, tmp_path / "var") as (base, _server),
        open_page(base, width=1920, height=1080) as browser,
    ):
        page = browser.page
        response = await page.goto(f"{base}/console")
        assert response is not None and response.status == 200
        await browser.login("command")
        await page.wait_for_function(READY, arg=None, timeout=45_000)
        token = await browser.token()

        async with httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as http:
            # the district: map, panels, counters
            district = (await screen_data(page))["area"]
            assert district.startswith("511504"), district
            grids = await page.evaluate(
                "() => window.gridgovMap.queryRenderedFeatures({layers: ['grid-fill']}).length"
            )
            assert grids > 0
            await check_panels(page, http, district)
            await check_counters(page, http, district)
            assert await page.locator("#errors li").count() == 0
            await browser.screenshot("console-screen.png")

            # a real click on a township on the map: the whole screen follows it
            town, hit = await township_point(browser, http, district)
            await page.mouse.click(hit["x"], hit["y"])
            await page.wait_for_function(READY, arg=town["code"], timeout=30_000)
            assert await page.evaluate("location.hash") == f"#/screen/{town['code']}"
            dashboard = await check_panels(page, http, town["code"])
            assert dashboard["area"]["level"] == "TOWNSHIP"
            await check_counters(page, http, town["code"])
            crumbs = page.locator("#screen .sc-crumbs")
            assert await crumbs.locator(f"a[data-code='{district}']").count() == 1
            current = crumbs.locator("[aria-current=page]")
            assert await current.get_attribute("data-code") == town["code"]
            assert town["name"] in await current.inner_text()
            # the map shows the township's grids only
            codes = await page.evaluate(
                "() => [...new Set(window.gridgovMap.queryRenderedFeatures("
                "{layers: ['grid-fill']}).map(f => f.properties.code))]"
            )
            prefix = dashboard["area"]["prefix"]
            assert codes and all(code.startswith(prefix) for code in codes), codes
            assert await page.locator("#errors li").count() == 0
            await browser.screenshot("console-township.png")

    print(f"\nscreenshots: {SCREENSHOTS / 'console-screen.png'}, console-township.png")
    assert any(r.startswith("WS ") for r in browser.requests), "no live subscription"
    assert any("/tiles/grids/" in r for r in browser.requests), "no grid tile asked"
    browser.assert_clean()
