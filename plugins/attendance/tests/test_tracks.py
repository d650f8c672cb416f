"""GPS tracks through the API: idempotent upload in any order, whole-batch refusal,
playback figures computed by hand, simplification, and who may read a track."""

from __future__ import annotations

import asyncio
import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fixtures import sql_scalar as scalar
from tests.test_locate import inner_points
from tests.test_records import demo_copy

UPLOAD = """mutation($f: [TrackFixInput!]!) { uploadTrack(fixes: $f) {
  received stored duplicates } }"""
PACKED = "mutation($p: JSON!) { uploadTrack(packed: $p) { received stored duplicates } }"
PLAYBACK = """query($w: ID!, $from: DateTime!, $to: DateTime!, $s: Float) {
  trackPlayback(worker: $w, from: $from, to: $to, simplify: $s) {
    workerId fixes points distanceM insideGridS path } }"""
ME = "{ me { id grid { code worker { id } } } }"
R = 6_371_008.8
RECENT = "SELECT count(*) FROM attendance_fix WHERE fixed_at > now() - interval '2 days'"


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    (x1, y1), (x2, y2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((y2 - y1) / 2) ** 2 + math.cos(y1) * math.cos(y2) * math.sin((x2 - x1) / 2) ** 2
    return 2 * R * math.asin(math.sqrt(h))


def fix(at: datetime, lon: float, lat: float, accuracy: float | None = 5.0) -> dict[str, Any]:
    return {"at": at.isoformat(), "lon": lon, "lat": lat, "accuracy": accuracy}


def base_time() -> datetime:
    return (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)


async def test_upload_is_idempotent_in_any_order(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    (lon, lat, grid), *_ = await inner_points(url, 1)
    t0 = base_time()
    fixes = [fix(t0 + timedelta(seconds=30 * i), lon, lat + i * 1e-5) for i in range(40)]
    shuffled = fixes[:]
    random.Random(3).shuffle(shuffled)
    async with app_client(url) as client:
        await client.login(f"gw-{grid}")
        worker = (await client.gql(ME))["data"]["me"]["id"]
        first = await client.gql(UPLOAD, {"f": [*shuffled[:30], *shuffled[:5]]})
        assert first["data"]["uploadTrack"] == {"received": 35, "stored": 30, "duplicates": 5}
        again = await client.gql(UPLOAD, {"f": shuffled})  # the whole track, resent
        assert again["data"]["uploadTrack"] == {"received": 40, "stored": 10, "duplicates": 30}
        assert await scalar(url, RECENT) == 40
        packed = {  # the same fixes, compact: nothing new
            "t": [int(t0.timestamp() * 1000) + 30_000 * i for i in range(40)],
            "lon": [f["lon"] for f in fixes],
            "lat": [f["lat"] for f in fixes],
        }
        same = await client.gql(PACKED, {"p": packed})
        assert same["data"]["uploadTrack"] == {"received": 40, "stored": 0, "duplicates": 40}
        more = {"t": [packed["t"][-1] + 1500], "lon": [lon], "lat": [lat], "accuracy": [3.5]}
        assert (await client.gql(PACKED, {"p": more}))["data"]["uploadTrack"]["stored"] == 1
        for bad in (
            {"t": [1], "lon": [1.0]},
            {"t": [1, 2], "lon": [1.0], "lat": [2.0]},
            {"t": ["x"], "lon": [1.0], "lat": [2.0]},
            {"t": [1], "lon": [None], "lat": [2.0]},
            [1, 2, 3],
        ):
            refused = await client.gql(PACKED, {"p": bad})
            assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", bad
        neither = await client.gql("mutation { uploadTrack { stored } }")
        assert neither["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert await scalar(url, RECENT) == 41
        # a phone retries while its first upload is still running: one copy of each fix
        burst = [fix(t0 + timedelta(hours=1, seconds=i), lon, lat) for i in range(300)]
        both = await asyncio.gather(*(client.gql(UPLOAD, {"f": burst[::k]}) for k in (1, -1)))
        assert all("errors" not in b for b in both), both
        assert sum(b["data"]["uploadTrack"]["stored"] for b in both) == 300
        assert await scalar(url, RECENT) == 341
        span = {"w": worker, "from": t0.isoformat(), "to": (t0 + timedelta(hours=1)).isoformat()}
        played = (await client.gql(PLAYBACK, span))["data"]["trackPlayback"]
        times = played["path"]["properties"]["coordTimes"]
        assert played["fixes"] == played["points"] == 41
        assert times == sorted(times) and len(set(times)) == 41  # in time order, once each
        assert played["path"]["geometry"]["coordinates"][0] == [round(lon, 7), round(lat, 7)]


async def test_a_bad_fix_refuses_the_whole_batch(
    pg_server, template_db, app_client, monkeypatch
) -> None:
    url = await demo_copy(pg_server, template_db)
    (lon, lat, grid), *_ = await inner_points(url, 1)
    t0 = base_time()
    good = [fix(t0 + timedelta(seconds=i), lon, lat) for i in range(5)]
    async with app_client(url) as client:
        await client.login(f"gw-{grid}")
        for bad, says in (
            (fix(t0, lon, 95.0), "fix 5: (104"),
            (fix(datetime.now(UTC) + timedelta(hours=1), lon, lat), "fix 5: in the future"),
            (fix(t0 - timedelta(days=40), lon, lat), "fix 5: older than 31 days"),
            (fix(t0, lon, lat, accuracy=-1), "fix 5: accuracy"),
        ):
            result = await client.gql(UPLOAD, {"f": [*good, bad]})
            assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", result
            assert says in result["errors"][0]["message"]
        await client.login("citizen")
        refused = await client.gql(UPLOAD, {"f": good[:1]})
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    monkeypatch.setenv("GRIDGOV_ATTENDANCE_MAX_BATCH", "3")  # read at start-up
    async with app_client(url) as client:
        await client.login(f"gw-{grid}")
        too_many = await client.gql(UPLOAD, {"f": good})
        assert "at most 3 fixes" in too_many["errors"][0]["message"]
    assert await scalar(url, RECENT) == 0


async def test_playback_figures_match_a_hand_computation(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    (lon, lat, grid), *_, (far_lon, far_lat, _) = await inner_points(url, 300)
    t0 = base_time()
    step = 2e-5  # ~2.2 m north each time
    walk = [(lon, lat + i * step) for i in range(5)]
    fixes = [fix(t0 + timedelta(seconds=30 * i), *p) for i, p in enumerate(walk)]
    back = t0 + timedelta(seconds=120 + 1200)  # 20 minutes later: not joined (> 600 s)
    fixes.append(fix(back, far_lon, far_lat))  # far away, outside the grid
    fixes.append(fix(back + timedelta(seconds=20), lon, lat, accuracy=500))  # too inaccurate
    fixes.append(fix(back + timedelta(seconds=60), lon, lat))  # joined, but from outside
    async with app_client(url) as client:
        await client.login(f"gw-{grid}")
        worker = (await client.gql(ME))["data"]["me"]["id"]
        await client.gql(UPLOAD, {"f": fixes[::-1]})
        span = {"w": worker, "from": t0.isoformat(), "to": (t0 + timedelta(hours=1)).isoformat()}
        played = (await client.gql(PLAYBACK, span))["data"]["trackPlayback"]
    walked = sum(haversine(walk[i], walk[i + 1]) for i in range(4))
    expected = walked + haversine((far_lon, far_lat), (lon, lat))
    assert played["fixes"] == 7  # the inaccurate one left out
    assert math.isclose(played["distanceM"], expected, rel_tol=1e-4, abs_tol=0.1)
    assert played["insideGridS"] == 120.0  # four 30 s steps inside; nothing after the gap


async def test_simplification_keeps_the_shape_and_the_times(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    (lon, lat, grid), *_ = await inner_points(url, 1)
    t0 = base_time()
    # 50 fixes on a straight line north with a 1 m zigzag, then a corner east
    line = [(lon + (1e-5 if i % 2 else 0.0), lat + i * 1e-4) for i in range(50)]
    line.append((lon + 5e-3, lat + 49 * 1e-4))
    fixes = [fix(t0 + timedelta(seconds=10 * i), *p) for i, p in enumerate(line)]
    async with app_client(url) as client:
        await client.login(f"gw-{grid}")
        worker = (await client.gql(ME))["data"]["me"]["id"]
        await client.gql(UPLOAD, {"f": fixes})
        span = {"w": worker, "from": t0.isoformat(), "to": (t0 + timedelta(hours=1)).isoformat()}
        full = (await client.gql(PLAYBACK, span))["data"]["trackPlayback"]
        coarse = (await client.gql(PLAYBACK, {**span, "s": 10.0}))["data"]["trackPlayback"]
        fine = (await client.gql(PLAYBACK, {**span, "s": 0.1}))["data"]["trackPlayback"]
        bad = await client.gql(PLAYBACK, {**span, "s": -1.0})
        long = await client.gql(PLAYBACK, {**span, "to": (t0 + timedelta(days=8)).isoformat()})
    assert full["points"] == fine["points"] == 51
    assert coarse["points"] == 3  # start, the corner, the end
    times = coarse["path"]["properties"]["coordTimes"]
    assert times == [
        full["path"]["properties"]["coordTimes"][i] for i in (0, 49, 50)
    ]  # each kept vertex keeps its own time
    assert coarse["distanceM"] == full["distanceM"]  # measured on the full path
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "7 days at most" in long["errors"][0]["message"]


async def test_only_the_worker_and_track_readers_see_a_track(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    (lon, lat, grid), (_, _, other) = (await inner_points(url, 2))[:2]
    t0 = base_time()
    fields = "{ me { grid { worker { tracks(from: $from, to: $to) { fixes } } } } }"
    by_grid = """query($code: String!, $from: DateTime!, $to: DateTime!) {
      grid(code: $code) { worker { tracks(from: $from, to: $to) { fixes } } } }"""
    span = {"from": t0.isoformat(), "to": (t0 + timedelta(hours=1)).isoformat()}
    async with app_client(url) as client:
        await client.login(f"gw-{grid}")
        worker = (await client.gql(ME))["data"]["me"]["id"]
        await client.gql(UPLOAD, {"f": [fix(t0, lon, lat)]})
        own = await client.gql(f"query($from: DateTime!, $to: DateTime!) {fields}", span)
        assert own["data"]["me"]["grid"]["worker"]["tracks"] == {"fixes": 1}
        client.sql.reset()
        await client.gql(PLAYBACK, {"w": worker, **span})
        # the track alone: the worker's actor is kept from the requests before
        assert client.sql.count == 1, client.sql.statements
        for username in (f"gw-{other}", f"cs-{grid[:12]}", "admin"):
            await client.login(username)
            refused = await client.gql(PLAYBACK, {"w": worker, **span})
            assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", username
            hidden = await client.gql(by_grid, {"code": grid, **span})
            assert hidden["data"]["grid"]["worker"]["tracks"] is None, username
        assert await scalar(url, "SELECT count(*) FROM access_audit") == 0
        await client.login("command")  # the command centre reads every category
        seen = await client.gql(PLAYBACK, {"w": worker, **span})
        assert seen["data"]["trackPlayback"]["fixes"] == 1
    audited = await scalar(
        url,
        "SELECT count(*) FROM access_audit WHERE record_kind = 'track' "
        "AND record_ids = ARRAY[CAST(:w AS bigint)] AND actor_username = 'command'",
        w=int(worker),
    )
    assert audited == 1
