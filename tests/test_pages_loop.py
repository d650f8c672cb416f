"""The event loop through the pages, in headless Chromium: a citizen reports on /report
with a photo and the browser's position; the grid's worker, on the console's desk, sees
the task arrive live (no reload) with the photo, accepts it; the citizen's page shows the
new step live, and once the event is closed, rates it. Nothing leaves the origin."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.browser import open_page
from tests.fixtures import sql_rows
from tests.live import served_process
from tests.test_files import photo
from tests.test_locate import inner_points
from tests.test_records import demo_copy

TITLE = "楼道堆放杂物挡住消防通道"


async def test_a_report_reaches_the_desk_live_and_its_steps_reach_the_citizen(
    pg_server, template_db, tmp_path
) -> None:
    url = await demo_copy(pg_server, template_db)
    (lon, lat, grid), *_ = await inner_points(url, 1)
    grid_name = (await sql_rows(url, "SELECT name FROM grid WHERE code = :c", c=grid))[0][0]
    async with (
        served_process(url, tmp_path / "var") as (base, _server),
        open_page(base) as desk,
        open_page(base, width=390, height=844) as citizen,
    ):
        # the grid worker's desk, listening for new tasks
        await desk.page.goto(f"{base}/console#/desk")
        await desk.login(f"gw-{grid}")
        tasks = desk.page.locator("#desk section.list").first
        await expect(tasks.locator("h2")).to_contain_text("我的任务")
        await expect(desk.page.locator("body")).to_have_attribute("data-live", "on")
        await desk.page.evaluate("() => { window.__sameDocument = true; }")

        # the citizen reports with a photo, at the browser's position
        await citizen.context.grant_permissions(["geolocation"], origin=base)
        await citizen.context.set_geolocation({"longitude": lon, "latitude": lat})
        page = citizen.page
        await page.goto(f"{base}/report")
        await citizen.login("citizen")
        form = page.locator("#report-form")
        await form.locator("select[name=category]").select_option("city.sanitation")
        await form.locator("input[name=title]").fill(TITLE)
        await form.locator("textarea[name=description]").fill("三楼楼道堆满纸箱，已经一周了")
        await form.locator("input[name=photos]").set_input_files(
            [{"name": "楼道.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
        )
        await expect(page.locator("#previews img")).to_have_count(1)
        await page.locator("#locate-me").click()
        await expect(page.locator("#where-text")).to_contain_text(grid_name, timeout=15_000)
        await expect(page.locator("#where-text")).to_have_attribute("data-grid", grid)
        await citizen.screenshot("report.png")
        await page.locator("#submit-report").click()
        sent = page.locator("#sent")
        await expect(sent).to_contain_text("已提交", timeout=15_000)

        rows = await sql_rows(
            url, "SELECT id, reporter_id, grid_id FROM event WHERE title = :t", t=TITLE
        )
        assert len(rows) == 1
        event_id = str(rows[0][0])

        # the task arrives on the desk without a reload, with its photo
        arrived = desk.page.locator(f"li.event-item.new[data-event-id='{event_id}']")
        await expect(arrived).to_be_visible(timeout=15_000)
        await expect(arrived).to_contain_text(TITLE)
        assert await desk.page.evaluate("() => window.__sameDocument === true")
        thumb = arrived.locator("img")
        await expect(thumb).to_have_js_property("complete", True)
        assert await thumb.evaluate("img => img.naturalWidth") > 0  # the photo was served

        # the citizen follows the report's progress
        await sent.locator("a").click()
        detail = page.locator("#report-detail")
        await expect(detail.locator("li[data-action=REPORT]")).to_be_visible()
        await expect(page.locator("body")).to_have_attribute("data-live", "on")

        # the worker opens it and accepts it
        await arrived.locator("a").click()
        await expect(desk.page.locator(".detail h2")).to_have_text(TITLE)
        picture = desk.page.locator(".detail .media img").first
        await expect(picture).to_have_js_property("complete", True)
        assert await picture.evaluate("img => img.naturalWidth") > 0
        await desk.page.locator(".detail .actions button[data-action=ACCEPT]").click()
        await desk.page.locator("form.action-form[data-action=ACCEPT] textarea").fill("马上去看")
        await desk.page.locator("form.action-form[data-action=ACCEPT] [type=submit]").click()
        await expect(desk.page.locator(".detail header .status")).to_have_text("处置中")
        await desk.screenshot("console-desk.png")

        # the citizen sees the new step, live
        await expect(detail.locator("li[data-action=ACCEPT]")).to_be_visible(timeout=15_000)
        await expect(detail.locator("li[data-action=ACCEPT]")).to_contain_text("马上去看")
        await citizen.screenshot("report-progress.png")

        # the worker finishes the job (through the API this time): once it is closed, the
        # citizen's page offers the rating, and the rating shows
        async with httpx.AsyncClient(base_url=base) as http:

            async def api(token: str, query: str) -> dict:
                answer = await http.post(
                    "/graphql",
                    json={"query": query, "variables": {"id": event_id}},
                    headers={"Authorization": f"Bearer {token}"},
                )
                body = answer.json()
                assert "errors" not in body, body
                return body["data"]

            worker = await desk.token()
            await api(
                worker, 'mutation($id: ID!) { resolveEvent(id: $id, result: "已清理") { id } }'
            )
            await api(worker, "mutation($id: ID!) { verifyEvent(id: $id, passed: true) { id } }")
            await api(worker, "mutation($id: ID!) { closeEvent(id: $id) { id } }")
            rate = detail.locator("form.rate")
            await expect(rate).to_be_visible(timeout=15_000)
            await rate.locator("select[name=score]").select_option("4")
            await rate.locator("input[name=comment]").fill("很及时")
            await rate.locator("[type=submit]").click()
            await expect(detail.locator(".rated")).to_contain_text("★★★★ 很及时")
            await expect(rate).to_have_count(0)

            # the API agrees
            event = (
                await api(
                    await citizen.token(),
                    "query($id: ID!) { event(id: $id) { status rating "
                    "trace { action } attachments { kind } } }",
                )
            )["event"]
        assert event["status"] == "CLOSED" and event["rating"] == 4
        assert [s["action"] for s in event["trace"]] == [
            "REPORT",
            "ACCEPT",
            "RESOLVE",
            "VERIFY",
            "CLOSE",
            "RATE",
        ]
        assert event["attachments"] == [{"kind": "IMAGE"}]
        desk.assert_clean()
        citizen.assert_clean()
