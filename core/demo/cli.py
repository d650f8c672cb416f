"""``gridgov demo load``: command-line front of ``core.demo.load``."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.database.cluster import ClusterError
from core.errors import DomainError
from core.settings import Settings


def demo_password(settings: Settings, console: Console) -> str:
    """``GRIDGOV_DEMO_PASSWORD``, or one generated once and kept in var/demo-password."""
    password = os.environ.get("GRIDGOV_DEMO_PASSWORD")
    if password:
        return password
    path = settings.var_dir / "demo-password"
    if path.exists():
        return path.read_text().strip()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n")
    path.chmod(0o600)
    console.print(f"GRIDGOV_DEMO_PASSWORD is unset: demo password written to {path}")
    return password


def register(
    demo_app: typer.Typer,
    console: Console,
    settings_of: Callable[[], Settings],
    fail: Callable[[str], typer.Exit],
) -> None:
    @demo_app.command("load")
    def load(
        persons: Annotated[
            int, typer.Option(min=0, max=5_000_000, help="Residents to generate.")
        ] = 20_000,
        seed: Annotated[int, typer.Option(help="Seed: the same seed, the same data.")] = 1,
        if_empty: Annotated[
            bool, typer.Option("--if-empty", help="Do nothing when data is present.")
        ] = False,
        replace: Annotated[bool, typer.Option("--replace", help="Delete all data first.")] = False,
        events: Annotated[
            int | None,
            typer.Option(
                min=0,
                max=1_000_000,
                help="Events in the year of history (0: none).",
                show_default="30000",
            ),
        ] = None,
        today: Annotated[
            str | None,
            typer.Option(
                help="The demo's day (YYYY-MM-DD); the history runs up to it.",
                show_default="today in GRIDGOV_TIMEZONE",
            ),
        ] = None,
        counties: Annotated[
            int,
            typer.Option(
                min=0,
                max=9,
                help="Further synthetic counties beside Xuzhou (Yibin's other county codes, "
                "Xuzhou's outline moved east), each with --persons residents and --events "
                "events; adds the city command centre command-5115.",
            ),
        ] = 0,
        county_grids: Annotated[
            int | None,
            typer.Option(
                min=20,
                max=579,
                help="Grids of each further county.",
                show_default="579, as Xuzhou",
            ),
        ] = None,
    ) -> None:
        """Build the Xuzhou reference deployment: the real boundary, 579 synthetic grids
        (282 urban, 297 rural), workers, departments, residents and more. Demo accounts
        (admin, command, citizen, gw-<grid code>, ts-…, cs-…, ds-…) share the password
        GRIDGOV_DEMO_PASSWORD. A year of event history (30,000 events by default) runs up to
        --today. --counties adds synthetic neighbours, each with its own admin-<code>,
        command-<code>, staff and workers."""
        from core.database.engine import make_sessionmaker
        from core.database.prepare import prepare_database
        from core.demo.load import clear_data, demo_present, load_demo
        from core.plugins import make_plugin_manager

        settings = settings_of()
        try:
            day = (
                date.fromisoformat(today)
                if today
                else datetime.now(ZoneInfo(settings.timezone)).date()
            )
        except ValueError:
            raise fail(f"--today must be a date like 2026-06-30, not {today!r}") from None
        password = demo_password(settings, console)
        if len(password) < 8:
            raise fail("GRIDGOV_DEMO_PASSWORD must have at least 8 characters")

        async def run() -> Any:
            pm = make_plugin_manager(settings)
            engine = await prepare_database(settings, pm)
            try:
                async with make_sessionmaker(engine)() as session, session.begin():
                    if await demo_present(session):
                        if if_empty:
                            return None
                        if replace:
                            await clear_data(session)
                    with Progress(
                        TextColumn("{task.description:<14}"),
                        BarColumn(),
                        MofNCompleteColumn(),
                        TimeElapsedColumn(),
                        console=console,
                    ) as progress:
                        return await load_demo(
                            session,
                            persons=persons,
                            seed=seed,
                            password=password,
                            pm=pm,
                            progress=progress,
                            today=day,
                            events=events,
                            counties=counties,
                            county_grids=county_grids,
                        )
            finally:
                await engine.dispose()

        try:
            summary = asyncio.run(run())
        except (DomainError, ClusterError) as exc:
            raise fail(str(exc)) from None
        if summary is None:
            console.print("demo data already present; nothing to do")
            return
        console.print(f"[green]loaded[/] {summary}")
