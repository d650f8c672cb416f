"""Alembic, configured in code: the core's migrations plus every enabled plugin's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pluggy
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from core.database.distribute import distribute

CORE_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(pm: pluggy.PluginManager | None = None) -> Config:
    """An Alembic config whose version locations are the core's and the plugins'."""
    cfg = Config()
    cfg.set_main_option("script_location", str(CORE_MIGRATIONS))
    locations = [str(CORE_MIGRATIONS / "versions")]
    if pm is not None:
        for dirs in pm.hook.gridgov_migration_dirs():
            for d in dirs or ():
                locations.append(str(Path(d).resolve()))
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    return cfg


def _run(connection: Connection, cfg: Config, fn: Any, *args: Any) -> None:
    cfg.attributes["connection"] = connection
    fn(cfg, *args)


async def upgrade(
    engine: AsyncEngine, pm: pluggy.PluginManager | None, target: str = "heads"
) -> None:
    """Bring the schema to ``target`` (all heads: core and every enabled plugin); on
    Citus, then distribute what is new (core.database.distribute)."""
    cfg = alembic_config(pm)
    async with engine.begin() as conn:
        await conn.run_sync(_run, cfg, command.upgrade, target)
    async with engine.begin() as conn:
        await distribute(conn)


async def current_heads(engine: AsyncEngine) -> set[str]:
    def _heads(conn: Connection) -> set[str]:
        return set(MigrationContext.configure(conn).get_current_heads())

    async with engine.connect() as conn:
        return await conn.run_sync(_heads)
