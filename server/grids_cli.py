"""``gridgov grids import FILE`` and ``gridgov grids export``."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from core.database.cluster import ClusterError
from core.errors import DomainError
from core.settings import Settings


def register(
    app: typer.Typer,
    console: Console,
    settings_of: Callable[[], Settings],
    fail: Callable[[str], typer.Exit],
) -> None:
    grids_app = typer.Typer(help="Grids: import, redraw, export.", no_args_is_help=True)
    app.add_typer(grids_app, name="grids")

    async def with_session(work: Callable[[Any], Any]) -> Any:
        from core.database.engine import make_sessionmaker
        from core.database.prepare import prepare_database
        from core.plugins import make_plugin_manager

        settings = settings_of()
        engine = await prepare_database(settings, make_plugin_manager(settings))
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    @grids_app.command("import")
    def grids_import(
        file: Annotated[
            Path, typer.Argument(exists=True, dir_okay=False, help="GeoJSON FeatureCollection")
        ],
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Validate and report only.")
        ] = False,
    ) -> None:
        """Import or redraw grids (properties: code, name, kind, specialType). Every feature
        is validated first; one bad feature and nothing changes."""
        from core.services.grids import GridImportError, import_grids

        try:
            collection = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise fail(f"{file} is not readable JSON: {exc}") from None

        async def work(session: Any) -> Any:
            report = await import_grids(session, collection, dry_run=dry_run)
            if dry_run:
                await session.rollback()
            return report

        try:
            report = asyncio.run(with_session(work))
        except GridImportError as exc:
            console.print("[bold red]refused, nothing changed:[/]")
            for p in exc.problems:
                console.print(f"  feature {p.index} {p.code or ''}: {p.message}")
            raise typer.Exit(code=1) from None
        except (DomainError, ClusterError) as exc:
            raise fail(str(exc)) from None
        verb = "would change" if dry_run else "changed"
        console.print(
            f"{verb}: {len(report.created)} created, {len(report.redrawn)} redrawn, "
            f"{len(report.unchanged)} unchanged; {report.reassigned} records "
            "re-assigned"
        )
        for gap in report.gaps:
            console.print(
                f"[yellow]gap:[/] community {gap.community_code}: "
                f"{gap.area_m2} m² covered by no grid"
            )

    @grids_app.command("export")
    def grids_export(
        region: Annotated[str | None, typer.Option(help="Region or grid code prefix.")] = None,
        output: Annotated[Path | None, typer.Option(help="File (default: stdout).")] = None,
    ) -> None:
        """Write the current grids as a GeoJSON FeatureCollection."""
        from core.codes.division import region_prefix
        from core.codes.errors import InvalidCode
        from core.services.grids import export_grids

        try:
            prefix = region_prefix(region) if region else ""
        except InvalidCode as exc:
            raise fail(str(exc)) from None
        try:
            collection = asyncio.run(with_session(lambda s: export_grids(s, prefix)))
        except (DomainError, ClusterError) as exc:
            raise fail(str(exc)) from None
        text = json.dumps(collection, ensure_ascii=False)
        if output is None:
            sys.stdout.write(text + "\n")
        else:
            output.write_text(text, encoding="utf-8")
            console.print(f"{len(collection['features'])} grids written to {output}")
