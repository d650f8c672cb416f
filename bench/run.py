"""gridgov benchmark runner: prints figures per scenario (no pass/fail).

    python -m bench.run [--persons N] [--points N] [--requests N] [--only locate,attendance]
                        [--load-minutes M] [--analytics-persons N] [--analytics-events N]
                        [--maps-persons N] [--maps-events N]

`--only versus` runs gridgov beside PostGraphile 5 under autocannon (bench/versus.py).

Uses GRIDGOV_BENCH_DATABASE_URL, or a private cluster under var/bench (kept between runs).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import text

from bench.load import fanout, load_held
from core.database.cluster import PrivateCluster
from core.database.engine import create_database_if_missing, make_engine, make_sessionmaker
from core.database.migrate import upgrade
from core.plugins import make_plugin_manager
from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password"


def row(name: str, **figures: object) -> None:
    cells = "  ".join(f"{k}={v}" for k, v in figures.items())
    print(f"{name:<28} {cells}", flush=True)


async def prepare(url: str, persons: int) -> None:
    from core.demo.load import demo_present, load_demo

    await create_database_if_missing(url)
    settings = Settings(database_url=url)
    engine = make_engine(url, settings)
    pm = make_plugin_manager(settings)
    await upgrade(engine, pm)
    async with make_sessionmaker(engine)() as session, session.begin():
        if not await demo_present(session):
            t0 = time.perf_counter()
            await load_demo(session, persons=persons, seed=1, password=PASSWORD, pm=pm)
            row("demo load", persons=persons, seconds=f"{time.perf_counter() - t0:.1f}")
    await engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_locate(url: str, requests: int) -> None:
    """`locate` through GraphQL over HTTP against a real uvicorn process."""
    import random

    port = free_port()
    env = dict(
        os.environ,
        GRIDGOV_DATABASE_URL=url,
        PYTHONPATH=str(ROOT),
        GRIDGOV_RATE_LIMIT_PER_MINUTE="0",
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "server.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(200):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
            query = (
                "query($lon: Float!, $lat: Float!){ locate(lon: $lon, lat: $lat){ "
                "beidouCode grid { code name worker { name } } community { code name } "
                "township { code name } } }"
            )
            rng = random.Random(1)
            points = [
                (rng.uniform(104.30, 104.70), rng.uniform(28.55, 29.05)) for _ in range(requests)
            ]
            for lon, lat in points[:50]:  # warm-up
                client.post(
                    "/graphql", json={"query": query, "variables": {"lon": lon, "lat": lat}}
                )
            times: list[float] = []
            found = 0
            t0 = time.perf_counter()
            for lon, lat in points:
                t = time.perf_counter()
                r = client.post(
                    "/graphql", json={"query": query, "variables": {"lon": lon, "lat": lat}}
                )
                times.append((time.perf_counter() - t) * 1000)
                found += r.json()["data"]["locate"]["grid"] is not None
            total = time.perf_counter() - t0
        row(
            "locate (GraphQL, HTTP)",
            requests=requests,
            inside=found,
            p50_ms=f"{statistics.median(times):.2f}",
            p99_ms=f"{percentile(times, 0.99):.2f}",
            req_per_s=f"{requests / total:.0f}",
            goal="p50<=5ms",
        )
    finally:
        server.terminate()
        server.wait(10)


async def bench_reassign(url: str, points: int) -> None:
    """Point-in-polygon re-assignment of N points spread over the district, in PostGIS.

    Three figures: classifying every point (the spatial join alone), a first assignment
    that rewrites every row (index maintenance included, as on the person table), and
    the re-assignment after ten grids are redrawn (the everyday case).
    """
    from core.services.reassign import reassign_area

    engine = make_engine(url, Settings(database_url=url))
    async with engine.begin() as conn:
        await conn.execute(text("DROP TABLE IF EXISTS bench_points"))
        await conn.execute(
            text("""
            CREATE TABLE bench_points (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
              geom geometry(Point, 4326), grid_id bigint, region_code varchar(15))""")
        )
        await conn.execute(
            text("""
            INSERT INTO bench_points (geom)
            SELECT (ST_Dump(ST_GeneratePoints(geom, :n, 42))).geom
            FROM region WHERE level = 'district'"""),
            {"n": points},
        )
        for ddl in (
            "CREATE INDEX ON bench_points USING gist (geom)",
            "CREATE INDEX ON bench_points (grid_id)",
            "CREATE INDEX ON bench_points (region_code varchar_pattern_ops)",
            "ANALYZE bench_points",
        ):
            await conn.execute(text(ddl))
        district = bytes(
            await conn.scalar(text("SELECT ST_AsEWKB(geom) FROM region WHERE level = 'district'"))
        )
        await conn.execute(text("SET LOCAL jit = off"))
        t0 = time.perf_counter()
        pairs = await conn.scalar(
            text("""
            SELECT count(*) FROM grid g JOIN bench_points r ON ST_Intersects(g.geom, r.geom)
            WHERE g.valid_to IS NULL""")
        )
        classify = time.perf_counter() - t0
    row(
        "reassign: classify only",
        points=points,
        pairs=pairs,
        seconds=f"{classify:.2f}",
        points_per_s=f"{points / classify:,.0f}",
        goal=">=200k/s",
    )
    async with make_sessionmaker(engine)() as session, session.begin():
        t0 = time.perf_counter()
        changed = await reassign_area(session, district, tables=("bench_points",))
        first = time.perf_counter() - t0
    row(
        "reassign: every row rewritten",
        points=points,
        changed=changed,
        seconds=f"{first:.2f}",
        points_per_s=f"{points / first:,.0f}",
    )
    async with make_sessionmaker(engine)() as session, session.begin():
        area = bytes(
            await session.scalar(
                text(
                    "SELECT ST_AsEWKB(ST_Union(geom)) FROM (SELECT geom FROM grid "
                    "WHERE valid_to IS NULL ORDER BY code LIMIT 10) g"
                )
            )
        )
        await session.execute(
            text(
                "UPDATE bench_points SET grid_id = NULL, region_code = NULL "
                "WHERE ST_Intersects(geom, ST_GeomFromEWKB(:a))"
            ),
            {"a": area},
        )
    async with make_sessionmaker(engine)() as session, session.begin():
        t0 = time.perf_counter()
        changed = await reassign_area(session, area, tables=("bench_points",))
        redraw = time.perf_counter() - t0
    row("reassign: 10 grids redrawn", changed=changed, seconds=f"{redraw:.3f}")
    async with engine.begin() as conn:
        await conn.execute(text("DROP TABLE bench_points"))
    await engine.dispose()


AUTHZ_FUNCTIONS = (
    ("authz/identify.py", "identify"),
    ("schema/audit.py", "reveal"),
    ("schema/located.py", "readable"),
    ("authz/reach.py", "where"),
    ("authz/scope.py", "require_category"),
    ("authz/audit.py", "flush"),
)


class _AuthzStubbed:
    """Replaces the authorization steps with no-ops (bench only) to time what they cost."""

    def __enter__(self) -> None:
        import authz.audit
        import schema.audit
        import schema.located

        self.saved = [
            (schema.audit, "reveal", schema.audit.reveal),
            (schema.located, "readable", schema.located.readable),
            (schema.located, "require_category", schema.located.require_category),
            (authz.audit.AccessLog, "flush", authz.audit.AccessLog.flush),
        ]

        async def no_flush(self: object, *a: object) -> int:
            return 0

        schema.audit.reveal = lambda *a, **k: True  # type: ignore[assignment]
        schema.located.readable = lambda info, row, category: row  # type: ignore[assignment]
        schema.located.require_category = lambda *a, **k: None  # type: ignore[assignment]
        authz.audit.AccessLog.flush = no_flush  # type: ignore[method-assign]

    def __exit__(self, *exc: object) -> None:
        for owner, name, value in self.saved:
            setattr(owner, name, value)


async def bench_authz_share(url: str, requests: int) -> None:
    """Share of a 100-person page's time spent on authorization: unmasking decisions,
    nested-record checks and writing the access audit. Timed as the difference between the
    real page and the same page with those steps stubbed out so that it returns the same
    rows and fields (alternating rounds, medians), with cProfile's attribution beside it as
    a cross-check. The SQL region predicate is not stubbed: it selects the rows (without it
    the page would hold other people) and runs as the index range scan that pages anyway."""
    import cProfile
    import pstats

    from asgi_lifespan import LifespanManager

    from server.app import create_app

    query = (
        "{ persons(first: 100) { edges { node { name idNumber phone address "
        "specialGroups { code } household { code } grid { code } } } } }"
    )
    app = create_app(Settings(database_url=url, secret_key="b" * 40))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for username, label in (
                ("ts-511504100", "unmasked+audited"),
                ("ds-511504-civil-affairs", "masked"),
            ):
                login = await client.post(
                    "/graphql",
                    json={
                        "query": "mutation($u: String!, $p: String!){ login(username: $u, "
                        "password: $p){ token } }",
                        "variables": {"u": username, "p": PASSWORD},
                    },
                )
                headers = {"Authorization": f"Bearer {login.json()['data']['login']['token']}"}

                async def page(headers: dict[str, str] = headers) -> float:
                    t = time.perf_counter()
                    r = await client.post("/graphql", json={"query": query}, headers=headers)
                    assert "errors" not in r.json(), r.json()
                    return time.perf_counter() - t

                for _ in range(20):
                    await page()
                real: list[float] = []
                stubbed: list[float] = []
                for _ in range(requests // 10):
                    real.extend([await page() for _ in range(10)])
                    with _AuthzStubbed():
                        stubbed.extend([await page() for _ in range(10)])
                full, bare = statistics.median(real), statistics.median(stubbed)
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(20):
                    await page()
                profile.disable()
                stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
                total = sum(v[3] for k, v in stats.items() if k[2] == "post")
                spent = sum(
                    v[3]
                    for (file, _, name), v in stats.items()
                    for suffix, func in AUTHZ_FUNCTIONS
                    if file.endswith(suffix) and name == func
                )
                row(
                    f"authz share ({label})",
                    requests=requests,
                    ms_per_page=f"{full * 1000:.1f}",
                    authz_share=f"{(full - bare) / full:.1%}",
                    profiled_share=f"{spent / total:.1%}",
                    goal="<=5%",
                )


def _serve(
    app_path: str, url: str, factory: bool, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = dict(
        os.environ,
        GRIDGOV_DATABASE_URL=url,
        PYTHONPATH=str(ROOT),
        GRIDGOV_RATE_LIMIT_PER_MINUTE="0",
        GRIDGOV_SECRET_KEY="b" * 40,
    )
    args = [
        sys.executable,
        "-m",
        "uvicorn",
        app_path,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--workers",
        str(workers),
    ]
    if factory:
        args.insert(4, "--factory")
    server = subprocess.Popen(args, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(base + ("/healthz" if factory else "/nested?first=1")).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    return server, base


async def _seed_events(url: str) -> None:
    engine = make_engine(url, Settings(database_url=url))
    async with engine.begin() as conn:
        if await conn.scalar(text("SELECT count(*) FROM event")) < 5000:
            await conn.execute(
                text("""
                INSERT INTO event (category_code, title, description, status, level,
                  handling_region, assignee_id, reporter_id, channel, idempotency_key,
                  deadline_at, geom, grid_id, region_code, county, collected_at)
                SELECT 'city.sanitation', '垃圾堆积', '需要清运',
                  (ARRAY['assigned','accepted','resolved','closed'])[1 + i % 4], 'grid',
                  g.code, g.worker_id, 3, 'citizen_app', 'bench-' || g.id || '-' || i,
                  now() + interval '1 day', ST_PointOnSurface(g.geom), g.id, g.code,
                  left(g.code, 6), now() - i * interval '1 hour'
                FROM grid g, generate_series(1, 12) i WHERE g.valid_to IS NULL""")
            )
    await engine.dispose()


def _token(base: str, username: str) -> str:
    r = httpx.post(
        base + "/graphql",
        json={
            "query": "mutation($u: String!, $p: String!){ login(username: $u, password: $p)"
            "{ token } }",
            "variables": {"u": username, "p": PASSWORD},
        },
    )
    return str(r.json()["data"]["login"]["token"])


def bench_api(url: str, requests: int, workers: int) -> None:
    """The API scenarios, and the hand-written json_agg endpoint for the nested list."""
    from bench.scenarios import body_of, count_statements, measure

    asyncio.run(_seed_events(url))
    server, base = _serve("server.app:create_app", url, factory=True)
    hand, hand_base = _serve("bench.handwritten:app", url, factory=False)
    try:
        tokens = {"command": _token(base, "command"), "citizen": _token(base, "citizen")}
        plan = [
            ("trivial", None),
            ("nested list", "command"),
            ("100-person page", "command"),
            ("locate", None),
            ("report event", "citizen"),
        ]
        results: dict[str, float] = {}
        for name, who in plan:
            headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
            p50, p99, rate = asyncio.run(
                measure(
                    base, "/graphql", lambda i, n=name: body_of(n, i), headers, requests, workers
                )
            )
            sql = asyncio.run(count_statements(url, body_of(name, 0), tokens[who] if who else None))
            results[name] = rate
            row(
                f"api: {name}",
                req_per_s=f"{rate:.0f}",
                p50_ms=f"{p50:.2f}",
                p99_ms=f"{p99:.2f}",
                sql_per_request=sql,
            )
        p50, p99, rate = asyncio.run(
            measure(hand_base, "/nested?first=100", lambda i: None, {}, requests, workers)
        )
        row(
            "hand-written json_agg",
            req_per_s=f"{rate:.0f}",
            p50_ms=f"{p50:.2f}",
            p99_ms=f"{p99:.2f}",
            sql_per_request=1,
        )
        row(
            "ratio nested list",
            vs_handwritten=f"{results['nested list'] / rate:.2f}x",
            goal=">=0.67x (within 1.5x)",
        )
        pgl = _postgraphile(url, requests, workers)
        if pgl is not None:
            row(
                "ratio nested list",
                vs_postgraphile=f"{results['nested list'] / pgl:.2f}x",
                goal=">=1.0x",
            )
    finally:
        for proc in (server, hand):
            proc.terminate()
            proc.wait(10)


def _postgraphile(url: str, requests: int, workers: int) -> float | None:
    """PostGraphile 5 answering the same nested list; its req/s, or None if not run."""
    from bench import postgraphile as pgl
    from bench.scenarios import measure

    node = pgl.install()
    if node is None:
        return None
    asyncio.run(pgl.create_views(url))
    port = free_port()
    server = pgl.serve(node, url, port)
    try:
        base = f"http://127.0.0.1:{port}"
        check = httpx.post(base + "/graphql", json={"query": pgl.NESTED}).json()
        nodes = check["data"]["allGrids"]["nodes"]
        assert len(nodes) == 100 and "errors" not in check, check
        p50, p99, rate = asyncio.run(
            measure(base, "/graphql", lambda i: {"query": pgl.NESTED}, {}, requests, workers)
        )
        row(
            "postgraphile 5 nested list",
            req_per_s=f"{rate:.0f}",
            p50_ms=f"{p50:.2f}",
            p99_ms=f"{p99:.2f}",
            node=subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip(),
        )
        return rate
    finally:
        server.terminate()
        server.wait(10)


def bench_attendance(url: str, requests: int) -> None:
    """GPS ingest, playback and the monthly report at 30 days of realistic tracks."""
    from bench import attendance as a

    days = asyncio.run(a.fill(url))
    asyncio.run(a.refresh_month(url, days))
    asyncio.run(a.ingest_db(url))
    server, base = _serve("server.app:create_app", url, factory=True)
    try:
        engine_rows = asyncio.run(_workers(url))
        tokens = [_token(base, f"gw-{code}") for code, _ in engine_rows[:8]]
        asyncio.run(a.ingest_api(base, tokens, packed=False))
        asyncio.run(a.ingest_api(base, tokens, packed=True))
        command = _token(base, "command")
        workers = [wid for _, wid in engine_rows]
        # as the command centre (each read audited: a durable commit) and as the worker
        asyncio.run(a.playback_api(base, command, workers, days, requests, "audited"))
        own = [engine_rows[0][1]]
        asyncio.run(a.playback_api(base, tokens[0], own, days, requests, "own"))
        asyncio.run(a.report_api(base, command, days[-1].strftime("%Y-%m")))
    finally:
        server.terminate()
        server.wait(10)


async def _workers(url: str) -> list[tuple[str, int]]:
    engine = make_engine(url, Settings(database_url=url))
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT code, worker_id FROM grid WHERE valid_to IS NULL "
                "AND worker_id IS NOT NULL ORDER BY code"
            )
        )
        found = [(r.code, r.worker_id) for r in rows]
    await engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument(
        "--only", default="api,locate,reassign,authz,attendance,fanout,analytics,maps,load"
    )
    parser.add_argument("--load-minutes", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--analytics-persons", type=int, default=800_000)
    parser.add_argument("--analytics-events", type=int, default=300_000)
    parser.add_argument("--maps-persons", type=int, default=100_000)
    parser.add_argument("--maps-events", type=int, default=1_000_000)
    args = parser.parse_args()
    url = os.environ.get("GRIDGOV_BENCH_DATABASE_URL")
    if not url:
        cluster = PrivateCluster(ROOT / "var" / "bench" / "pgdata", database="gridgov_bench")
        cluster.start()
        url = cluster.url()
    print(
        f"# gridgov bench — {platform.node()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · {time.strftime('%Y-%m-%d %H:%M')}"
    )
    asyncio.run(prepare(url, args.persons))
    scenarios = set(args.only.split(","))
    if "api" in scenarios:
        bench_api(url, 200, args.workers)
    if "versus" in scenarios:
        from bench.versus import bench_versus

        bench_versus(url, _serve, _token, free_port, row)
    if "locate" in scenarios:
        bench_locate(url, args.requests)
    if "reassign" in scenarios:
        asyncio.run(bench_reassign(url, args.points))
    if "authz" in scenarios:
        asyncio.run(bench_authz_share(url, 200))
    if "attendance" in scenarios:
        bench_attendance(url, 200)
    if "fanout" in scenarios:
        asyncio.run(fanout(url, free_port(), PASSWORD))
    if "analytics" in scenarios:
        from bench.analytics import bench_analytics

        bench_analytics(
            url,
            args.analytics_persons,
            args.analytics_events,
            30,
            PASSWORD,
            row,
            _serve,
            _token,
        )
    if "maps" in scenarios:
        from bench.maps import bench_maps

        bench_maps(url, args.maps_persons, args.maps_events, 30, PASSWORD, row, _serve, _token)
    if "load" in scenarios:
        asyncio.run(load_held(url, free_port(), PASSWORD, args.load_minutes))


if __name__ == "__main__":
    main()
