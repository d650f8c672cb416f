"""Early warning (风险预警): spatio-temporal clusters of open reports, found as events arrive.

A built-in plugin working through hooks only: its tables and migration branch, the
detection run in every report's transaction (``gridgov_event_transition``), its GraphQL
fields and subscription, and the ``warnings`` map layer. See ``docs/early-warning.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.maps import TileLayer
    from core.models import Event


@hookimpl
def gridgov_migration_dirs() -> list[Path]:
    return [Path(__file__).parent / "migrations"]


@hookimpl
def gridgov_models() -> list[type]:
    from plugins.early_warning.models import EarlyWarning, WarningMember, WarningRule

    return [WarningRule, EarlyWarning, WarningMember]


@hookimpl
async def gridgov_event_transition(session: AsyncSession, event: Event, transition: str) -> None:
    """A report may raise or join a warning; a closed event may close its warning."""
    from plugins.early_warning.detect import on_close, on_report

    if transition == "report":
        await on_report(session, event.id, event.category_code)
    elif event.status == "closed":
        await on_close(session, event.id, event.category_code)


@hookimpl
def gridgov_graphql_query() -> Any:
    from plugins.early_warning.graphql import WarningQueries

    return WarningQueries


@hookimpl
def gridgov_graphql_mutation() -> Any:
    from plugins.early_warning.graphql import WarningMutations

    return WarningMutations


@hookimpl
def gridgov_graphql_subscription() -> Any:
    from plugins.early_warning.graphql import WarningSubscriptions

    return WarningSubscriptions


@hookimpl
def gridgov_tile_layers() -> list[TileLayer]:
    from plugins.early_warning.tiles import LAYER

    return [LAYER]
