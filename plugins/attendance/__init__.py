"""Trace management of grid-worker work (痕迹管理): check-in with a geofence, GPS tracks and
playback, visits, patrols and their findings, monthly reports (GraphQL and XLSX).

A built-in plugin working through hooks only: its tables and migration branch, schema
parts, route, categories, role rules and demo data are all contributed here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.categories import DataCategory
from core.plugins import hookimpl

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.actor import Actor
    from core.runtime import Runtime


@hookimpl
def gridgov_data_categories() -> list[DataCategory]:
    return [
        DataCategory("attendance", None, "Check-ins, visits and patrols of grid workers"),
        # Not under "attendance": reading attendance (community staff do) does not reach the
        # tracks, which are personal data read only with this category, and audited.
        DataCategory("attendance:track", None, "GPS tracks of grid workers", personal=True),
    ]


@hookimpl
def gridgov_role_rules() -> Iterable[tuple[str, str, str, str]]:
    # Community and township staff manage the grid workers of their area; tracks
    # (personal data) need an explicit grant or the command centre's reach.
    return [
        ("community_staff", "attendance", "read", "own"),
        ("township_staff", "attendance", "read", "own"),
    ]


@hookimpl
def gridgov_file_key_columns() -> list[tuple[str, str]]:
    return [("attendance_visit_photo", "key")]


@hookimpl
def gridgov_file_readable(session: AsyncSession, actor: Actor, key: str) -> Awaitable[bool]:
    """A visit's photo: for the worker who made the visit, and whoever reads their
    attendance (the rule of ``GridWorker.visits``)."""
    from plugins.attendance.access import visit_photo_readable

    return visit_photo_readable(session, actor, key)


@hookimpl
def gridgov_migration_dirs() -> list[Path]:
    return [Path(__file__).parent / "migrations"]


@hookimpl
def gridgov_models() -> list[type]:
    from plugins.attendance.models import (
        AttendanceDay,
        Patrol,
        PatrolFinding,
        TrackDay,
        TrackFix,
        Visit,
        VisitPhoto,
    )

    return [AttendanceDay, TrackFix, TrackDay, Visit, VisitPhoto, Patrol, PatrolFinding]


@hookimpl
def gridgov_graphql_query() -> Any:
    from plugins.attendance.graphql import AttendanceQueries

    return AttendanceQueries


@hookimpl
def gridgov_graphql_mutation() -> Any:
    from plugins.attendance.graphql import AttendanceMutations

    return AttendanceMutations


@hookimpl
def gridgov_graphql_type_parts() -> Mapping[str, Iterable[type]]:
    from plugins.attendance.graphql import TYPE_PARTS

    return TYPE_PARTS


@hookimpl
def gridgov_routes() -> list[Any]:
    from plugins.attendance.xlsx import ROUTES

    return ROUTES


@hookimpl
async def gridgov_startup(runtime: Runtime) -> None:
    """Settings read once; partitions of GPS fixes for this month and the next (the app
    remembers which exist)."""
    from datetime import UTC, datetime

    from plugins.attendance.settings import AttendanceState
    from plugins.attendance.tracks import ensure_partitions, month_start

    state = runtime.state.of(AttendanceState)
    this = month_start(datetime.now(UTC).date())
    await ensure_partitions(runtime.sessionmaker, {this, month_start(this, 1)}, state.partitions)


@hookimpl
def gridgov_demo_load(session: Any, demo: Any) -> Any:
    from plugins.attendance.demo import load_demo

    return load_demo(session, demo)


@hookimpl
def gridgov_dashboard_panels() -> list[Any]:
    from plugins.attendance.analysis import PANEL

    return [PANEL]


@hookimpl
def gridgov_analysis_modules() -> list[Any]:
    from plugins.attendance.analysis import MODULES

    return MODULES


@hookimpl
def gridgov_assessment_indicators() -> list[Any]:
    from plugins.attendance.analysis import INDICATORS

    return INDICATORS
