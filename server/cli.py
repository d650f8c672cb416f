"""The ``gridgov`` command line: serve, db, user, demo, schema. Plugins add commands."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from core.database.cluster import ClusterError, PrivateCluster
from core.demo.cli import register as register_demo
from core.errors import DomainError
from core.plugins import make_plugin_manager
from core.settings import Settings
from server.grids_cli import register as register_grids

if TYPE_CHECKING:
    import pluggy
    from sqlalchemy.ext.asyncio import AsyncEngine

console = Console(stderr=True)
app = typer.Typer(help="gridgov: grid-based social governance platform.", no_args_is_help=True)
db_app = typer.Typer(help="The database: private cluster and migrations.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts.", no_args_is_help=True)
demo_app = typer.Typer(help="The Xuzhou reference deployment.", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(demo_app, name="demo")
app.add_typer(schema_app, name="schema")


def fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


def _settings() -> Settings:
    return Settings()


async def _prepared(settings: Settings) -> tuple[pluggy.PluginManager, AsyncEngine]:
    from core.database.prepare import prepare_database

    pm = make_plugin_manager(settings)
    return pm, await prepare_database(settings, pm)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database when needed and migrate it (core and every enabled plugin)."""
    settings = _settings()

    async def run() -> None:
        _, engine = await _prepared(settings)
        await engine.dispose()

    try:
        asyncio.run(run())
    except ClusterError as exc:
        raise fail(str(exc)) from None
    console.print("[green]database is up to date[/]")


@db_app.command("start")
def db_start() -> None:
    """Start the private cluster under var/pgdata (initialised on first use)."""
    try:
        cluster = PrivateCluster(_settings().pgdata)
        cluster.start()
    except ClusterError as exc:
        raise fail(str(exc)) from None
    console.print(f"[green]running[/] {cluster.url()}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the private cluster."""
    try:
        PrivateCluster(_settings().pgdata).stop()
    except ClusterError as exc:
        raise fail(str(exc)) from None
    console.print("stopped")


@db_app.command("url")
def db_url() -> None:
    """Print the database URL in use (starting the private cluster when needed)."""
    from core.database.engine import database_url

    try:
        print(database_url(_settings()))
    except ClusterError as exc:
        raise fail(str(exc)) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
) -> None:
    """Migrate the database and serve the API (GraphiQL at /graphql outside production)."""
    import uvicorn

    settings = _settings()

    async def migrate() -> None:
        _, engine = await _prepared(settings)
        await engine.dispose()

    try:
        asyncio.run(migrate())
    except ClusterError as exc:
        raise fail(str(exc)) from None
    console.print(f"serving on [bold]http://{host}:{port}/graphql[/]")
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name (lowercase).")],
    role: Annotated[
        str,
        typer.Option(
            help="citizen, grid_worker, community_staff, "
            "township_staff, district_command, department_staff, admin"
        ),
    ],
    region: Annotated[str | None, typer.Option(help="Region code of staff accounts.")] = None,
    department: Annotated[str | None, typer.Option(help="Department code.")] = None,
    name: Annotated[str | None, typer.Option(help="Display name (default: username).")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Add an account. The password is read from standard input (never from arguments)."""
    from core.services.accounts import create_account

    if not password_stdin:
        raise fail("pass --password-stdin and send the password on standard input")
    password = sys.stdin.readline().rstrip("\r\n")
    settings = _settings()

    async def run() -> tuple[int, str]:
        pm, engine = await _prepared(settings)
        from core.database.engine import make_sessionmaker

        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                account = await create_account(
                    session,
                    username=username,
                    name=name or username,
                    password=password,
                    role=role,
                    region_code=region,
                    department_code=department,
                    pm=pm,
                )
                return account.id, account.username
        finally:
            await engine.dispose()

    try:
        account_id, stored = asyncio.run(run())
    except (DomainError, ClusterError) as exc:
        raise fail(str(exc)) from None
    console.print(f"[green]added[/] {stored} (id {account_id}, role {role})")


@schema_app.command("export")
def schema_export(
    output: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
) -> None:
    """Print the composed GraphQL schema (SDL) of the enabled plugins."""
    # imported when used: loading the GraphQL layer costs every command a second
    from schema.build import build_schema

    settings = _settings()
    schema = build_schema(make_plugin_manager(settings), settings)
    sdl = schema.as_str() + "\n"
    if output is None:
        sys.stdout.write(sdl)
    else:
        output.write_text(sdl, encoding="utf-8")


def _register_subcommands() -> None:
    register_demo(demo_app, console, _settings, fail)
    register_grids(app, console, _settings, fail)


def main() -> None:
    _register_subcommands()
    settings = Settings()
    make_plugin_manager(settings).hook.gridgov_cli(app=app)
    app()
