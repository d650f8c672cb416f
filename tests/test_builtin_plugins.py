"""The built-in plugins are ordinary entry-point plugins: each can be switched off alone,
removing exactly what it adds, and with all of them off the core still serves."""

from __future__ import annotations

import importlib.metadata

import pytest
from graphql import GraphQLObjectType, GraphQLScalarType

from core.plugins import ENTRY_POINT_GROUP, make_plugin_manager
from core.settings import Settings
from schema.build import build_schema
from tests.test_events import REPORT, report_input
from tests.test_locate import inner_points
from tests.test_records import demo_copy

BUILTINS = sorted(
    p.name
    for p in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    if p.value.startswith("plugins.")
)


def shape(disabled: list[str]) -> set[str]:
    """Every type and every Type.field of the schema built with ``disabled`` off. Scalars
    are left out: one (``Decimal``) may serve several plugins, owned by none."""
    settings = Settings(disabled_plugins=",".join(disabled))
    schema = build_schema(make_plugin_manager(settings), settings)._schema
    out: set[str] = set()
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or isinstance(type_, GraphQLScalarType):
            continue
        out.add(name)
        if isinstance(type_, GraphQLObjectType):
            out.update(f"{name}.{field}" for field in type_.fields)
    return out


def test_the_builtins_come_through_the_entry_point_group() -> None:
    assert BUILTINS == [
        "analytics",
        "attendance",
        "e_governance",
        "early_warning",
        "party_building",
    ]


@pytest.mark.parametrize("plugin", BUILTINS)
def test_disabling_a_plugin_removes_exactly_what_it_adds(plugin: str) -> None:
    others = [p for p in BUILTINS if p != plugin]
    alone = shape(others) - shape(BUILTINS)  # what the plugin adds to the bare core
    removed = shape([]) - shape([plugin])  # what switching it off takes away
    assert removed == alone
    assert shape([plugin]) <= shape([])  # and nothing appears


async def test_with_every_plugin_off_the_core_serves(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    lon, lat, grid = (await inner_points(url, 1))[0]
    async with app_client(url, disabled_plugins=",".join(BUILTINS)) as client:
        await client.login("command")
        grids = await client.gql(
            "{ grids(first: 2) { totalCount nodes { code worker { name } } } }"
        )
        assert grids["data"]["grids"]["totalCount"] == 579, grids
        persons = await client.gql("{ persons(first: 2) { totalCount nodes { name } } }")
        assert persons["data"]["persons"]["totalCount"] > 0, persons
        await client.login("citizen")
        reported = await client.gql(REPORT, {"input": report_input(lon, lat)})
        assert "errors" not in reported, reported
        event = reported["data"]["reportEvent"]["event"]["id"]
        await client.login(f"gw-{grid}")
        accepted = await client.gql(
            "mutation($id: ID!) { acceptEvent(id: $id) { status } }", {"id": event}
        )
        assert accepted["data"]["acceptEvent"]["status"] == "ACCEPTED", accepted
        gone = await client.gql('{ attendanceReport(month: "2026-11") { month } }')
        assert gone["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
