"""Faults: the database stopped under a running server, every connection busy, slow
statements. Clients get a code they can act on, the log one line per kind of fault, and
the server recovers by itself."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import text

from core.database.cluster import PrivateCluster
from core.database.engine import make_engine
from core.database.migrate import upgrade
from core.plugins import make_plugin_manager
from core.settings import Settings
from tests.fixtures import Client, StatementCounter, sql_scalar
from tests.live import Subscriber, eventually, live_app
from tests.pg import TestServer
from tests.test_events import REPORT, files_under, jpeg_with_gps, report_input, upload
from tests.test_locate import inner_points
from tests.test_records import demo_copy

UPDATES = "subscription($id: ID!) { eventUpdated(id: $id) { id status } }"
ACCEPT = "mutation($id: ID!) { acceptEvent(id: $id) { id status } }"


def _start_own_cluster() -> TestServer:
    folder = Path(tempfile.mkdtemp(prefix="gridgov-faults-"))
    folder.chmod(0o755)  # the postgres account (when root) must reach its data folder
    cluster = PrivateCluster(folder / "pgdata", database="postgres")
    cluster.start()
    return TestServer(base_url=cluster.url("postgres"), cluster=cluster, folder=folder)


@pytest_asyncio.fixture(loop_scope="session")
async def own_cluster() -> AsyncIterator[tuple[TestServer, str]]:
    """A cluster of this test's own (it is stopped and started under a server) with a
    demo in it."""
    server = await asyncio.to_thread(_start_own_cluster)
    try:
        template = server.new_name("template")
        url = await server.create(template)
        engine = make_engine(url, Settings(database_url=url))
        await upgrade(engine, make_plugin_manager(Settings()))
        await engine.dispose()
        yield server, await demo_copy(server, template)
    finally:
        await asyncio.to_thread(server.stop)


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["SERVICE_UNAVAILABLE"], errors
    assert "try again" in errors[0]["message"]


async def test_the_database_goes_away_and_comes_back(own_cluster, tmp_path, caplog) -> None:
    server, url = own_cluster
    assert server.cluster is not None
    lon, lat, grid = (await inner_points(url, 1))[0]
    async with (
        live_app(url, tmp_path / "a", rate_limit_per_minute=0) as (base, app),
        httpx.AsyncClient(base_url=base, timeout=30) as http,
    ):
        citizen = Client(http=http, app=app, sql=StatementCounter())
        worker_token = await citizen.login(f"gw-{grid}")
        citizen_token = await citizen.login("citizen")
        reported = await citizen.gql(REPORT, {"input": report_input(lon, lat)})
        event_id = reported["data"]["reportEvent"]["event"]["id"]
        async with Subscriber(base, citizen_token) as watcher:
            await watcher.subscribe("updates", UPDATES, {"id": event_id})
            await eventually(lambda: app.state.gridgov.broker.subscriber_count == 1)

            caplog.clear()
            await asyncio.to_thread(server.cluster.stop)
            query = {"query": "{ grids(first: 1) { totalCount } }"}
            for token in (citizen_token, worker_token, None):  # known, unknown, anonymous
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                for _ in range(3):
                    assert_unavailable(await http.post("/graphql", json=query, headers=headers))
            again = {"input": report_input(lon, lat)}
            report = await http.post(
                "/graphql",
                json={"query": REPORT, "variables": again},
                headers={"Authorization": f"Bearer {citizen_token}"},
            )
            assert_unavailable(report)
            health = await http.get("/healthz")
            assert health.status_code == 503 and health.headers["retry-after"] == "5"
            assert health.json()["status"] == "unavailable"
            tracebacks = [r for r in caplog.records if r.exc_info]
            assert not tracebacks, tracebacks[0].getMessage()
            faults = [r for r in caplog.records if r.name == "gridgov.faults"]
            assert 1 <= len(faults) <= 2, [r.getMessage() for r in faults]

            await asyncio.to_thread(server.cluster.start)
            for _ in range(200):
                if (await http.get("/healthz")).status_code == 200:
                    break
                await asyncio.sleep(0.1)
            assert (await http.get("/healthz")).json() == {
                "status": "ok",
                "database": "ok",
                "pubsub": "ok",
            }
            # the retried report (same idempotency key) is written once, now
            retried = await citizen.gql(REPORT, again)
            assert "errors" not in retried, retried
            citizen.token = worker_token
            accepted = await citizen.gql(ACCEPT, {"id": event_id})
            assert accepted["data"]["acceptEvent"]["status"] == "ACCEPTED", accepted
            statuses = []
            while "ACCEPTED" not in statuses:  # after a reconnect, the current state first
                message: Any = await watcher.next(wait=20)
                assert message["type"] == "next", message
                statuses.append(message["payload"]["data"]["eventUpdated"]["status"])
            assert set(statuses) <= {"ASSIGNED", "ACCEPTED"}, statuses


@pytest.mark.parametrize("refused", ["anonymous read", "report"])
async def test_no_free_connection_is_a_503_not_a_hang(
    pg_server, template_db, tmp_path, refused
) -> None:
    """Two requests hold the pool's only connections (waiting on a lock someone else
    holds); the third waits the pool's timeout and is told to come back, having written
    nothing."""
    url = await demo_copy(pg_server, template_db)
    lon, lat, _grid = (await inner_points(url, 1))[0]
    async with (
        live_app(
            url,
            tmp_path / "a",
            db_pool_size=1,
            db_pool_timeout_seconds=0.5,
            rate_limit_per_minute=0,
        ) as (base, app),
        httpx.AsyncClient(base_url=base, timeout=30) as http,
    ):
        client = Client(http=http, app=app, sql=StatementCounter())
        command = {"Authorization": f"Bearer {await client.login('command')}"}
        citizen = {"Authorization": f"Bearer {await client.login('citizen')}"}
        busy = {"query": "{ grids(first: 1) { totalCount } }"}
        engine = make_engine(url, Settings(database_url=url))
        async with engine.connect() as locker:
            tx = await locker.begin()
            await locker.execute(text("LOCK TABLE grid IN ACCESS EXCLUSIVE MODE"))
            held = [
                asyncio.create_task(http.post("/graphql", json=busy, headers=command))
                for _ in range(2)
            ]
            await eventually(lambda: app.state.gridgov.engine.pool.checkedout() == 2)
            if refused == "report":
                report = {"query": REPORT, "variables": {"input": report_input(lon, lat)}}
                assert_unavailable(await http.post("/graphql", json=report, headers=citizen))
            else:
                assert_unavailable(await http.post("/graphql", json=busy))
            await tx.rollback()
        await engine.dispose()
        for task in held:
            answer = (await task).json()
            assert answer["data"]["grids"]["totalCount"] > 0, answer
    assert await sql_scalar(url, "SELECT count(*) FROM event") == 0


async def test_a_slow_statement_times_out_and_writes_nothing(
    pg_server, template_db, tmp_path
) -> None:
    url = await demo_copy(pg_server, template_db)
    lon, lat, _grid = (await inner_points(url, 1))[0]
    async with (
        live_app(url, tmp_path / "a", statement_timeout_ms=300, rate_limit_per_minute=0) as (
            base,
            app,
        ),
        httpx.AsyncClient(base_url=base, timeout=30) as http,
    ):
        client = Client(http=http, app=app, sql=StatementCounter())
        await client.login("citizen")
        before = await sql_scalar(url, "SELECT count(*) FROM event")
        engine = make_engine(url, Settings(database_url=url))
        async with engine.connect() as locker:
            tx = await locker.begin()
            await locker.execute(text("LOCK TABLE grid IN ACCESS EXCLUSIVE MODE"))
            slow = await client.gql("{ grids(first: 1) { totalCount } }")
            report = await client.gql(REPORT, {"input": report_input(lon, lat)})
            await tx.rollback()
        await engine.dispose()
        for answer in (slow, report):
            error = answer["errors"][0]
            assert error["extensions"]["code"] == "TIMEOUT", answer
            assert "longer than the server allows" in error["message"]
        assert await sql_scalar(url, "SELECT count(*) FROM event") == before
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        assert await sql_scalar(url, waiting) == 0
        fast = await client.gql("{ grids(first: 1) { totalCount } }")
        assert fast["data"]["grids"]["totalCount"] > 0, fast


async def test_a_client_that_leaves_cancels_its_statement(demo_url, tmp_path) -> None:
    waiting = (
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND application_name = 'gridgov'"
    )
    async with (
        live_app(demo_url, tmp_path / "a", rate_limit_per_minute=0) as (base, app),
        httpx.AsyncClient(base_url=base, timeout=30) as http,
    ):
        engine = make_engine(demo_url, Settings(database_url=demo_url))
        async with engine.connect() as locker:
            tx = await locker.begin()
            await locker.execute(text("LOCK TABLE grid IN ACCESS EXCLUSIVE MODE"))
            query = {"query": "{ grids(first: 1) { totalCount } }"}
            with pytest.raises(httpx.ReadTimeout):  # the client gives up and disconnects
                await http.post("/graphql", json=query, timeout=1.0)
            seen = await locker.scalar(text(waiting))
            for _ in range(100):  # the server notices and the database cancels the statement
                if not seen:
                    break
                await asyncio.sleep(0.05)
                seen = await locker.scalar(text(waiting))
            assert seen == 0
            await tx.rollback()
        await engine.dispose()
        await eventually(lambda: app.state.gridgov.engine.pool.checkedout() == 0)
        answer = (await http.post("/graphql", json=query)).json()
        assert answer["data"]["grids"]["totalCount"] > 0, answer


@contextlib.contextmanager
def full_disk(folder: Path) -> Iterator[Path]:
    """A real file system of 64 KiB at ``folder``, filled up (needs root to mount)."""
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        filler = folder / "filler"
        with pytest.raises(OSError) as full, filler.open("wb") as fh:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
        assert full.value.errno == errno.ENOSPC
        yield filler
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


async def test_a_full_disk_keeps_no_event_and_no_file(pg_server, template_db, app_client, tmp_path):
    url = await demo_copy(pg_server, template_db)
    lon, lat, _ = (await inner_points(url, 1))[0]
    root = tmp_path / "uploads"
    with full_disk(root) as filler:
        async with app_client(url, upload_root=root) as client:
            await client.login("citizen")
            answer = await upload(
                client,
                REPORT,
                {"input": report_input(lon, lat)},
                [("photo.jpg", jpeg_with_gps(), "image/jpeg")],
            )
            error = answer["errors"][0]
            assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE", answer
            assert "No space left on device" in error["message"]
        assert files_under(root) == [filler]  # no partial file left behind
    assert await sql_scalar(url, "SELECT count(*) FROM event") == 0
    assert await sql_scalar(url, "SELECT count(*) FROM event_attachment") == 0
