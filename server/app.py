"""The Starlette application factory. Each call builds its own plugin manager and schema."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

import asyncpg
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute

from authz.engine import AuthzEngine
from authz.identity_cache import TOPIC, IdentityCache
from authz.rules import with_plugin_rules
from core.auth import TokenVerifier
from core.categories import category_tree
from core.database.audit_partitions import ensure_audit_partitions
from core.database.engine import _asyncpg_dsn, database_url, make_engine, make_sessionmaker
from core.database.faults import RETRY_AFTER_SECONDS, FaultLog
from core.plugins import call_async, check_models, make_plugin_manager
from core.pubsub import Broker
from core.ratelimit import RateLimiter
from core.runtime import Runtime
from core.settings import Settings
from core.storage import DiskStorage
from schema.build import build_schema
from schema.compiled.cache import StatementCache
from schema.compiled.coverage import resolver_fields
from schema.files import file_routes
from schema.graphiql import STATIC_PATH, GraphiQLAssets
from schema.http import GraphQLEndpoint, GraphQLView
from schema.lean.documents import PreparedDocuments
from schema.lean.handler import LeanPath
from schema.lean.persisted import PersistedQueries
from schema.limits import validation_rules
from schema.live_sessions import TOPIC as SESSION_TOPIC
from schema.maps import tile_layers, tile_routes
from schema.state import AppState, state_of
from schema.uploads import file_key_columns
from server.pages import page_routes

log = logging.getLogger("gridgov.server")


def create_app(settings: Settings | None = None, plugins: Iterable[Any] = ()) -> Starlette:
    """A new app: plugin manager, composed schema, routes; the engine opens at start-up."""
    settings = settings or Settings()
    pm = make_plugin_manager(settings, plugins)
    check_models(pm)
    schema = build_schema(pm, settings)
    if settings.compiled_reads:
        for root, fields in resolver_fields(schema._schema).items():
            log.info("compiled reads of %s: resolvers answer %s", root, ", ".join(fields))
    plugin_rules = [row for rows in pm.hook.gridgov_role_rules() for row in rows or ()]
    authz = AuthzEngine(category_tree(pm), with_plugin_rules(plugin_rules))
    view = GraphQLView(
        schema,
        production=settings.production,
        graphql_ide=None if settings.production else "graphiql",
        allow_queries_via_get=True,
        multipart_uploads_enabled=True,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state = state_of(app)
        url = await asyncio.to_thread(database_url, settings)
        engine = make_engine(url, settings, serving=True)
        async with engine.begin() as conn:
            await ensure_audit_partitions(conn)
        dsn = _asyncpg_dsn(url)
        broker = Broker(
            lambda: asyncpg.connect(**dsn, server_settings={"application_name": "gridgov-pubsub"})
        )
        identities = IdentityCache(lambda: broker.epoch, settings.identity_cache_seconds)
        broker.watch(TOPIC, identities.clear)
        broker.watch(SESSION_TOPIC, state.live_sessions.ended)
        await broker.start()
        runtime = Runtime(
            settings=settings,
            engine=engine,
            sessionmaker=make_sessionmaker(engine),
            # the same pool; a connection checked out through it runs each statement on its own
            read_sessionmaker=make_sessionmaker(
                engine.execution_options(isolation_level="AUTOCOMMIT")
            ),
            broker=broker,
            plugins=pm,
        )
        state.started, state.identities = runtime, identities
        try:
            await call_async(pm.hook.gridgov_startup, runtime=runtime)
            # What start-up built (schema, plugins, caches) lives as long as the app: keep
            # it out of the garbage collector's full scans, which otherwise pause requests.
            gc.freeze()
            yield
        finally:
            await call_async(pm.hook.gridgov_shutdown, runtime=runtime)
            await broker.stop()
            await engine.dispose()

    async def healthz(request: Request) -> JSONResponse:
        """200 when the database answers and live updates are listening; else 503 with
        Retry-After (it recovers by itself: both reconnect on their own)."""
        state = state_of(request.app)
        database = "ok"
        try:
            async with asyncio.timeout(settings.db_pool_timeout_seconds):
                async with state.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        except Exception as exc:
            database = f"unavailable ({type(exc).__name__})"
        pubsub = "ok" if state.broker.listening else "reconnecting"
        body = {"status": "ok", "database": database, "pubsub": pubsub}
        if database == "ok" and pubsub == "ok":
            return JSONResponse(body)
        body["status"] = "unavailable"
        return JSONResponse(body, 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    lean = None
    if settings.lean_requests:
        lean = LeanPath(
            schema,
            view,
            PreparedDocuments(schema._schema, validation_rules(settings), settings.max_tokens),
            PersistedQueries(settings.persisted_queries),
            max_cost=settings.max_query_cost,
            production=settings.production,
        )
    endpoint = GraphQLEndpoint(view, pm, lean)
    routes: list[Any] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/graphql", endpoint),
        WebSocketRoute("/graphql", endpoint),
    ]
    if not settings.production:  # GraphiQL's own scripts and styles (no CDN)
        routes.append(Mount(STATIC_PATH, GraphiQLAssets(), name="graphiql-static"))
    routes.extend(tile_routes(tile_layers(pm)))  # /tiles: the core's and plugins' layers
    routes.extend(file_routes())  # /files: photos and videos, to whoever may see them
    routes.extend(page_routes())  # /console, /report and the files they load
    for extra in pm.hook.gridgov_routes():
        routes.extend(extra or ())
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.gridgov = AppState(
        settings=settings,
        plugin_manager=pm,
        schema=schema,
        authz=authz,
        file_key_columns=file_key_columns(pm),
        compiled_statements=StatementCache(),
        storage=DiskStorage(settings.uploads, settings.upload_max_bytes),
        rate_limiter=RateLimiter(settings.rate_limit_per_minute),
        faults=FaultLog(),
        tokens=TokenVerifier(settings.signing_key),
    )
    return app
