"""The speed limit for Python: the nested grid list answered by ONE hand-written SQL
statement (json_agg) behind a bare Starlette route — no GraphQL, no authorization. It
answers what the API answers: an event's status as its GraphQL enum name."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.database.engine import _asyncpg_dsn

NESTED = """
SELECT json_build_object('data', json_build_object('grids', json_build_object('edges',
  coalesce(json_agg(json_build_object('node', json_build_object(
    'code', g.code,
    'worker', json_build_object('name', a.name),
    'events', coalesce((SELECT json_agg(json_build_object('id', e.id::text,
                                                          'status', upper(e.status))
                                        ORDER BY e.id DESC)
                        FROM (SELECT id, status FROM event WHERE grid_id = g.id
                              ORDER BY id DESC LIMIT 10) e), '[]'::json)
  )) ORDER BY g.code), '[]'::json))))::text
FROM (SELECT * FROM grid WHERE valid_to IS NULL ORDER BY code LIMIT $1) g
LEFT JOIN account a ON a.id = g.worker_id
"""


def make_app() -> Starlette:
    pool: dict[str, asyncpg.Pool] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        dsn = _asyncpg_dsn(os.environ["GRIDGOV_DATABASE_URL"])
        pool["p"] = await asyncpg.create_pool(**dsn, min_size=2, max_size=10)
        try:
            yield
        finally:
            await pool["p"].close()

    async def nested(request: Request) -> Response:
        first = int(request.query_params.get("first", "100"))
        async with pool["p"].acquire() as conn:
            body = await conn.fetchval(NESTED, first)
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/nested", nested)], lifespan=lifespan)


app = make_app()
