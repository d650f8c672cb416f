"""Switched off, the plugin leaves nothing behind in the API: no party types or fields, no
smart-party-building panel or modules; the rest serves."""

from __future__ import annotations

from tests.test_records import demo_copy

PANELS = "{ dashboard { panelKeys } analysisModules { key } }"


async def test_disabling_removes_schema_and_panel(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    async with app_client(url) as client:
        await client.login("command")
        on = await client.gql(PANELS)
        assert "party_building" in on["data"]["dashboard"]["panelKeys"], on
        listed = await client.gql("{ partyOrganizations { totalCount } }")
        assert "errors" not in listed, listed
    async with app_client(url, disabled_plugins="party_building") as client:
        await client.login("command")
        off = await client.gql(PANELS)
        assert "errors" not in off, off
        assert "party_building" not in off["data"]["dashboard"]["panelKeys"]
        assert not [m for m in off["data"]["analysisModules"] if m["key"].startswith("party")]
        assert set(on["data"]["dashboard"]["panelKeys"]) - set(
            off["data"]["dashboard"]["panelKeys"]
        ) == {"party_building"}
        gone = await client.gql("{ partyOrganizations { totalCount } }")
        assert gone["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        introspected = await client.gql('{ __type(name: "PartyMember") { name } }')
        assert introspected["data"]["__type"] is None
        grids = await client.gql("{ grids(first: 1) { totalCount } }")
        assert grids["data"]["grids"]["totalCount"] == 579, grids
