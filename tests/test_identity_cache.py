"""Request actors kept between requests: no statement for a known token, and every change
to what an actor is built from — here or in another process — is seen."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from authz.identity_cache import IdentityCache
from core.actor import Actor
from tests.fixtures import fence, sql_execute

ME = "{ me { username role grid { code } } }"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_cache_rules() -> None:
    epoch: list[int | None] = [1]
    clock = Clock()
    cache = IdentityCache(lambda: epoch[0], ttl_seconds=60, size=2, clock=clock)
    a, b, c = (Actor(account_id=i) for i in (1, 2, 3))

    assert cache.put(1, a, cache.ticket()) and cache.get(1) is a
    racing = cache.ticket()
    cache.clear()  # a change arrived while account 2 was being read
    assert not cache.put(2, b, racing) and cache.get(2) is None and cache.get(1) is None

    assert cache.put(1, a, cache.ticket())
    clock.now += 61  # past the TTL
    assert cache.get(1) is None

    soon = datetime.now(UTC) + timedelta(seconds=5)  # a grant expires then
    assert cache.put(1, a, cache.ticket(), not_after=soon)
    clock.now += 6
    assert cache.get(1) is None

    assert cache.put(1, a, cache.ticket())
    epoch[0] = None  # the listener is down: nothing served, nothing kept
    assert cache.get(1) is None
    assert not cache.put(2, b, cache.ticket())
    epoch[0] = 2  # reconnected: what was kept before is not served
    assert cache.get(1) is None
    before = cache.ticket()
    epoch[0] = 3
    assert not cache.put(2, b, before)  # read across a reconnection

    for i, actor in ((1, a), (2, b), (3, c)):
        assert cache.put(i, actor, cache.ticket())
    assert len(cache) == 2 and cache.get(1) is None  # bounded, least recently used first

    off = IdentityCache(lambda: 1, ttl_seconds=0)
    assert not off.put(1, a, off.ticket())


async def test_known_token_costs_no_statement(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        await client.login("ts-511504100")
        await client.gql(ME)
        client.sql.reset()
        result = await client.gql("{ __typename }")
        assert result == {"data": {"__typename": "Query"}}
        assert client.sql.count == 0, client.sql.statements
        async with app_client(demo_url, identity_cache_seconds=0) as uncached:
            uncached.token = client.token
            await uncached.gql(ME)
            uncached.sql.reset()
            await uncached.gql("{ __typename }")
            assert uncached.sql.count == 1  # the account, every time


async def test_changes_from_elsewhere_reach_the_cache(demo_url, app_client) -> None:
    """A change made outside the server (CLI, psql, another process) drops cached actors
    once the notification arrives."""
    async with app_client(demo_url) as client:
        await client.login("ts-511504100")
        assert (await client.gql(ME))["data"]["me"]["role"] == "TOWNSHIP_STAFF"
        try:
            await sql_execute(
                demo_url, "UPDATE account SET is_active = false WHERE username = 'ts-511504100'"
            )
            await fence(client.app, demo_url)
            response = await client.http.post(
                "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {client.token}"}
            )
            assert response.status_code == 401
        finally:
            await sql_execute(
                demo_url, "UPDATE account SET is_active = true WHERE username = 'ts-511504100'"
            )
        await fence(client.app, demo_url)
        assert (await client.gql(ME))["data"]["me"]["username"] == "ts-511504100"
        # a column actors are not built from sends nothing
        cached = len(client.app.state.gridgov.identities)
        await sql_execute(
            demo_url, "UPDATE account SET last_login_at = now() WHERE username = 'admin'"
        )
        await fence(client.app, demo_url)
        assert len(client.app.state.gridgov.identities) == cached


async def test_this_process_sees_its_own_changes_at_once(
    pg_server, template_db, app_client
) -> None:
    """A worker assigned through this server is identified with the new grid on the very
    next request: the commit drops the cache, no notification is waited for."""
    from tests.test_cli import run_cli
    from tests.test_records import demo_copy

    url = await demo_copy(pg_server, template_db)
    run_cli(
        ["user", "add", "gw-new", "--role", "grid_worker", "--password-stdin"],
        url,
        stdin="a-good-password\n",
    )
    # the database's notifications off: only the commit's own mark can drop the cache
    await sql_execute(url, "ALTER TABLE grid DISABLE TRIGGER grid_identity")
    async with app_client(url) as client:
        admin = await client.login("admin")
        newcomer = await client.login("gw-new", "a-good-password")
        code = (await client.gql("{ grids(first: 1) { edges { node { code } } } }"))["data"][
            "grids"
        ]["edges"][0]["node"]["code"]
        former = await client.login(f"gw-{code}")
        assert (await client.gql(ME, token=newcomer))["data"]["me"]["grid"] is None
        assert (await client.gql(ME, token=former))["data"]["me"]["grid"] == {"code": code}
        assert len(client.app.state.gridgov.identities) >= 2
        done = await client.gql(
            "mutation($g: String!, $w: String!){ assignGridWorker(gridCode: $g, worker: $w)"
            "{ code } }",
            {"g": code, "w": "gw-new"},
            token=admin,
        )
        assert "errors" not in done, done
        # no fence: this process's commit dropped the cached actors
        assert (await client.gql(ME, token=newcomer))["data"]["me"]["grid"] == {"code": code}
        assert (await client.gql(ME, token=former))["data"]["me"]["grid"] is None
        mine = "{ persons(first: 1) { totalCount } }"
        assert (await client.gql(mine, token=newcomer))["data"]["persons"]["totalCount"] > 0


async def test_listener_down_means_no_cache(demo_url, app_client) -> None:
    """While the listener is reconnecting nothing is served from the cache, and what was
    kept before the loss is never served again."""
    async with app_client(demo_url) as client:
        await client.login("ts-511504100")
        await client.gql(ME)
        broker = client.app.state.gridgov.broker
        epoch, pid = broker.epoch, broker.server_pid
        assert len(client.app.state.gridgov.identities) == 1
        await sql_execute(demo_url, f"SELECT pg_terminate_backend({pid})")
        for _ in range(200):
            before = broker.epoch
            if before not in (None, epoch):
                break
            client.sql.reset()
            await client.gql("{ __typename }")
            if before is None and broker.epoch is None:
                assert client.sql.count == 1  # identified from the database
            await asyncio.sleep(0.01)
        assert broker.epoch not in (None, epoch)
        client.sql.reset()
        await client.gql("{ __typename }")
        assert client.sql.count == 1  # the entry of the old connection is not served
        client.sql.reset()
        await client.gql("{ __typename }")
        assert client.sql.count == 0
