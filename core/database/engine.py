"""Engine and session factory, and preparing the database a deployment points at."""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from core.database.cluster import PrivateCluster
from core.database.faults import refuse_connect_failures
from core.settings import Settings


def start_private_cluster(settings: Settings) -> PrivateCluster:
    """Start (initialising when needed) the private cluster under ``var/pgdata``."""
    cluster = PrivateCluster(settings.pgdata)
    cluster.start()
    return cluster


def database_url(settings: Settings) -> str:
    """The URL in use: the setting, or the private cluster's (started when needed)."""
    if settings.database_url:
        return settings.database_url
    return start_private_cluster(settings).url()


def _asyncpg_dsn(url: str, database: str | None = None) -> dict[str, object]:
    u = make_url(url)
    kwargs: dict[str, object] = {
        "user": u.username,
        "password": u.password,
        "database": database or u.database,
        "port": u.port,
    }
    host = u.query.get("host")
    kwargs["host"] = host if isinstance(host, str) else (u.host or None)
    return {k: v for k, v in kwargs.items() if v is not None}


async def create_database_if_missing(url: str) -> bool:
    """Create the URL's database when it does not exist (needs CREATEDB). True if created."""
    name = make_url(url).database
    if not name:
        raise ValueError("the database URL names no database")
    conn = await asyncpg.connect(**_asyncpg_dsn(url, database="postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        quoted = '"' + name.replace('"', '""') + '"'
        await conn.execute(f"CREATE DATABASE {quoted}")
        return True
    finally:
        await conn.close()


def _refuse_closed(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Pool checkout: a pooled connection the server has closed (restart, terminated backend,
    idle timeout) is replaced before use. asyncpg notices the server closing the socket as
    soon as the event loop reads it, so this costs no round trip; SQLAlchemy's
    ``pool_pre_ping`` would cost three (BEGIN, a ping, ROLLBACK) on every checkout."""
    if record.driver_connection.is_closed():
        raise exc.DisconnectionError("the pooled connection was closed by the server")


def make_engine(url: str, settings: Settings, *, serving: bool = False) -> AsyncEngine:
    """The engine of ``url``. ``serving``: the server's own, whose statements are limited
    to ``statement_timeout_ms``."""
    server_settings = {"application_name": "gridgov", "timezone": "UTC"}
    if serving and settings.statement_timeout_ms:
        server_settings["statement_timeout"] = str(settings.statement_timeout_ms)
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout_seconds,
        echo=settings.db_echo,
        connect_args={"server_settings": server_settings},
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed)
    event.listen(engine.sync_engine, "do_connect", refuse_connect_failures)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
