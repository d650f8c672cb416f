"""The analytics scenario: a demo at the reference deployment's full size (800,000
residents, 300,000 events in a year) in a database of its own, then the dashboard, a
module and an assessment table timed over HTTP against a real uvicorn process.

Prints: the demo load (and its event-history and summary parts), and p50/p99 per query.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.database.engine import create_database_if_missing, make_engine, make_sessionmaker
from core.database.migrate import upgrade
from core.plugins import make_plugin_manager
from core.settings import Settings

DASHBOARD = """query($r: String) { dashboard(regionCode: $r) {
  panels { key figures { key value } } } }"""
DRILL = """query($r: String) { dashboard(regionCode: $r) {
  panel(key: "work_assessment") { figures { key value breakdown { area { code } value } } } } }"""
MODULE = """{ analysis(module: "events_by_area") { total breakdown { area { code } value }
  trend { start value } rows(first: 50) { edges { node { id cells } } } } }"""
ASSESSMENT = """query($m: String!) { assessment(month: $m) { rows { rank code score } } }"""


def analytics_url(url: str) -> str:
    return (
        make_url(url).set(database="gridgov_bench_analytics").render_as_string(hide_password=False)
    )


async def prepare(
    url: str, persons: int, events: int, password: str, row: Callable[..., None]
) -> None:
    import core.demo.load as demo_load
    from core.demo.load import demo_present, load_demo
    from plugins.analytics.summaries import rebuild

    await create_database_if_missing(url)
    settings = Settings(database_url=url)
    engine = make_engine(url, settings)
    pm = make_plugin_manager(settings)
    await upgrade(engine, pm)
    async with make_sessionmaker(engine)() as session, session.begin():
        if not await demo_present(session):
            spent: dict[str, float] = {}
            original = demo_load.load_history

            async def timed(*args: Any, **kwargs: Any) -> Any:
                t = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    spent["history"] = time.perf_counter() - t

            demo_load.load_history = timed  # type: ignore[assignment]  # timing only
            try:
                t0 = time.perf_counter()
                await load_demo(
                    session, persons=persons, events=events, seed=1, password=password, pm=pm
                )
            finally:
                demo_load.load_history = original  # type: ignore[assignment]
            row(
                "analytics: demo load",
                persons=persons,
                events=events,
                seconds=f"{time.perf_counter() - t0:.1f}",
                history_s=f"{spent.get('history', 0):.1f}",
            )
    async with make_sessionmaker(engine)() as session, session.begin():
        t0 = time.perf_counter()
        await rebuild(session, settings.timezone)
        row("analytics: summaries rebuilt", seconds=f"{time.perf_counter() - t0:.1f}")
        counts = (
            await session.execute(
                text("SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM event)")
            )
        ).one()
        row("analytics: data", persons=counts[0], events=counts[1])
    await engine.dispose()


def _time(client: httpx.Client, body: dict[str, Any], n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.post("/graphql", json=body)
        times.append((time.perf_counter() - t) * 1000)
        payload = r.json()
        assert "errors" not in payload, payload
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.99 * len(times)))]


def bench_analytics(
    url: str,
    persons: int,
    events: int,
    requests: int,
    password: str,
    row: Callable[..., None],
    serve: Callable[..., Any],
    token: Callable[[str, str], str],
) -> None:
    url = analytics_url(url)
    asyncio.run(prepare(url, persons, events, password, row))
    server, base = serve("server.app:create_app", url, factory=True)
    try:
        headers = {"Authorization": f"Bearer {token(base, 'command')}"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            township = client.post(
                "/graphql",
                json={
                    "query": '{ dashboard { panel(key: "population") { figures '
                    "{ key breakdown { area { code } } } } } }"
                },
            ).json()["data"]["dashboard"]["panel"]["figures"][0]["breakdown"][0]["area"]["code"]
            month = time.strftime("%Y-%m", time.localtime(time.time() - 35 * 86400))
            plan = [
                (
                    "district dashboard",
                    {"query": DASHBOARD, "variables": {"r": None}},
                    "p50<=300ms",
                ),
                ("township dashboard", {"query": DASHBOARD, "variables": {"r": township}}, ""),
                ("district drill-down", {"query": DRILL, "variables": {"r": None}}, ""),
                ("module events_by_area", {"query": MODULE}, ""),
                ("assessment (579 workers)", {"query": ASSESSMENT, "variables": {"m": month}}, ""),
            ]
            for name, body, goal in plan:
                _time(client, body, 2)  # warm-up
                p50, p99 = _time(client, body, requests)
                row(
                    f"analytics: {name}",
                    requests=requests,
                    p50_ms=f"{p50:.0f}",
                    p99_ms=f"{p99:.0f}",
                    goal=goal,
                )
    finally:
        server.terminate()
        server.wait(10)
