"""Materials' files at /files/<key>: whoever sees the application (its agent, the
applicant's account, the item's department, ``service`` readers there) fetches them by
``GovApplicationMaterial.url`` or with their bearer token; another applicant, another
department, another grid worker get 404; with the plugin disabled, nobody does."""

from __future__ import annotations

from typing import Any

from plugins.e_governance.tests.test_applications import (
    STAFF,
    agent_input,
    data,
    make_item,
    other_worker,
    resident,
    with_files,
)
from tests.test_files import add_citizen, fetch, photo
from tests.test_records import demo_copy

FIELDS = "id materials { seq key url thumbnailUrl }"
SUBMIT = f"""mutation($input: GovSubmitApplicationInput!) {{
  submitApplication(input: $input) {{ {FIELDS} }} }}"""
MATERIALS = f"query($id: ID!) {{ application(id: $id) {{ {FIELDS} }} }}"


async def submit(client: Any, input: dict[str, Any], files: dict[int, bytes]) -> dict[str, Any]:
    """``submitApplication`` answering the materials' links."""
    return await with_files(client, SUBMIT, {"input": input}, "input.materials", files)


def by_seq(application: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {m["seq"]: m for m in application["materials"]}


async def test_materials_are_read_by_those_who_see_the_application(
    pg_server: Any, template_db: Any, app_client: Any
) -> None:
    url = await demo_copy(pg_server, template_db)
    await add_citizen(url, "citizen-other")
    item_id, _ = await make_item(url)
    person = await resident(url)
    stranger = await other_worker(url, person.grid)
    async with app_client(url) as client:
        agent = await client.login(f"gw-{person.grid}")
        # filed by the agent for the resident, whose account ("citizen") follows it: a file
        # for material 1, material 2 seen at the window
        filed = data(await submit(client, agent_input(item_id, person), {0: photo(640, 480)}))
        app_id = filed["submitApplication"]["id"]
        materials = by_seq(filed["submitApplication"])
        key = materials[1]["key"]
        plain = f"/files/{key}"
        assert materials[1]["url"].startswith(f"{plain}?t=")
        assert "size=thumb" in materials[1]["thumbnailUrl"]
        assert materials[2]["key"] is None
        assert materials[2]["url"] is None and materials[2]["thumbnailUrl"] is None
        stored = (client.app.state.gridgov.settings.uploads / key).read_bytes()

        # the agent: by the link and by the bearer token; the thumbnail too
        answer = await fetch(client, materials[1]["url"])
        assert answer.status_code == 200, answer.text
        assert answer.content == stored and answer.headers["content-type"] == "image/jpeg"
        assert (await fetch(client, plain, agent)).status_code == 200
        thumb = await fetch(client, materials[1]["thumbnailUrl"])
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"

        # the applicant's account, the item's department, the command centre (service
        # everywhere): each by the link the API gives them and by their token
        for reader in ("citizen", STAFF, "command"):
            token = await client.login(reader)
            seen = by_seq(data(await client.gql(MATERIALS, {"id": app_id}))["application"])
            answer = await fetch(client, seen[1]["url"])
            assert answer.status_code == 200 and answer.content == stored, reader
            assert (await fetch(client, plain, token)).status_code == 200, reader

        # another applicant files their own; each applicant reads only their own file
        other = await client.login("citizen-other")
        own = {
            "itemId": str(item_id),
            "channel": "WINDOW",
            "applicantName": "李四",
            "visits": 1,
            "materials": [{"seq": 1}, {"seq": 2}],
        }
        theirs = data(await submit(client, own, {0: photo(600, 400)}))["submitApplication"]
        their_key = by_seq(theirs)[1]["key"]
        assert their_key != key
        their_plain = f"/files/{their_key}"
        assert (await fetch(client, their_plain, other)).status_code == 200
        assert (await fetch(client, by_seq(theirs)[1]["url"])).status_code == 200
        assert (await fetch(client, plain, other)).status_code == 404
        citizen = await client.login("citizen")
        assert (await fetch(client, their_plain, citizen)).status_code == 404

        # who does not see the application: 404, the thumbnail too
        for outsider in ("ds-511504-health", stranger, f"cs-{person.grid[:12]}", "admin"):
            token = await client.login(outsider)
            assert (await fetch(client, plain, token)).status_code == 404, outsider
            assert (await fetch(client, f"{plain}?size=thumb", token)).status_code == 404
        assert (await fetch(client, plain)).status_code == 404  # nobody

    # the plugin disabled: its files are nobody's
    async with app_client(url, disabled_plugins="e_governance") as client:
        agent = await client.login(f"gw-{person.grid}")
        assert (await fetch(client, plain, agent)).status_code == 404
        assert (await fetch(client, materials[1]["url"])).status_code == 404
        command = await client.login("command")
        assert (await fetch(client, plain, command)).status_code == 404
