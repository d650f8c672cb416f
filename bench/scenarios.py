"""API scenarios: latency (sequential), throughput (concurrent clients), SQL statements per
request (counted in-process), against real uvicorn servers on loopback."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import event

NESTED = (
    "{ grids(first: 100) { edges { node { code worker { name } "
    "events(first: 10) { id status } } } } }"
)
PERSONS = (
    "{ persons(first: 100) { edges { node { name idNumber phone household { code } "
    "grid { code } } } } }"
)
LOCATE = (
    "query($lon: Float!, $lat: Float!) { locate(lon: $lon, lat: $lat) { beidouCode "
    "grid { code worker { name } } } }"
)
REPORT = (
    "mutation($input: ReportEventInput!) { reportEvent(input: $input) { created "
    "event { id status } } }"
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def body_of(name: str, i: int) -> dict[str, Any]:
    if name == "trivial":
        return {"query": "{ __typename }"}
    if name == "nested list":
        return {"query": NESTED}
    if name == "100-person page":
        return {"query": PERSONS}
    if name == "locate":
        return {
            "query": LOCATE,
            "variables": {"lon": 104.45 + (i % 97) * 0.001, "lat": 28.75 + (i % 89) * 0.001},
        }
    return {
        "query": REPORT,
        "variables": {
            "input": {
                "categoryCode": "city.sanitation",
                "title": "垃圾",
                "description": "堆积",
                "location": {"lon": 104.45 + (i % 97) * 0.001, "lat": 28.75 + (i % 89) * 0.001},
                "idempotencyKey": uuid.uuid4().hex,
            }
        },
    }


async def measure(
    base: str,
    path: str,
    make: Callable[[int], dict[str, Any] | None],
    headers: dict[str, str],
    n: int,
    workers: int,
) -> tuple[float, float, float]:
    """(p50 ms, p99 ms, requests/s with ``workers`` concurrent clients)."""
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers) as client:

        async def one(i: int) -> float:
            t = time.perf_counter()
            body = make(i)
            r = await (client.post(path, json=body) if body is not None else client.get(path))
            r.raise_for_status()
            return time.perf_counter() - t

        for i in range(20):
            await one(i)
        latencies = [await one(i) for i in range(n)]
        counter = iter(range(10**9))

        async def worker(deadline: float) -> int:
            done = 0
            while time.perf_counter() < deadline:
                await one(next(counter))
                done += 1
            return done

        start = time.perf_counter()
        done = sum(await asyncio.gather(*(worker(start + 3.0) for _ in range(workers))))
        rate = done / (time.perf_counter() - start)
    return (statistics.median(latencies) * 1000, percentile(latencies, 0.99) * 1000, rate)


async def count_statements(url: str, body: dict[str, Any], token: str | None) -> int:
    from asgi_lifespan import LifespanManager

    from core.settings import Settings
    from server.app import create_app

    app = create_app(Settings(database_url=url, secret_key="b" * 40, rate_limit_per_minute=0))
    async with LifespanManager(app):
        statements: list[str] = []
        event.listen(
            app.state.gridgov.engine.sync_engine,
            "before_cursor_execute",
            lambda *a: statements.append(a[2]),
        )
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://b", headers=headers
        ) as client:
            await client.post("/graphql", json=body)  # warm (grants loaded once)
            statements.clear()
            await client.post("/graphql", json=body)
    return len(statements)
