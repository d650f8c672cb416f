"""The request context: one session at a time, and none once the request has ended."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.actor import ANONYMOUS
from core.database.engine import make_engine, make_sessionmaker
from core.settings import Settings
from schema.context import Context, RequestFinished


async def test_a_finished_request_opens_no_session(db_url: str) -> None:
    settings = Settings(database_url=db_url)
    engine = make_engine(db_url, settings)
    try:
        ctx = Context(
            request=None,
            settings=settings,
            sessionmaker=make_sessionmaker(engine),
            actor=ANONYMOUS,
            plugin_manager=None,
        )
        assert await ctx.scalar(text("SELECT 1")) == 1
        await ctx.close()
        assert engine.sync_engine.pool.checkedout() == 0
        # a task that outlives its request (a DataLoader's batch) gets an error, and no
        # connection that nobody would give back
        with pytest.raises(RequestFinished):
            await ctx.execute(text("SELECT 1"))
        assert engine.sync_engine.pool.checkedout() == 0
    finally:
        await engine.dispose()
