"""How a request uses the database: reads without a transaction (no BEGIN/ROLLBACK round
trips), a mutation in one transaction."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event

GRIDS = "{ grids(first: 3) { edges { node { code worker { name } events(first: 2) { id } } } } }"


def log_round_trips(app: Any) -> list[str]:
    """The simple queries sent on the app's pooled connections: BEGIN, COMMIT, ROLLBACK and
    asyncpg's own (prepared statements are not logged by asyncpg)."""
    seen: list[str] = []
    logged: set[int] = set()

    def on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        conn = record.driver_connection
        if id(conn) not in logged:
            logged.add(id(conn))
            conn.add_query_logger(lambda record: seen.append(record.query.strip().upper()))

    event.listen(app.state.gridgov.engine.sync_engine, "checkout", on_checkout)
    return seen


async def test_reads_run_without_a_transaction(demo_url, app_client) -> None:
    async with app_client(demo_url, identity_cache_seconds=0) as client:
        await client.login("command")
        await client.gql(GRIDS)  # the grants are loaded once
        sent = log_round_trips(client.app)
        client.sql.reset()
        result = await client.gql(GRIDS)
        assert "errors" not in result and len(result["data"]["grids"]["edges"]) == 3
        assert client.sql.count == 2  # the account, the compiled page
        await asyncio.sleep(0.05)  # asyncpg calls query loggers soon after, not at once
        assert not any(q.startswith(("BEGIN", "ROLLBACK", "COMMIT")) for q in sent), sent


async def test_a_mutation_commits_once(pg_server, template_db, app_client) -> None:
    from tests.test_records import demo_copy

    url = await demo_copy(pg_server, template_db)  # the shared demo must not change
    async with app_client(url, identity_cache_seconds=0) as client:
        await client.login("citizen")
        sent = log_round_trips(client.app)
        result = await client.gql(
            """mutation($i: ReportEventInput!) { reportEvent(input: $i) {
                 created event { id status } } }""",
            {
                "i": {
                    "categoryCode": "city.sanitation",
                    "title": "垃圾",
                    "description": "堆积",
                    "location": {"lon": 104.55, "lat": 28.78},
                    "idempotencyKey": "sessions-test-1",
                }
            },
        )
        assert result["data"]["reportEvent"]["created"], result
        await asyncio.sleep(0.05)
        assert [q for q in sent if q.startswith("COMMIT")] == ["COMMIT;"], sent
