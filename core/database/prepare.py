"""Make the configured database ready: cluster started, database created, schema migrated."""

from __future__ import annotations

import asyncio

import pluggy
from sqlalchemy.ext.asyncio import AsyncEngine

from core.database.audit_partitions import ensure_audit_partitions
from core.database.engine import (
    create_database_if_missing,
    database_url,
    make_engine,
)
from core.database.migrate import upgrade
from core.plugins import check_models
from core.settings import Settings


async def prepare_database(settings: Settings, pm: pluggy.PluginManager) -> AsyncEngine:
    """An engine on a migrated database (private cluster started and created when unset)."""
    url = await asyncio.to_thread(database_url, settings)
    if not settings.database_url:
        await create_database_if_missing(url)
    engine = make_engine(url, settings)
    check_models(pm)
    await upgrade(engine, pm)
    async with engine.begin() as conn:
        await ensure_audit_partitions(conn)
    return engine
