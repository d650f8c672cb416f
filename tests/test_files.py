"""Photos and videos at /files/<key>: the reporter and the event's handlers read them (by
the signed link of Attachment.url or with their bearer token), anyone else gets 404; ranges
for video, thumbnails for lists, private caching; plugins open their own files through
``gridgov_file_readable``."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from core.plugins import hookimpl
from core.storage.links import link_token
from tests.fixtures import sql_execute
from tests.test_events import jpeg_with_gps, report_input, step, upload
from tests.test_locate import inner_points
from tests.test_records import demo_copy
from tests.test_storage import mp4

REPORT = """mutation($input: ReportEventInput!) { reportEvent(input: $input) {
  event { id attachments { key mime kind size url thumbnailUrl } } } }"""
EVENT = "query($id: ID!) { event(id: $id) { id attachments { key url } } }"


def photo(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


async def fetch(client: Any, url: str, token: str | None = None, **headers: str) -> Any:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return await client.http.get(url, headers=headers)


async def add_citizen(url: str, username: str) -> None:
    await sql_execute(
        url,
        "INSERT INTO account (username, name, password_hash, role) "
        "SELECT :u, '另一位居民', password_hash, role FROM account WHERE username = 'citizen'",
        u=username,
    )


async def test_reporter_and_handlers_read_the_files_nobody_else(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    await add_citizen(url, "citizen-other")
    (lon, lat, grid), *_ = await inner_points(url, 1)
    video = mp4(size=200_000)
    async with app_client(url) as client:
        reporter = await client.login("citizen")
        reported = await upload(
            client,
            REPORT,
            {"input": report_input(lon, lat)},
            [("p.jpg", photo(), "image/jpeg"), ("v.mp4", video, "video/mp4")],
        )
        assert "errors" not in reported, reported
        event = reported["data"]["reportEvent"]["event"]
        image, film = event["attachments"]
        assert (image["kind"], film["kind"]) == ("IMAGE", "VIDEO")
        assert image["url"].startswith(f"/files/{image['key']}?t=")
        assert film["thumbnailUrl"] is None and "size=thumb" in image["thumbnailUrl"]

        # the reporter's link: the bytes, their type, private caching, no header needed
        answer = await fetch(client, image["url"])
        assert answer.status_code == 200, answer.text
        stored = (client.app.state.gridgov.settings.uploads / image["key"]).read_bytes()
        assert answer.content == stored and answer.headers["content-type"] == "image/jpeg"
        assert answer.headers["cache-control"].startswith("private")
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "etag" in answer.headers
        again = await fetch(client, image["url"], **{"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304
        # with the bearer token instead of the link
        plain = f"/files/{image['key']}"
        assert (await fetch(client, plain, reporter)).status_code == 200

        # a video plays from any point: ranges
        part = await fetch(client, film["url"], Range="bytes=100-199")
        assert part.status_code == 206 and part.headers["content-type"] == "video/mp4"
        assert part.content == video[100:200]
        assert part.headers["content-range"] == f"bytes 100-199/{len(video)}"

        # the thumbnail: a small JPEG
        thumb = await fetch(client, image["thumbnailUrl"])
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
        with Image.open(io.BytesIO(thumb.content)) as small:
            assert max(small.size) == 320 and small.size == (320, 240)
        assert (await fetch(client, f"{plain}?size=huge", reporter)).status_code == 400
        no_thumb = await fetch(client, film["thumbnailUrl"] or f"/files/{film['key']}?size=thumb")
        assert no_thumb.status_code == 404

        # the grid worker who holds it reads it, by link and by token
        worker = await client.login(f"gw-{grid}")
        mine = (await client.gql(EVENT, {"id": event["id"]}))["data"]["event"]
        assert (await fetch(client, mine["attachments"][0]["url"])).status_code == 200
        assert (await fetch(client, plain, worker)).status_code == 200

        # another citizen: 404 with its token, and no link to be had
        other = await client.login("citizen-other")
        assert (await fetch(client, plain, other)).status_code == 404
        refused = await client.gql(EVENT, {"id": event["id"]})
        assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        # nobody: 404 (the same answer as for a key that is nobody's)
        assert (await fetch(client, plain)).status_code == 404
        nobody = image["key"][:-8] + "0000.jpg"
        assert (await fetch(client, f"/files/{nobody}", reporter)).status_code == 404
        assert (await fetch(client, "/files/../../etc/passwd", reporter)).status_code == 404

        # links: bound to their key; a forged or foreign one is 404
        token = parse_qs(urlsplit(image["url"]).query)["t"][0]
        assert (await fetch(client, f"/files/{film['key']}?t={token}")).status_code == 404
        forged = link_token(
            key=image["key"], account_id=1, secret="not the key of this server, and long enough" * 2
        )
        assert (await fetch(client, f"{plain}?t={forged}")).status_code == 404
        # a link is no bearer token, nor a bearer token a link
        assert (await client.gql("{ me { id } }", token=token)).get("errors")
        assert (await fetch(client, f"{plain}?t={reporter}")).status_code == 404

        # a department the event never went to: 404; the one it was dispatched to: 200
        for who in (f"gw-{grid}", f"cs-{grid[:12]}", f"ts-{grid[:9]}"):
            await client.login(who)
            assert "errors" not in await step(client, "escalateEvent", id=event["id"])
        health = await client.login("ds-511504-health")
        assert (await client.gql(EVENT, {"id": event["id"]}))["errors"][0]["extensions"][
            "code"
        ] == "NOT_FOUND"
        assert (await fetch(client, plain, health)).status_code == 404
        await client.login("command")
        dispatched = await step(
            client, "dispatchEvent", id=event["id"], departmentCode="511504-URBAN-MANAGEMENT"
        )
        assert "errors" not in dispatched, dispatched
        urban = await client.login("ds-511504-urban-management")
        assert (await fetch(client, plain, urban)).status_code == 200
        assert (await fetch(client, plain, health)).status_code == 404

        # a disabled account's links stop working
        await sql_execute(url, "UPDATE account SET is_active = false WHERE username = 'citizen'")
        client.app.state.gridgov.identity_cache.clear()
        assert (await fetch(client, image["url"])).status_code == 404


class OpenFiles:
    """Lets every signed-in actor read the files in ``keys``; says nothing of others."""

    def __init__(self, keys: set[str]) -> None:
        self.keys = keys
        self.asked: list[str] = []

    @hookimpl
    async def gridgov_file_readable(self, session: Any, actor: Any, key: str) -> bool | None:
        self.asked.append(key)
        return True if key in self.keys else None


async def test_hook_gridgov_file_readable_opens_a_plugins_files(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    plugin = OpenFiles(set())
    async with app_client(url, plugins=[plugin]) as client:
        storage = client.app.state.gridgov.storage
        stored = await storage.save(jpeg_with_gps(), declared_type="image/jpeg", filename="a.jpg")
        token = await client.login("citizen")
        path = f"/files/{stored.key}"
        assert (await fetch(client, path, token)).status_code == 404
        assert plugin.asked == [stored.key]
        plugin.keys.add(stored.key)
        answer = await fetch(client, path, token)
        assert answer.status_code == 200 and answer.content == await _read(storage, stored.key)
        # anonymous callers are refused before any plugin is asked
        assert (await fetch(client, path)).status_code == 404
        assert plugin.asked == [stored.key, stored.key]


async def _read(storage: Any, key: str) -> bytes:
    return b"".join([chunk async for chunk in await storage.open(key)])
