"""``gridgov analytics refresh|rebuild``: bring the dashboard's summaries up to date."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import typer
from rich.console import Console


def _run(work: Callable[[Any, str], Awaitable[Any]]) -> Any:
    from core.database.engine import make_sessionmaker
    from core.database.prepare import prepare_database
    from core.plugins import make_plugin_manager
    from core.settings import Settings

    async def run() -> Any:
        settings = Settings()
        engine = await prepare_database(settings, make_plugin_manager(settings))
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                return await work(session, settings.timezone)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def register(app: typer.Typer) -> None:
    analytics = typer.Typer(help="The analytics plugin's summaries.", no_args_is_help=True)
    app.add_typer(analytics, name="analytics")
    console = Console()

    @analytics.command("refresh")
    def refresh_command() -> None:
        """Recompute the summaries of the regions whose records changed (the API does this
        before each dashboard read; this only warms them)."""
        from plugins.analytics.summaries import refresh

        cleared = _run(refresh)
        console.print(f"{cleared} stale region summaries recomputed")

    @analytics.command("rebuild")
    def rebuild_command() -> None:
        """Recompute every summary from all records (after a bulk import done with the
        triggers off, or to check them)."""
        from plugins.analytics.summaries import rebuild

        _run(rebuild)
        console.print("summaries rebuilt")
