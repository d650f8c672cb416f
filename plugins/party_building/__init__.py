"""Smart party building (智慧党建): party organizations on the grid, members, 三会一课,
dues, community registration (双报到) and volunteer service, grid helpers (党员中心户).

A built-in plugin working through hooks only: its tables and migration branch, data
categories, role rules, GraphQL parts, the dues statement route, demo data and the
dashboard panel. See ``docs/party-building.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.categories import DataCategory
from core.plugins import hookimpl

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.analysis import AnalysisModule, PanelPart
    from core.demo.context import DemoContext


@hookimpl
def gridgov_data_categories() -> list[DataCategory]:
    return [
        DataCategory("party", None, "Party organizations, meetings and service"),
        # Not under "party": reading organizations and meetings (township and community
        # staff do) does not reach members' records, which are personal and audited.
        DataCategory("party:member", None, "Party members' personal records", personal=True),
    ]


@hookimpl
def gridgov_role_rules() -> Iterable[tuple[str, str, str, str]]:
    # Townships and communities run the organizations, meetings and service of their area;
    # members' records (personal) need the party:member grant or an organization's staff.
    return [
        ("township_staff", "party", "read", "own"),
        ("township_staff", "party", "write", "own"),
        ("community_staff", "party", "read", "own"),
        ("community_staff", "party", "write", "own"),
        ("grid_worker", "party", "read", "own"),
        ("grid_worker", "party", "write", "own"),
    ]


@hookimpl
def gridgov_migration_dirs() -> list[Path]:
    return [Path(__file__).parent / "migrations"]


@hookimpl
def gridgov_models() -> list[type]:
    from plugins.party_building.models import MODELS

    return MODELS


@hookimpl
def gridgov_dashboard_panels() -> list[PanelPart]:
    from plugins.party_building.panel import PANEL

    return [PANEL]


@hookimpl
def gridgov_graphql_query() -> Any:
    from plugins.party_building.graphql import PartyQueries

    return PartyQueries


@hookimpl
def gridgov_graphql_mutation() -> Any:
    from plugins.party_building.graphql import PartyMutations

    return PartyMutations


@hookimpl
def gridgov_graphql_type_parts() -> Mapping[str, Iterable[type]]:
    from plugins.party_building.graphql import TYPE_PARTS

    return TYPE_PARTS


@hookimpl
def gridgov_routes() -> list[Any]:
    from plugins.party_building.xlsx import ROUTES

    return ROUTES


@hookimpl
async def gridgov_demo_load(session: AsyncSession, demo: DemoContext) -> None:
    from plugins.party_building.demo import load_demo

    await load_demo(session, demo)


@hookimpl
def gridgov_analysis_modules() -> list[AnalysisModule]:
    from plugins.party_building.analysis import MODULES

    return MODULES
