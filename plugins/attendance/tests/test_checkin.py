"""Attendance check-in and check-out with the geofence, through the API."""

from __future__ import annotations

from core.plugins import make_plugin_manager
from core.settings import Settings
from schema.build import build_schema
from tests.test_locate import inner_points
from tests.test_records import demo_copy

CHECK = (
    "mutation($lon: Float!, $lat: Float!) {{ {m}(location: {{lon: $lon, lat: $lat}}) {{ "
    "day gridCode checkInFlagged checkInDistanceM checkOutAt checkOutFlagged }} }}"
)


async def test_geofence_flags_but_accepts(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    (lon, lat, grid), (far_lon, far_lat, _) = (await inner_points(url, 579))[0::300][:2]
    async with app_client(url) as client:
        await client.login(f"gw-{grid}")
        inside = await client.gql(CHECK.format(m="checkIn"), {"lon": lon, "lat": lat})
        day = inside["data"]["checkIn"]
        assert day["gridCode"] == grid and day["checkInFlagged"] is False
        assert day["checkInDistanceM"] == 0
        again = await client.gql(CHECK.format(m="checkIn"), {"lon": lon, "lat": lat})
        assert again["errors"][0]["extensions"]["code"] == "CONFLICT"
        out = await client.gql(CHECK.format(m="checkOut"), {"lon": far_lon, "lat": far_lat})
        assert out["data"]["checkOut"]["checkOutFlagged"] is True  # far away, yet recorded
        twice = await client.gql(CHECK.format(m="checkOut"), {"lon": lon, "lat": lat})
        assert twice["errors"][0]["extensions"]["code"] == "CONFLICT"
        mine = await client.gql(
            "{ me { grid { worker { attendance { checkInFlagged checkOutFlagged } } } } }"
        )
        days = mine["data"]["me"]["grid"]["worker"]["attendance"]
        assert days[-1] == {"checkInFlagged": False, "checkOutFlagged": True}  # today's
        assert len(days) > 1  # and the demo's week before
        await client.login("citizen")
        refused = await client.gql(CHECK.format(m="checkIn"), {"lon": lon, "lat": lat})
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        other = f"gw-{(await inner_points(url, 2))[1][2]}"
        await client.login(other)
        no_grid_yet = await client.gql(CHECK.format(m="checkOut"), {"lon": lon, "lat": lat})
        assert no_grid_yet["errors"][0]["extensions"]["code"] == "CONFLICT"


PARTS = (
    "checkIn",
    "attendance(",
    "uploadTrack",
    "trackPlayback",
    "tracks(",
    "visits(",
    "patrols(",
    "startPatrol",
    "patrolFinding",
    "attendanceReport",
)


def test_disabling_the_plugin_removes_its_schema() -> None:
    with_it = build_schema(make_plugin_manager(Settings()), Settings()).as_str()
    settings = Settings(disabled_plugins="attendance")
    without = build_schema(make_plugin_manager(settings), settings).as_str()
    for part in PARTS:
        assert part in with_it and part not in without, part
    assert "reportEvent" in without and "grids(" in without


async def test_without_the_plugin_the_rest_works(demo_url, app_client) -> None:
    async with app_client(demo_url, disabled_plugins="attendance") as client:
        await client.login("command")
        grids = await client.gql("{ grids(first: 1) { totalCount } }")
        assert grids["data"]["grids"]["totalCount"] == 579
        gone = await client.http.get("/attendance/report.xlsx?month=2026-06")
        assert gone.status_code == 404
        missing = await client.gql('{ attendanceReport(month: "2026-06") { month } }')
        assert missing["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
