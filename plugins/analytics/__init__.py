"""Intelligent analysis (智能分析): the big-data dashboard's panels, analysis modules,
drill-down along the region tree and assessment tables, read from summaries kept current.

A built-in plugin working through hooks only. It offers extension points of its own: any
plugin adds dashboard panel parts, analysis modules and assessment indicators through the
``gridgov_dashboard_panels``, ``gridgov_analysis_modules`` and
``gridgov_assessment_indicators`` hooks (types in ``core.analysis``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.categories import DataCategory
from core.plugins import hookimpl

if TYPE_CHECKING:
    import typer

    from core.analysis import AnalysisModule, AssessmentIndicator, PanelPart
    from core.maps import TileLayer
    from core.runtime import Runtime


@hookimpl
def gridgov_data_categories() -> list[DataCategory]:
    return [
        DataCategory("analytics", None, "Aggregated indicators, heat maps and assessments"),
    ]


@hookimpl
def gridgov_role_rules() -> Iterable[tuple[str, str, str, str]]:
    # Staff and workers read the figures of their own area; the command centre reads all.
    return [
        ("grid_worker", "analytics", "read", "own"),
        ("community_staff", "analytics", "read", "own"),
        ("township_staff", "analytics", "read", "own"),
    ]


@hookimpl
def gridgov_migration_dirs() -> list[Path]:
    return [Path(__file__).parent / "migrations"]


@hookimpl
def gridgov_models() -> list[type]:
    from plugins.analytics import models

    return [
        models.Tally,
        models.TallyUp,
        models.EventDayUp,
        models.EventLateUp,
        models.EventDay,
        models.EventLate,
        models.EventCategoryDay,
        models.EventCellMonth,
        models.Dirty,
        models.Weight,
        models.Meta,
    ]


@hookimpl
def gridgov_graphql_query() -> Any:
    from plugins.analytics.graphql import AnalyticsQueries

    return AnalyticsQueries


@hookimpl
def gridgov_graphql_mutation() -> Any:
    from plugins.analytics.graphql import AnalyticsMutations

    return AnalyticsMutations


@hookimpl
def gridgov_assessment_indicators() -> list[AssessmentIndicator]:
    from plugins.analytics.indicators import INDICATORS

    return INDICATORS


@hookimpl
def gridgov_dashboard_panels() -> list[PanelPart]:
    from plugins.analytics.panels import actual_data, governance, population, work_assessment

    return [population.PANEL, actual_data.PANEL, governance.PANEL, work_assessment.PANEL]


@hookimpl
def gridgov_analysis_modules() -> list[AnalysisModule]:
    from plugins.analytics.modules import builtin_modules

    return builtin_modules()


@hookimpl
async def gridgov_startup(runtime: Runtime) -> None:
    """Collect the plugins' panels, modules and indicators (a clash fails start-up); if
    the summaries were made for another time zone, make them anew for this one."""
    from plugins.analytics.registry import AnalyticsState, build_registry
    from plugins.analytics.summaries import rebuild, summary_zone

    state = runtime.state.of(AnalyticsState)
    state.registry, state.orphans = build_registry(runtime.plugins)
    state.tz = runtime.settings.timezone
    async with runtime.sessionmaker() as session, session.begin():
        if await summary_zone(session) not in (None, state.tz):
            await rebuild(session, state.tz)


@hookimpl
def gridgov_demo_load(session: Any, demo: Any) -> Any:
    """Summaries of the freshly loaded demo, computed in one pass."""
    from core.demo.population import DEMO_TZ
    from plugins.analytics.summaries import rebuild

    return rebuild(session, DEMO_TZ)


@hookimpl
def gridgov_routes() -> list[Any]:
    from plugins.analytics.reports import ROUTES

    return ROUTES


@hookimpl
def gridgov_cli(app: typer.Typer) -> None:
    from plugins.analytics.cli import register

    register(app)


@hookimpl
def gridgov_tile_layers() -> list[TileLayer]:
    from plugins.analytics.maps.layer import LAYER

    return [LAYER]
