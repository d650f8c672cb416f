"""The attendance plugin's GraphQL parts, composed into the core schema through hooks."""

from __future__ import annotations

import strawberry

from plugins.attendance.graphql.checkin import CheckInMutations, GridWorkerAttendance
from plugins.attendance.graphql.fieldwork import (
    EventPatrolFinding,
    FieldworkMutations,
    GridWorkerFieldwork,
)
from plugins.attendance.graphql.report import ReportQueries
from plugins.attendance.graphql.tracks import GridWorkerTracks, TrackMutations, TrackQueries


@strawberry.type
class AttendanceQueries(TrackQueries, ReportQueries):
    pass


@strawberry.type
class AttendanceMutations(CheckInMutations, TrackMutations, FieldworkMutations):
    pass


TYPE_PARTS: dict[str, list[type]] = {
    "GridWorker": [GridWorkerAttendance, GridWorkerTracks, GridWorkerFieldwork],
    "Event": [EventPatrolFinding],
}

__all__ = ["TYPE_PARTS", "AttendanceMutations", "AttendanceQueries"]
