"""Smart government affairs (智慧政务): the service catalogue (事项清单), applications (办件)
handled to deadlines in working days, 代办帮办 by grid workers, 好差评 with rectification.

A built-in plugin working through hooks only. See ``docs/e-governance.md``.
"""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.categories import DataCategory
from core.plugins import hookimpl

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.actor import Actor
    from core.analysis import PanelPart
    from core.demo.context import DemoContext


@hookimpl
def gridgov_data_categories() -> list[DataCategory]:
    return [
        DataCategory("service", None, "Government service requests and errands (代办帮办)"),
    ]


@hookimpl
def gridgov_dashboard_panels() -> list[PanelPart]:
    from plugins.e_governance.panel import PANEL

    return [PANEL]


@hookimpl
def gridgov_migration_dirs() -> list[Path]:
    return [Path(__file__).parent / "migrations"]


@hookimpl
def gridgov_models() -> list[type]:
    from plugins.e_governance.models import MODELS

    return MODELS


@hookimpl
def gridgov_file_key_columns() -> list[tuple[str, str]]:
    return [("gov_application_material", "key")]


@hookimpl
def gridgov_file_readable(session: AsyncSession, actor: Actor, key: str) -> Awaitable[bool]:
    """A material's file: for whoever sees the application (``access.visible``)."""
    from plugins.e_governance.access import material_readable

    return material_readable(session, actor, key)


@hookimpl
def gridgov_graphql_query() -> Any:
    from plugins.e_governance.graphql import GovQueries

    return GovQueries


@hookimpl
def gridgov_graphql_mutation() -> Any:
    from plugins.e_governance.graphql import GovMutations

    return GovMutations


@hookimpl
def gridgov_graphql_subscription() -> Any:
    from plugins.e_governance.graphql import GovSubscriptions

    return GovSubscriptions


@hookimpl
def gridgov_routes() -> list[Any]:
    from plugins.e_governance.xlsx import ROUTES

    return ROUTES


@hookimpl
async def gridgov_demo_load(session: AsyncSession, demo: DemoContext) -> None:
    from plugins.e_governance.demo import load_demo

    await load_demo(session, demo)
