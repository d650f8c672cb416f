"""The ``gridgov`` command line: serve, db, user, demo, schema. Plugins add commands."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

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
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

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
            help="citizen, grid_worker, community_staff, township_staff, district_command, "
            "department_staff, admin, auditor"
        ),
    ],
    region: Annotated[str | None, typer.Option(help="Region code of staff accounts.")] = None,
    department: Annotated[str | None, typer.Option(help="Department code.")] = None,
    name: Annotated[str | None, typer.Option(help="Display name (default: username).")] = None,
    phone: Annotated[str | None, typer.Option(help="Phone number.")] = None,
    tenancy: Annotated[
        str | None,
        typer.Option(
            help="County, city or province code the account belongs to ('' = the whole "
            "deployment; default: the county of its region or department)."
        ),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Add an account. The password is read from standard input (never from arguments).

    Logged in the admin log (actor "cli")."""
    from core.services.account_admin import CLI, create_account_logged

    if not password_stdin:
        raise fail("pass --password-stdin and send the password on standard input")
    password = sys.stdin.readline().rstrip("\r\n")
    settings = _settings()

    async def work(session: AsyncSession, pm: pluggy.PluginManager) -> tuple[int, str]:
        account = await create_account_logged(
            session,
            CLI,
            username=username,
            name=name or username,
            password=password,
            role=role,
            region_code=region,
            department_code=department,
            phone=phone,
            tenancy=tenancy,
            min_password_length=settings.password_min_length,
            pm=pm,
        )
        return account.id, account.username

    account_id, stored = _in_transaction(settings, work)
    console.print(f"[green]added[/] {stored} (id {account_id}, role {role})")


T = TypeVar("T")


def _in_transaction(
    settings: Settings, work: Callable[[AsyncSession, pluggy.PluginManager], Awaitable[T]]
) -> T:
    """Run ``work`` in one transaction of the migrated database; a refusal is an error
    message and exit code 1 (nothing written)."""

    async def run() -> T:
        from core.database.engine import make_sessionmaker

        pm, engine = await _prepared(settings)
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                return await work(session, pm)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except (DomainError, ClusterError) as exc:
        raise fail(str(exc)) from None


def _when(moment: datetime | None, settings: Settings) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M")


@user_app.command("list")
def user_list(
    role: Annotated[str | None, typer.Option(help="Only this role.")] = None,
    region: Annotated[
        str | None,
        typer.Option(help="Only accounts of this region or grid code (and below it)."),
    ] = None,
    department: Annotated[str | None, typer.Option(help="Only this department.")] = None,
    search: Annotated[
        str | None, typer.Option(help="Part of the username or name (any case).")
    ] = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", help="Only active, or only disabled, accounts."),
    ] = None,
) -> None:
    """List accounts (all by default) as a table on standard output."""
    from rich.table import Table

    from core.codes.division import region_prefix
    from core.codes.errors import InvalidCode
    from core.errors import BadInput
    from core.models import Account
    from core.services.account_admin import list_accounts

    settings = _settings()

    async def work(session: AsyncSession, pm: pluggy.PluginManager) -> list[Any]:
        prefix = None
        if region is not None:
            try:
                prefix = region_prefix(region)
            except InvalidCode as exc:
                raise BadInput(str(exc), argument="region") from exc
        stmt = list_accounts(
            search=search,
            role=role,
            region_prefix=prefix,
            department_code=department,
            active=active,
        )
        return list((await session.execute(stmt.order_by(Account.id))).all())

    rows = _in_transaction(settings, work)
    table = Table(title=f"{len(rows)} accounts")
    for column in ("id", "username", "name", "role", "region", "department", "phone"):
        table.add_column(column, no_wrap=column in ("id", "username", "region"))
    for column in ("active", "last login", "sessions"):
        table.add_column(column, no_wrap=True)
    for r in rows:
        table.add_row(
            str(r.id),
            r.username,
            r.name,
            r.role,
            r.region_code or "-",
            r.department_code or "-",
            r.phone or "-",
            "yes" if r.is_active else "[red]disabled[/]",
            _when(r.last_login_at, settings),
            str(r.open_sessions),
        )
    out = Console(width=None if sys.stdout.isatty() else 250)
    out.print(table)


def _admin_change(username: str, change: Callable[[AsyncSession, int], Awaitable[T]]) -> T:
    """``change`` of the account named ``username``, as the command line (actor "cli")."""
    from core.services.account_admin import account_id_of

    async def work(session: AsyncSession, pm: pluggy.PluginManager) -> T:
        return await change(session, await account_id_of(session, username))

    return _in_transaction(_settings(), work)


@user_app.command("disable")
def user_disable(
    username: Annotated[str, typer.Argument(help="The account.")],
    reason: Annotated[str, typer.Option(help="Why (kept in the admin log).")],
) -> None:
    """Disable an account: it can no longer sign in, and its tokens stop working."""
    from core.services.account_admin import CLI, disable_account

    async def change(session: AsyncSession, account_id: int) -> None:
        await disable_account(session, CLI, account_id, reason)

    _admin_change(username, change)
    console.print(f"[green]disabled[/] {username.strip().lower()}")


@user_app.command("enable")
def user_enable(username: Annotated[str, typer.Argument(help="The account.")]) -> None:
    """Enable a disabled account."""
    from core.services.account_admin import CLI, enable_account

    async def change(session: AsyncSession, account_id: int) -> None:
        await enable_account(session, CLI, account_id)

    _admin_change(username, change)
    console.print(f"[green]enabled[/] {username.strip().lower()}")


@user_app.command("reset-password")
def user_reset_password(username: Annotated[str, typer.Argument(help="The account.")]) -> None:
    """Print a one-time password reset code for the account's owner (shown once).

    The owner sets a new password with it (setPasswordWithCode). Only its hash is kept.
    The account's sessions end and its password stops working at once."""
    from core.services.account_admin import CLI, ResetCode, reset_password

    settings = _settings()

    async def change(session: AsyncSession, account_id: int) -> ResetCode:
        return await reset_password(
            session, CLI, account_id, valid_seconds=settings.password_reset_seconds
        )

    reset = _admin_change(username, change)
    print(reset.code)
    console.print(
        f"reset code for {username.strip().lower()}, valid until "
        f"{_when(reset.expires_at, settings)} ({settings.timezone}); it is not shown again"
    )


@user_app.command("set")
def user_set(
    username: Annotated[str, typer.Argument(help="The account.")],
    role: Annotated[str | None, typer.Option(help="A new role.")] = None,
    region: Annotated[str | None, typer.Option(help="A new region code ('' clears it).")] = None,
    department: Annotated[
        str | None, typer.Option(help="A new department code ('' clears it).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="A new display name.")] = None,
    phone: Annotated[str | None, typer.Option(help="A new phone number ('' clears it).")] = None,
    tenancy: Annotated[
        str | None, typer.Option(help="A new tenancy ('' = the whole deployment).")
    ] = None,
) -> None:
    """Change an account's role, region, department, tenancy, name or phone.

    Options left out stay as they are. A new role, region or department ends the account's
    sessions."""
    from core.services.account_admin import CLI, KEEP, update_account

    async def change(session: AsyncSession, account_id: int) -> None:
        await update_account(
            session,
            CLI,
            account_id,
            name=KEEP if name is None else name,
            role=KEEP if role is None else role,
            region_code=KEEP if region is None else region,
            department_code=KEEP if department is None else department,
            phone=KEEP if phone is None else phone,
            tenancy=KEEP if tenancy is None else tenancy,
        )

    _admin_change(username, change)
    console.print(f"[green]updated[/] {username.strip().lower()}")


@user_app.command("end-sessions")
def user_end_sessions(username: Annotated[str, typer.Argument(help="The account.")]) -> None:
    """End every session of an account: its tokens stop working."""
    from core.services.account_admin import CLI, end_account_sessions

    async def change(session: AsyncSession, account_id: int) -> int:
        return await end_account_sessions(session, CLI, account_id)

    ended = _admin_change(username, change)
    console.print(f"[green]ended[/] {ended} session(s) of {username.strip().lower()}")


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


@schema_app.command("compiled")
def schema_compiled() -> None:
    """List, per compiled root field, the fields only resolvers answer (selecting one sends
    the query down the resolver path; docs/compiled-reads.md)."""
    from schema.build import build_schema
    from schema.compiled.coverage import resolver_fields

    settings = _settings()
    schema = build_schema(make_plugin_manager(settings), settings)
    for root, fields in resolver_fields(schema._schema).items():
        console.print(f"[bold]{root}[/]: {', '.join(fields) or '(none)'}")


def _register_subcommands() -> None:
    register_demo(demo_app, console, _settings, fail)
    register_grids(app, console, _settings, fail)


def main() -> None:
    _register_subcommands()
    settings = Settings()
    make_plugin_manager(settings).hook.gridgov_cli(app=app)
    app()
