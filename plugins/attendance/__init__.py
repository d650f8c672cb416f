"""Trace management of grid-worker work (痕迹管理): attendance, tracks, visits, patrols.

A built-in plugin working through hooks only. So far: daily check-in and check-out with a
geofence, and ``GridWorker.attendance``; tracks, visits, patrols and reports come next.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.categories import DataCategory
from core.plugins import hookimpl


@hookimpl
def gridgov_data_categories() -> list[DataCategory]:
    return [
        DataCategory("attendance", None, "Check-ins, visits and patrols of grid workers"),
        DataCategory("attendance:track", "attendance", "GPS tracks of grid workers", personal=True),
    ]


@hookimpl
def gridgov_migration_dirs() -> list[Path]:
    return [Path(__file__).parent / "migrations"]


@hookimpl
def gridgov_models() -> list[type]:
    from plugins.attendance.models import AttendanceDay

    return [AttendanceDay]


@hookimpl
def gridgov_graphql_mutation() -> Any:
    from plugins.attendance.schema import AttendanceMutations

    return AttendanceMutations


@hookimpl
def gridgov_graphql_type_parts() -> dict[str, list[Any]]:
    from plugins.attendance.schema import GridWorkerAttendance

    return {"GridWorker": [GridWorkerAttendance]}
