"""GraphQL for GPS tracks: upload, playback (root query and ``GridWorker.tracks``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from core.errors import BadInput, Forbidden, Unauthenticated
from core.models.account import Role
from plugins.attendance.graphql.access import TRACK, may_read_worker
from plugins.attendance.graphql.loaders import TracksLoader
from plugins.attendance.packed import parse_packed
from plugins.attendance.settings import AttendanceState, settings_of
from plugins.attendance.tracks import (
    Fix,
    Playback,
    check_fixes,
    check_period,
    check_simplify,
    ensure_partitions,
    months_of,
    no_track,
    playback,
    playback_of,
    upload_fixes,
)
from schema.ids import parse_id
from schema.scalars import GeoJSON


@strawberry.input(description="One GPS fix as the phone took it.")
class TrackFixInput:
    at: datetime = strawberry.field(description="When, with a UTC offset")
    lon: float
    lat: float
    accuracy: float | None = strawberry.field(default=None, description="Metres (68 %)")


@strawberry.type
class TrackUpload:
    received: int
    stored: int = strawberry.field(description="Fixes new to the server")
    duplicates: int = strawberry.field(description="Fixes it had already (same time)")


@strawberry.type
class TrackPlayback:
    worker_id: strawberry.ID
    from_: datetime = strawberry.field(name="from")
    to: datetime
    fixes: int = strawberry.field(description="Fixes used (accurate enough)")
    points: int = strawberry.field(description="Vertices in the path after simplification")
    distance_m: float = strawberry.field(description="Metres walked (unsimplified path)")
    inside_grid_s: float = strawberry.field(description="Seconds inside the worker's grid")
    path: GeoJSON = strawberry.field(
        description="A GeoJSON Feature: LineString (Point for one fix, null for none) and "
        "properties.coordTimes, one ISO time per vertex"
    )


def _typed(p: Playback) -> TrackPlayback:
    return TrackPlayback(
        worker_id=strawberry.ID(str(p.worker_id)),
        from_=p.start,
        to=p.end,
        fixes=p.fixes,
        points=len(p.feature["properties"]["coordTimes"]),
        distance_m=round(p.distance_m, 1),
        inside_grid_s=round(p.inside_s, 1),
        path=GeoJSON(p.feature),
    )


FROM = Annotated[datetime, strawberry.argument(name="from")]
SIMPLIFY = Annotated[
    float | None,
    strawberry.argument(description="Douglas–Peucker tolerance in metres; none keeps every fix"),
]


@strawberry.type
class TrackQueries:
    @strawberry.field(
        description="A worker's path in [from, to) as GeoJSON with times, with the distance "
        "walked and the time inside the grid. Needs attendance:track (audited), "
        "or to be that worker."
    )
    async def track_playback(
        self,
        info: Info,
        worker: strawberry.ID,
        from_: FROM,
        to: datetime,
        simplify: SIMPLIFY = None,
    ) -> TrackPlayback:
        if not info.context.actor.authenticated:
            raise Unauthenticated("log in first")
        worker_id = parse_id(worker, "worker")
        if not await may_read_worker(info, worker_id, TRACK):
            raise Forbidden("reading tracks needs attendance:track where the worker works")
        ctx = info.context
        async with ctx.locked() as session:
            found = await playback(
                session, worker_id, from_, to, settings_of(ctx.runtime), simplify
            )
        return _typed(found)


@strawberry.type
class TrackMutations:
    @strawberry.mutation(
        description="A grid worker's phone uploads GPS fixes (as `fixes`, or compact as "
        "`packed`), in any order; sending a fix again (same time) stores nothing. A bad "
        "fix refuses the whole batch."
    )
    async def upload_track(
        self,
        info: Info,
        fixes: list[TrackFixInput] | None = None,
        packed: Annotated[
            JSON | None,
            strawberry.argument(
                description='The same fixes, compact, for large batches: {"t": [epoch '
                'milliseconds], "lon": [...], "lat": [...], "accuracy": [metres or null]} '
                "(accuracy optional)"
            ),
        ] = None,
    ) -> TrackUpload:
        ctx = info.context
        actor = ctx.actor
        if not actor.authenticated:
            raise Unauthenticated("log in first")
        if actor.role is not Role.GRID_WORKER:
            raise Forbidden("only grid workers upload tracks")
        settings = settings_of(ctx.runtime)
        if (fixes is None) == (packed is None):
            raise BadInput("send either fixes or packed", argument="fixes")
        if packed is not None:
            batch = parse_packed(packed, settings.max_batch)
        else:
            batch = [Fix(f.at, f.lon, f.lat, f.accuracy) for f in fixes or ()]
        check_fixes(batch, settings, datetime.now(UTC))
        known = ctx.runtime.state.of(AttendanceState).partitions
        await ensure_partitions(ctx.sessionmaker, months_of(batch), known)
        async with ctx.transaction() as session:
            done = await upload_fixes(session, actor.account_id, batch, ctx.settings.timezone)
        return TrackUpload(received=done.received, stored=done.stored, duplicates=done.duplicates)


@strawberry.type(name="GridWorkerTracks")
class GridWorkerTracks:
    @strawberry.field(
        description="The worker's path in [from, to): null without attendance:track where "
        "the worker works (each read is audited), unless it is your own."
    )
    async def tracks(
        self, info: Info, from_: FROM, to: datetime, simplify: SIMPLIFY = None
    ) -> TrackPlayback | None:
        worker_id = int(self.id)  # type: ignore[attr-defined]  # self is the row
        settings = settings_of(info.context.runtime)
        check_period(from_, to, settings)
        check_simplify(simplify)
        if not await may_read_worker(info, worker_id, TRACK):
            return None
        track = await info.context.loader(TracksLoader).load((worker_id, from_, to))
        found = playback_of(worker_id, from_, to, track or no_track(), settings, simplify)
        return _typed(found)
