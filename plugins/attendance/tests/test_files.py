"""Visit photos at /files/<key>: the worker who made the visit and whoever reads their
attendance (the rule of ``GridWorker.visits``) fetch them by ``VisitPhotoInfo.url`` or with
their bearer token; a citizen, a worker of another grid, staff of another community get 404;
with the plugin disabled, nobody does."""

from __future__ import annotations

from typing import Any

from tests.fixtures import sql_scalar
from tests.test_events import upload
from tests.test_files import fetch, photo
from tests.test_locate import inner_points
from tests.test_records import demo_copy

VISIT = """mutation($person: ID, $lon: Float!, $lat: Float!, $photos: [Upload!]) {
  recordVisit(note: "入户走访", personId: $person, location: {lon: $lon, lat: $lat},
              photos: $photos) { id photos { key mime size url thumbnailUrl } } }"""
VISITS = """query($code: String!) { grid(code: $code) { worker {
  visits { id photos { key url thumbnailUrl } } } } }"""


async def _photos(client: Any, grid: str, key: str) -> list[dict[str, Any]] | None:
    """The photos ``key`` of the grid worker's visits as the logged-in caller sees them
    (null: the visits are not the caller's to see)."""
    found = await client.gql(VISITS, {"code": grid})
    assert "errors" not in found, found
    visits = found["data"]["grid"]["worker"]["visits"]
    if visits is None:
        return None
    return [p for v in visits for p in v["photos"] if p["key"] == key]


async def test_visit_photos_are_read_by_the_worker_and_attendance_readers(
    pg_server: Any, template_db: Any, app_client: Any
) -> None:
    url = await demo_copy(pg_server, template_db)
    (lon, lat, grid), *_, (_, _, far_grid) = await inner_points(url, 400)
    assert far_grid[:12] != grid[:12]
    grid_id = await sql_scalar(
        url, "SELECT id FROM grid WHERE code = :c AND valid_to IS NULL", c=grid
    )
    person = await sql_scalar(
        url,
        "SELECT min(p.id) FROM person p JOIN grid g ON g.code = p.region_code WHERE g.id = :g",
        g=grid_id,
    )
    stranger = str(
        await sql_scalar(
            url,
            "SELECT min(username) FROM account WHERE role = 'grid_worker' AND username <> :u",
            u=f"gw-{grid}",
        )
    )
    image = photo(640, 480)
    async with app_client(url) as client:
        worker = await client.login(f"gw-{grid}")
        recorded = await upload(
            client,
            VISIT,
            {"person": str(person), "lon": lon, "lat": lat},
            [("door.jpg", image, "image/jpeg")],
            path="photos",
        )
        assert "errors" not in recorded, recorded
        (shot,) = recorded["data"]["recordVisit"]["photos"]
        key = shot["key"]
        plain = f"/files/{key}"
        assert shot["url"].startswith(f"{plain}?t=") and "size=thumb" in shot["thumbnailUrl"]
        stored = (client.app.state.gridgov.settings.uploads / key).read_bytes()

        # the worker: by the link and by the bearer token; the thumbnail too
        answer = await fetch(client, shot["url"])
        assert answer.status_code == 200, answer.text
        assert answer.content == stored and answer.headers["content-type"] == "image/jpeg"
        assert (await fetch(client, plain, worker)).status_code == 200
        thumb = await fetch(client, shot["thumbnailUrl"])
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"

        # community staff read attendance in their area: the link GridWorker.visits gives
        # and their token both open it; so does the command centre
        for reader in (f"cs-{grid[:12]}", f"ts-{grid[:9]}", "command"):
            token = await client.login(reader)
            photos = await _photos(client, grid, key)
            assert photos is not None and len(photos) == 1, reader
            seen = await fetch(client, photos[0]["url"])
            assert seen.status_code == 200 and seen.content == stored, reader
            assert (await fetch(client, plain, token)).status_code == 200, reader

        # not theirs to see: visits are null for them, the file is 404
        for outsider in ("citizen", stranger, f"cs-{far_grid[:12]}"):
            token = await client.login(outsider)
            if outsider != "citizen":
                assert await _photos(client, grid, key) is None, outsider
            assert (await fetch(client, plain, token)).status_code == 404, outsider
            assert (await fetch(client, f"{plain}?size=thumb", token)).status_code == 404
        assert (await fetch(client, plain)).status_code == 404  # nobody

    # the plugin disabled: its files are nobody's
    async with app_client(url, disabled_plugins="attendance") as client:
        worker = await client.login(f"gw-{grid}")
        assert (await fetch(client, plain, worker)).status_code == 404
        assert (await fetch(client, shot["url"])).status_code == 404
        command = await client.login("command")
        assert (await fetch(client, plain, command)).status_code == 404
