"""GraphiQL at /graphql works offline: the page and every file it loads come from the
server itself (web/graphiql, installed by `make install`), checked in headless Chromium
(Debian's, driven by Playwright) with every request to another host refused."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Request, Route, async_playwright, expect
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.routing import Route as StarletteRoute

from schema.graphiql import ASSETS, STATIC_PATH, WEB_DIR, GraphiQLAssets, render_page
from tests.browser import chromium, same_origin
from tests.live import served_process


async def test_graphiql_runs_a_query_with_the_network_off(db_url, tmp_path) -> None:
    browser_path = chromium()
    assert not ASSETS - {name for name in ASSETS if (WEB_DIR / "node_modules" / name).is_file()}, (
        "GraphiQL's files are not installed: run `make install` (npm ci in web/graphiql)"
    )
    requests: list[str] = []
    refused: list[str] = []
    errors: list[str] = []
    screenshot = tmp_path / "graphiql.png"

    async def only_local(route: Route) -> None:
        if same_origin(route.request.url, base):
            await route.continue_()
        else:
            refused.append(route.request.url)
            await route.abort("internetdisconnected")

    def seen(request: Request) -> None:
        requests.append(f"{request.method} {request.url}")

    async with (
        served_process(db_url, tmp_path / "var") as (base, _server),
        async_playwright() as playwright,
    ):
        async with httpx.AsyncClient(base_url=base) as http:
            # only the page's files are served from node_modules
            script = await http.get(f"{STATIC_PATH}/graphiql/graphiql.min.js")
            assert script.status_code == 200
            assert "javascript" in script.headers["content-type"]
            other = await http.get(f"{STATIC_PATH}/graphiql/package.json")
            assert other.status_code == 404

        browser = await playwright.chromium.launch(
            executable_path=browser_path,
            headless=True,
            # name resolution off too: nothing but loopback can be reached
            args=["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        try:
            context = await browser.new_context(viewport={"width": 1400, "height": 900})
            await context.route("**/*", only_local)
            page = await context.new_page()
            page.on("request", seen)
            page.on("websocket", lambda ws: requests.append(f"WS {ws.url}"))
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on(
                "console",
                lambda msg: errors.append(msg.text) if msg.type == "error" else None,
            )

            response = await page.goto(f"{base}/graphql", wait_until="networkidle")
            assert response is not None and response.status == 200, response
            assert "text/html" in response.headers["content-type"]

            # GraphiQL rendered: its container, the query editor, the run button
            await expect(page.locator(".graphiql-container .graphiql-sessions")).to_be_visible()
            editor = page.locator(".graphiql-query-editor .CodeMirror")
            await expect(editor).to_be_visible()
            run = page.locator("button.graphiql-execute-button")
            await expect(run).to_be_visible()

            # put a query in the editor (through CodeMirror: keystrokes typed into it on a
            # loaded machine can land out of order), run it from the page, read the answer
            await editor.click()
            await editor.evaluate("cm => cm.CodeMirror.setValue('{ __typename }')")
            typed = await editor.evaluate("cm => cm.CodeMirror.getValue()")
            assert typed == "{ __typename }", typed
            await run.click()
            result = page.locator(".graphiql-response .result-window")
            await expect(result).to_contain_text('"__typename": "Query"', timeout=15_000)
            await page.screenshot(path=screenshot, full_page=True)

            # a subscription goes over the page's own WebSocket (graphql-transport-ws); the
            # server's answer (that is no event id: an error) shows in the result pane
            subscription = 'subscription { eventUpdated(id: "none") { id } }'
            await editor.evaluate("(cm, text) => cm.CodeMirror.setValue(text)", subscription)
            typed = await editor.evaluate("cm => cm.CodeMirror.getValue()")
            assert typed == subscription, typed
            # GraphiQL parses the editor's text a moment after a change; run once it has
            await page.wait_for_function(
                "() => document.querySelector('.graphiql-query-editor .CodeMirror')"
                ".CodeMirror.documentAST?.definitions[0]?.operation === 'subscription'"
            )
            async with page.expect_websocket() as opened:
                await run.click()
            websocket = await opened.value
            await expect(result).to_contain_text('"errors"', timeout=15_000)
            assert same_origin(websocket.url, base), websocket.url
        finally:
            await browser.close()

    print(f"\nGraphiQL screenshot: {screenshot}")
    print("requests of the page:", *requests, sep="\n  ")
    assert screenshot.stat().st_size > 10_000
    assert not refused, f"the page reached for other hosts: {refused}"
    assert all(same_origin(r.split(" ", 1)[1], base) for r in requests), requests
    assert f"GET {base}/graphql" in requests
    for name in ASSETS:
        assert f"GET {base}{STATIC_PATH}/{name}" in requests, name
    assert requests.count(f"POST {base}/graphql") >= 2  # the schema, then the query
    assert f"WS {base.replace('http://', 'ws://')}/graphql" in requests  # the subscription
    assert not errors, errors


async def test_graphiql_page_names_only_its_own_files() -> None:
    """The template loads nothing from another host: every src/href is on STATIC_PATH."""
    template = (WEB_DIR / "graphiql.html").read_text(encoding="utf-8")
    links = re.findall(r'(?:src|href)="([^"]*)"', template)
    files = [link for link in links if not link.startswith("data:")]
    assert sorted(files) == sorted(f"{{{{static}}}}/{name}" for name in ASSETS)
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", template)


async def test_graphiql_not_installed_answers_503(tmp_path) -> None:
    """Without node_modules the server still starts; the page and its files say what to do."""
    web = tmp_path / "graphiql"
    web.mkdir()
    (web / "graphiql.html").write_text((WEB_DIR / "graphiql.html").read_text("utf-8"), "utf-8")

    async def page(request):  # type: ignore[no-untyped-def]
        return render_page(request, web)

    app = Starlette(
        routes=[
            StarletteRoute("/graphql", page),
            Mount(STATIC_PATH, GraphiQLAssets(web)),
        ]
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        for path in ("/graphql", f"{STATIC_PATH}/graphiql/graphiql.min.js"):
            answer = await http.get(path)
            assert answer.status_code == 503, (path, answer.text)
            assert "make install" in answer.text
        assert (await http.get(f"{STATIC_PATH}/graphiql/package.json")).status_code == 404


async def test_graphiql_files_outside_production_only(db_url, app_client) -> None:
    script = f"{STATIC_PATH}/graphiql/graphiql.min.js"
    async with app_client(db_url) as client:
        assert (await client.http.get(script)).status_code == 200
    async with app_client(db_url, environment="production") as client:
        assert (await client.http.get(script)).status_code == 404
