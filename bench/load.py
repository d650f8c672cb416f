"""Live subscriptions and held load against `gridgov serve` in processes of its own.

- fan-out: 1,000 WebSocket subscriptions to one worker's tasks on one server process with
  the default pool; events reported in that worker's grid reach every subscriber. Prints
  the delivery latency (from the report's answer to each subscriber's message) and a
  query's latency before and during the fan-out.
- load held: the reference deployment's traffic for N minutes against `--workers 2`:
  every grid worker's phone uploads a GPS batch each minute and keeps a task subscription
  open, citizens report, the command centre reads. Prints throughput, p99 and errors per
  kind, fan-out latency, and the server's memory (all its processes) after warm-up and at
  the end.

The load comes from this process (asyncio, httpx, websockets), not the server's.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import websockets
from sqlalchemy import text

from core.database.engine import make_engine
from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TASKS = "subscription { myNewTasks { id status } }"
REPORT = """mutation($input: ReportEventInput!) { reportEvent(input: $input) { event { id } } }"""
UPLOAD = "mutation($f: [TrackFixInput!]) { uploadTrack(fixes: $f) { stored } }"
READS = [
    "{ grids(first: 20) { totalCount nodes { code name worker { name } } } }",
    "{ events(first: 20) { totalCount nodes { id status title grid { code } } } }",
    '{ eventIndicators(regionCode: "511504") { due closed closedOnTime overdue } }',
]


def row(name: str, **figures: object) -> None:
    cells = "  ".join(f"{k}={v}" for k, v in figures.items())
    print(f"{name:<28} {cells}", flush=True)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn's workers), MiB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(c) for c in children)
    return total / 1024


@asynccontextmanager
async def served(url: str, port: int, workers: int, password: str) -> Any:
    env = dict(
        os.environ,
        GRIDGOV_DATABASE_URL=url,
        GRIDGOV_RATE_LIMIT_PER_MINUTE="0",
        GRIDGOV_SECRET_KEY="l" * 40,
        GRIDGOV_VAR_DIR=str(ROOT / "var" / "bench" / "var"),
        PYTHONPATH=str(ROOT),
    )
    gridgov = Path(sys.executable).with_name("gridgov")
    log = tempfile.TemporaryFile()
    proc = await asyncio.create_subprocess_exec(
        str(gridgov),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            for _ in range(600):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            yield base, proc, http
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        log.seek(0)
        lines = log.read().decode(errors="replace").splitlines()
        log.close()
        errors = [line for line in lines if "ERROR" in line or "Traceback" in line]
        if errors:
            row("server log errors", lines=len(errors), first=errors[0][:120])


async def gql(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None, token: str | None
) -> tuple[float, bool, Any]:
    """(seconds, ok, data) of one request."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    t0 = time.perf_counter()
    try:
        r = await http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        body = r.json()
        ok = r.status_code == 200 and not body.get("errors")
        return time.perf_counter() - t0, ok, body.get("data")
    except (httpx.HTTPError, ValueError):
        return time.perf_counter() - t0, False, None


async def login(http: httpx.AsyncClient, username: str, password: str) -> str:
    q = "mutation($u: String!, $p: String!){ login(username: $u, password: $p){ token } }"
    _, ok, data = await gql(http, q, {"u": username, "p": password}, None)
    assert ok, f"cannot log in as {username}"
    return str(data["login"]["token"])


@dataclass
class Inbox:
    """Arrival times of task messages, by event id, over all subscribers."""

    arrived: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    closed: int = 0


async def subscriber(base: str, token: str, inbox: Inbox, ready: asyncio.Event | None) -> None:
    url = base.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        auth = {"Authorization": f"Bearer {token}"}
        await ws.send(json.dumps({"type": "connection_init", "payload": auth}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "t", "type": "subscribe", "payload": {"query": TASKS}}))
        if ready is not None:
            ready.set()
        try:
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                elif message["type"] == "next":
                    event = message["payload"]["data"]["myNewTasks"]["id"]
                    inbox.arrived[event].append(time.perf_counter())
        except websockets.ConnectionClosed:
            inbox.closed += 1


async def workers_of(url: str, n: int) -> list[tuple[str, float, float]]:
    """(username, lon, lat) of n grid workers with a point inside their grid."""
    engine = make_engine(url, Settings(database_url=url))
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT a.username, ST_X(p), ST_Y(p) FROM (SELECT worker_id, "
                    "ST_PointOnSurface(geom) p FROM grid WHERE valid_to IS NULL "
                    "AND worker_id IS NOT NULL ORDER BY code LIMIT :n) g "
                    "JOIN account a ON a.id = g.worker_id"
                ),
                {"n": n},
            )
        ).all()
    await engine.dispose()
    return [(str(u), float(x), float(y)) for u, x, y in rows]


def report_input(lon: float, lat: float) -> dict[str, Any]:
    return {
        "categoryCode": "city.sanitation",
        "title": "垃圾堆积",
        "description": "压测",
        "location": {"lon": lon, "lat": lat},
        "idempotencyKey": uuid.uuid4().hex,
    }


async def fanout(url: str, port: int, password: str, subscribers: int = 1000) -> None:
    (worker, lon, lat), *_ = await workers_of(url, 1)
    async with served(url, port, 1, password) as (base, _proc, http):
        token = await login(http, worker, password)
        citizen = await login(http, "citizen", password)
        probe = "{ regions(first: 5) { totalCount } }"
        before = [(await gql(http, probe, None, citizen))[0] for _ in range(200)]
        inbox = Inbox()
        tasks = []
        for _ in range(subscribers):
            ready = asyncio.Event()
            tasks.append(asyncio.create_task(subscriber(base, token, inbox, ready)))
            await ready.wait()
        await asyncio.sleep(2)  # every subscription registered with the broker
        sent: dict[str, float] = {}
        during: list[float] = []
        for _ in range(20):
            _, ok, data = await gql(http, REPORT, {"input": report_input(lon, lat)}, citizen)
            if ok:
                sent[data["reportEvent"]["event"]["id"]] = time.perf_counter()
            for _ in range(10):
                during.append((await gql(http, probe, None, citizen))[0])
            await asyncio.sleep(0.2)
        await asyncio.sleep(3)
        latencies = [
            (t - sent[event]) * 1000
            for event, ts in inbox.arrived.items()
            if event in sent
            for t in ts
        ]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    row(
        "fan-out 1,000 subscribers",
        subscribers=subscribers,
        messages=len(sent),
        delivered=f"{len(latencies)}/{len(sent) * subscribers}",
        p50_ms=f"{pct(latencies, 0.5):.0f}",
        p99_ms=f"{pct(latencies, 0.99):.0f}",
        query_p50_ms=f"{statistics.median(before) * 1000:.1f}->"
        f"{statistics.median(during) * 1000:.1f}",
    )


async def load_held(url: str, port: int, password: str, minutes: float, workers: int = 2) -> None:
    """The reference deployment's day, compressed into ``minutes`` of steady traffic."""
    crew = await workers_of(url, 600)
    async with served(url, port, workers, password) as (base, proc, http):
        gate = asyncio.Semaphore(8)

        async def log_in(user: str) -> str:
            async with gate:
                return await login(http, user, password)

        tokens = await asyncio.gather(*(log_in(u) for u, _, _ in crew))
        citizen = await login(http, "citizen", password)
        command = await login(http, "command", password)
        inbox = Inbox()
        subs = [asyncio.create_task(subscriber(base, t, inbox, None)) for t in tokens]
        await asyncio.sleep(5)
        stats: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        sent: dict[str, float] = {}
        start = time.perf_counter()
        deadline = start + minutes * 60
        memory: list[float] = []

        async def gps(i: int, token: str, lon: float, lat: float) -> None:
            await asyncio.sleep(60 * i / len(crew))  # spread over the minute
            while time.perf_counter() < deadline:
                now = datetime.now(UTC)
                fixes = [
                    {"at": (now - timedelta(seconds=s)).isoformat(), "lon": lon, "lat": lat}
                    for s in (30, 0)
                ]
                took, ok, _ = await gql(http, UPLOAD, {"f": fixes}, token)
                stats["gps batch"].append((took, ok))
                await asyncio.sleep(max(0.0, min(60 - took, deadline - time.perf_counter())))

        async def reports() -> None:
            rng = random.Random(1)
            while time.perf_counter() < deadline:
                _, lon, lat = rng.choice(crew)
                took, ok, data = await gql(http, REPORT, {"input": report_input(lon, lat)}, citizen)
                stats["report"].append((took, ok))
                if ok:
                    sent[data["reportEvent"]["event"]["id"]] = time.perf_counter()
                await asyncio.sleep(max(0.0, min(3.0, deadline - time.perf_counter())))

        async def reads() -> None:
            i = 0
            while time.perf_counter() < deadline:
                took, ok, _ = await gql(http, READS[i % len(READS)], None, command)
                stats["staff read"].append((took, ok))
                i += 1
                await asyncio.sleep(max(0.0, 0.2 - took))

        async def sample() -> None:
            await asyncio.sleep(min(60, minutes * 60 / 4))  # after warm-up
            memory.append(rss_mib(proc.pid))
            await asyncio.sleep(max(0.0, deadline - time.perf_counter()))
            memory.append(rss_mib(proc.pid))

        await asyncio.gather(
            *(
                gps(i, t, lon, lat)
                for i, (t, (_, lon, lat)) in enumerate(zip(tokens, crew, strict=True))
            ),
            reports(),
            reads(),
            sample(),
        )
        await asyncio.sleep(3)
        elapsed = time.perf_counter() - start
        delivered = [(ts[0] - sent[e]) * 1000 for e, ts in inbox.arrived.items() if e in sent]
        for t in subs:
            t.cancel()
        await asyncio.gather(*subs, return_exceptions=True)
    total = sum(len(v) for v in stats.values())
    errors = sum(1 for v in stats.values() for _, ok in v if not ok)
    row(
        "load held",
        minutes=f"{elapsed / 60:.1f}",
        server_workers=workers,
        subscriptions=len(tokens),
        requests=total,
        rps=f"{total / elapsed:.1f}",
        errors=errors,
        memory_mib=f"{memory[0]:.0f}->{memory[-1]:.0f}",
        growth=f"{(memory[-1] / memory[0] - 1) * 100:+.1f}%",
    )
    for kind, values in sorted(stats.items()):
        times = [t * 1000 for t, _ in values]
        row(
            f"  {kind}",
            n=len(values),
            errors=sum(1 for _, ok in values if not ok),
            p50_ms=f"{pct(times, 0.5):.1f}",
            p99_ms=f"{pct(times, 0.99):.1f}",
        )
    row(
        "  task fan-out",
        delivered=f"{len(delivered)}/{len(sent)}",
        p50_ms=f"{pct(delivered, 0.5):.0f}",
        p99_ms=f"{pct(delivered, 0.99):.0f}",
        closed=inbox.closed,
    )
