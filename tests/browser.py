"""Browser tests' shared helpers: Debian's headless Chromium driven by Playwright, with
every request that leaves the served app's origin refused and recorded, page errors and
console errors recorded, WebGL on (MapLibre draws with it), and a log-in through a page's
own form.

    async with served_process(demo_url, tmp_path / "var") as (base, _server):
        async with open_page(base) as browser:
            await browser.page.goto(f"{base}/console")
            await browser.login("command")
            ...
            browser.assert_clean()  # nothing left the origin, no page or console error
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Route,
    WebSocket,
    async_playwright,
    expect,
)

from tests.fixtures import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("GRIDGOV_TEST_CHROMIUM", "/usr/bin/chromium")

#: screenshots the browser tests take (var/ is not in git): look at them after a run
SCREENSHOTS = ROOT / "var" / "screenshots"
SCREENSHOTS.mkdir(parents=True, exist_ok=True)

#: Chromium's flags: name resolution off (nothing but loopback can be reached even if a
#: request slipped past the route handler), and WebGL in software (SwiftShader through
#: ANGLE) since a headless machine has no GPU: without it MapLibre cannot draw a map
CHROMIUM_ARGS = (
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--ignore-gpu-blocklist",
    "--enable-webgl",
)


def chromium() -> str:
    """The Chromium binary, or the test fails saying how to get one."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"this test drives Debian's Chromium and there is none at {CHROMIUM}: "
            "apt-get install chromium (`make install` does it as root), or set "
            "GRIDGOV_TEST_CHROMIUM to a Chromium binary"
        )
    return CHROMIUM


def same_origin(url: str, base: str) -> bool:
    """``url`` is on the server's own host and port (http or its WebSocket), or inline."""
    if url.startswith(("data:", "blob:")):
        return True
    parts, own = urlsplit(url), urlsplit(base)
    return parts.scheme in ("http", "ws") and parts.netloc == own.netloc


@dataclass
class BrowserPage:
    """A page of a fresh browser context, and what it did."""

    base: str
    browser: Browser
    context: BrowserContext
    page: Page
    #: "METHOD url" of every request the page made, "WS url" of its WebSockets
    requests: list[str] = field(default_factory=list)
    #: URLs the route handler refused (another origin)
    refused: list[str] = field(default_factory=list)
    #: uncaught exceptions of the page
    page_errors: list[str] = field(default_factory=list)
    #: console messages of type error (a failed load, a library's complaint…)
    console_errors: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    async def login(
        self,
        username: str,
        password: str = DEMO_PASSWORD,
        form: str = "form:has(input[type=password])",
        wait_ms: float = 15_000,
    ) -> None:
        """Log in through the page's own form (its ``username`` and ``password`` inputs
        and its submit button), then wait until the page holds a token and the form has
        gone (removed, ``hidden`` or not displayed)."""
        login = self.page.locator(form)
        await expect(login).to_be_visible(timeout=wait_ms)
        await login.locator("input[name=username]").fill(username)
        await login.locator("input[name=password]").fill(password)
        await login.locator("[type=submit]").click()
        await self.page.wait_for_function(
            """selector => {
                const form = document.querySelector(selector);
                return sessionStorage.getItem('gridgov.token')
                    && (!form || form.hidden || !form.checkVisibility());
            }""",
            arg=form,
            timeout=wait_ms,
        )

    async def token(self) -> str:
        """The page's login token (api.js keeps it in this tab's session storage)."""
        value = await self.page.evaluate("() => sessionStorage.getItem('gridgov.token')")
        assert value, "the page holds no token: not logged in"
        return str(value)

    async def screenshot(self, name: str) -> Path:
        """A screenshot of the viewport in ``SCREENSHOTS``."""
        path = SCREENSHOTS / name
        await self.page.screenshot(path=path)
        return path

    def left_origin(self) -> list[str]:
        """Requests refused or made to another origin."""
        others = [r for r in self.requests if not same_origin(r.split(" ", 1)[1], self.base)]
        return self.refused + others

    def assert_clean(self, ignore: Iterable[str] = ()) -> None:
        """Nothing left the origin, no page error, no console error (but those holding
        one of the ``ignore`` strings)."""
        assert not self.left_origin(), f"the page reached for other hosts: {self.left_origin()}"
        assert not self.page_errors, f"errors in the page: {self.page_errors}"
        errors = [e for e in self.console_errors if not any(i in e for i in ignore)]
        assert not errors, f"errors on the console: {errors}"


@asynccontextmanager
async def open_page(
    base: str,
    *,
    width: int = 1920,
    height: int = 1080,
    timezone: str = "Asia/Shanghai",
    locale: str = "zh-CN",
    on_console: Callable[[ConsoleMessage], None] | None = None,
) -> AsyncIterator[BrowserPage]:
    """Headless Chromium with one page of ``width`` x ``height`` CSS pixels; requests to
    ``base``'s origin go through, any other is aborted and recorded."""
    executable = chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            context = await browser.new_context(
                viewport={"width": width, "height": height},
                timezone_id=timezone,
                locale=locale,
            )
            page = await context.new_page()
            result = BrowserPage(base=base, browser=browser, context=context, page=page)

            async def only_local(route: Route) -> None:
                if same_origin(route.request.url, base):
                    await route.continue_()
                else:
                    result.refused.append(route.request.url)
                    await route.abort("internetdisconnected")

            def seen(request: Request) -> None:
                result.requests.append(f"{request.method} {request.url}")

            def websocket(ws: WebSocket) -> None:
                result.requests.append(f"WS {ws.url}")

            def console(message: ConsoleMessage) -> None:
                if message.type == "error":
                    result.console_errors.append(message.text)
                if on_console is not None:
                    on_console(message)

            await context.route("**/*", only_local)
            page.on("request", seen)
            page.on("websocket", websocket)
            page.on("pageerror", lambda exc: result.page_errors.append(str(exc)))
            page.on("console", console)
            yield result
        finally:
            await browser.close()
