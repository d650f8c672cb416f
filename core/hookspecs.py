"""The hooks a gridgov plugin may implement.

Each hook is an empty function whose docstring says when it is called. pluggy has no
async: a hook marked *may return an awaitable* is called through ``core.plugins.call_async``
which awaits whatever awaitables the implementations return. No hook is ``firstresult``.
Implement a hook with ``@core.plugins.hookimpl`` and a function of the same name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.routing import BaseRoute

    from core.actor import Actor
    from core.analysis import AnalysisModule, AssessmentIndicator, PanelPart
    from core.categories import DataCategory
    from core.demo.context import DemoContext
    from core.maps import TileLayer
    from core.models import Event
    from core.runtime import Runtime

hookspec = pluggy.HookspecMarker("gridgov")


@hookspec
def gridgov_migration_dirs() -> Iterable[Path] | None:
    """Called when Alembic is configured (``gridgov db upgrade``, tests): folders of this
    plugin's migration scripts: a branch whose first revision ``depends_on`` the core
    revision whose tables it needs (attendance's depends on ``0006``)."""


@hookspec
def gridgov_models() -> Iterable[type] | None:
    """Called once when an app or CLI is built: the SQLAlchemy model classes the plugin adds.
    Each must be a mapped subclass of ``core.models.Base`` (checked; start-up fails
    otherwise), so the shared metadata and Alembic see its tables."""


@hookspec
def gridgov_data_categories() -> Iterable[DataCategory] | None:
    """Called when the data-category tree is built at start-up: categories this plugin adds
    for authorization and masking; a category's parent is the one it names (a ``:`` in a
    name makes no parent by itself)."""


@hookspec
def gridgov_role_rules() -> Iterable[tuple[str, str, str, str]] | None:
    """Called when an app's authorization engine is built: default rules this plugin adds,
    as ``(role, category, action, scope)`` with scope ``own`` or ``all`` (e.g. community
    staff read ``attendance`` in their own area). Department grants stay per deployment."""


@hookspec
def gridgov_file_key_columns() -> Iterable[tuple[str, str]] | None:
    """Called once by ``create_app``: ``(table, column)`` pairs of this plugin's tables that
    hold attachment storage keys, so a failed upload never deletes a file they still use."""


@hookspec
def gridgov_file_readable(
    session: AsyncSession, actor: Actor, key: str
) -> Awaitable[bool] | bool | None:
    """Called by ``/files/<key>`` when the core's records (event attachments) do not let
    ``actor`` read the stored file ``key``: True if a record of this plugin holding ``key``
    is one ``actor`` may see (may return an awaitable). Any True serves the file."""


@hookspec
def gridgov_graphql_type_parts() -> Mapping[str, Iterable[type]] | None:
    """Called once by ``build_schema``: Strawberry mixin types to merge into core types, by
    GraphQL type name (e.g. ``{"GridWorker": [GridWorkerAttendance]}``). A field clash fails
    start-up."""


@hookspec
def gridgov_graphql_query() -> type | None:
    """Called once by ``build_schema``: a Strawberry type whose fields join the root Query."""


@hookspec
def gridgov_graphql_mutation() -> type | None:
    """Called once by ``build_schema``: a Strawberry type whose fields join the root Mutation."""


@hookspec
def gridgov_graphql_subscription() -> type | None:
    """Called once by ``build_schema``: a Strawberry type whose fields join the Subscription."""


@hookspec
def gridgov_routes() -> Iterable[BaseRoute] | None:
    """Called once by ``create_app``: extra Starlette routes (downloads, webhooks, tiles)."""


@hookspec
def gridgov_cli(app: typer.Typer) -> None:
    """Called when the ``gridgov`` command line is built: add sub-commands to ``app``."""


@hookspec
def gridgov_startup(runtime: Runtime) -> Awaitable[None] | None:
    """Called when the app starts serving (its lifespan), once the engine is made and live
    updates listen (``gridgov serve`` has migrated the database before): ``runtime``
    holds the settings, engine, session makers, broker and the plugins' typed state. May
    return an awaitable."""


@hookspec
def gridgov_shutdown(runtime: Runtime) -> Awaitable[None] | None:
    """Called when the app stops, before the broker and the database engine are closed; also
    when start-up failed part-way (a plugin's startup may not have run). May return an
    awaitable."""


@hookspec
def gridgov_event_transition(
    session: AsyncSession, event: Event, transition: str, actor: Actor
) -> Awaitable[None] | None:
    """Called inside the transaction of every event workflow step, after the step is
    recorded; an exception rolls the step back. May return an awaitable."""


@hookspec
def gridgov_entity_changed(
    session: AsyncSession, kind: str, entity: Any, change: str, actor: Actor | None
) -> Awaitable[None] | None:
    """Called inside the transaction in which a core service creates a record (``kind``:
    ``person``, ``place``, ``thing``, ``organization``, ``account``; ``change``:
    ``created``; ``actor`` is None for the command line). May return an awaitable."""


@hookspec
def gridgov_demo_load(session: AsyncSession, demo: DemoContext) -> Awaitable[None] | None:
    """Called by ``gridgov demo load`` after the core demo data is written, in its
    transaction: add this plugin's demo data. May return an awaitable."""


@hookspec
def gridgov_dashboard_panels() -> Iterable[PanelPart] | None:
    """Called once when the analytics plugin builds its registry (app start-up): parts of
    the big-data dashboard's panels; parts with one panel key make one panel."""


@hookspec
def gridgov_analysis_modules() -> Iterable[AnalysisModule] | None:
    """Called once when the analytics plugin builds its registry (app start-up): analysis
    modules (a list, a trend and a report over records); a key taken twice fails start-up."""


@hookspec
def gridgov_assessment_indicators() -> Iterable[AssessmentIndicator] | None:
    """Called once when the analytics plugin builds its registry (app start-up): measures
    of a grid worker's month that the assessment tables weigh."""


@hookspec
def gridgov_tile_layers() -> Iterable[TileLayer] | None:
    """Called once when the app is built: map layers served as vector tiles at
    ``/tiles/<key>/{z}/{x}/{y}.mvt`` (types in ``core.maps``); a key taken twice, or one of
    the core's layers, fails start-up."""
