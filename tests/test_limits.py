"""Abuse limits: refused with clear errors before any execution."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from core.plugins import make_plugin_manager
from core.settings import Settings
from schema.build import build_schema
from schema.limits import query_cost
from tests.test_locate import inner_points


def nested(depth: int) -> str:
    inner = "code"
    for _ in range(depth):
        inner = f"parent {{ {inner} }}"
    return f'{{ region(code: "511504100200") {{ {inner} }} }}'


async def test_deep_query_is_refused(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        result = await client.gql(nested(20))
        assert client.sql.count == 0  # refused before execution
        error = result["errors"][0]
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "depth" in error["message"]
        assert "errors" not in await client.gql(nested(3))


async def test_many_aliases_are_refused(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        query = "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(100)) + " }"
        result = await client.gql(query)
        assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "aliases" in result["errors"][0]["message"]
        assert client.sql.count == 0


async def test_costly_nested_lists_are_refused(demo_url, app_client) -> None:
    query = """{ regions(first: 100) { edges { node { children(first: 100) { edges { node {
      grids(first: 100) { edges { node { code worker { name } } } } } } } } } } }"""
    async with app_client(demo_url) as client:
        result = await client.gql(query)
        error = result["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["cost"] > 1_000_000 and "limit" in error["message"]
        assert result["data"] is None and client.sql.count == 0
        fragment = """query { regions(first: 100) { ...R } }
          fragment R on RegionConnection { edges { node { children(first: 100) { edges {
          node { grids(first: 100) { nodes { code } } } } } } } }"""
        assert (await client.gql(fragment))["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        small = await client.gql(
            "{ grids(first: 100) { edges { node { code worker { name } region { code name } } } } }"
        )
        assert "errors" not in small


async def test_large_bodies_and_too_many_requests(demo_url, app_client) -> None:
    async with app_client(demo_url, max_body_bytes=2048, rate_limit_per_minute=5) as client:
        big = await client.http.post(
            "/graphql", json={"query": "{ me { id } }", "variables": {"x": "y" * 5000}}
        )
        assert big.status_code == 413
        assert big.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        codes = [
            (await client.http.post("/graphql", json={"query": "{ me { id } }"})).status_code
            for _ in range(6)
        ]
        assert codes == [200] * 5 + [429]


@pytest.mark.parametrize("production", [False, True])
async def test_introspection_and_suggestions_only_outside_production(
    demo_url, app_client, production
) -> None:
    env = "production" if production else "development"
    async with app_client(demo_url, environment=env) as client:
        schema = await client.gql("{ __schema { queryType { name } } }")
        typo = await client.gql("{ grids(first: 1) { edges { node { cod } } } }")
        if production:
            assert schema["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
            assert "Did you mean" not in typo["errors"][0]["message"]
        else:
            assert schema["data"]["__schema"]["queryType"]["name"] == "Query"
            assert "Did you mean" in typo["errors"][0]["message"]


async def test_nul_characters_and_malformed_ids_are_bad_input(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        await client.login("command")
        nul = await client.gql(
            "query($c: String!){ gridVersions(code: $c) { code } }", {"c": "5115\x00"}
        )
        assert nul["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        literal = await client.gql('{ gridVersions(code: "a\\u0000b") { code } }')
        assert literal["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        for bad in ("abc", "-1", "", "99999999999999999999", "１２"):
            result = await client.gql("query($id: ID!){ event(id: $id) { id } }", {"id": bad})
            assert result["errors"][0]["extensions"] == {
                "code": "BAD_USER_INPUT",
                "argument": "id",
            }, bad


async def test_repeated_documents_are_validated_once(demo_url, app_client) -> None:
    """Limits must not defeat the validation cache (it is keyed by the rule classes); the
    full path is checked here, with the lean path off."""
    from strawberry.extensions.validation_cache import _get_validate_cache

    cache = _get_validate_cache(512)
    async with app_client(demo_url, lean_requests=False) as client:
        query = "{ grids(first: 3) { edges { node { code } } } }"
        await client.gql(query)
        before = cache.cache_info()
        for _ in range(3):
            await client.gql(query)
        after = cache.cache_info()
    assert after.hits - before.hits == 3 and after.misses == before.misses


async def test_the_lean_path_prepares_each_document_once(demo_url, app_client, monkeypatch) -> None:
    from schema.lean.documents import PreparedDocuments

    prepared: list[str] = []
    original = PreparedDocuments._prepare

    def counting(self: PreparedDocuments, text: str) -> object:
        prepared.append(text)
        return original(self, text)

    monkeypatch.setattr(PreparedDocuments, "_prepare", counting)
    async with app_client(demo_url) as client:
        query = "{ grids(first: 3) { edges { node { code } } } }"
        for _ in range(4):
            assert len((await client.gql(query))["data"]["grids"]["edges"]) == 3
        invalid = "{ grids(first: 3) { nope } }"
        for _ in range(2):
            errors = (await client.gql(invalid))["errors"]
            assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert prepared == [query, invalid]


async def test_a_cost_beyond_64_bits_is_reported_not_a_500(demo_url, app_client) -> None:
    """Found by the fuzzer: page sizes near 2^31 nested three deep make a cost past the
    64-bit range, which the JSON encoder refused (HTTP 500)."""
    big = 2_147_483_647
    query = f"""{{ grids(first: {big}) {{ nodes {{ events(first: {big}) {{ grid {{
      events(first: {big}) {{ id }} }} }} }} }} }}"""
    async with app_client(demo_url) as client:
        response = await client.http.post("/graphql", json={"query": query})
        assert response.status_code == 200
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["cost"] > 2**64 and client.sql.count == 0


@pytest.fixture(scope="module")
def graphql_schema() -> Any:
    settings = Settings()
    schema = build_schema(make_plugin_manager(settings), settings)
    return schema._schema


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        # a page size left out counts as the default page (50)
        ("{ regions { totalCount } }", None, 1 + 50),
        ("{ regions(first: 2) { totalCount } }", None, 1 + 2),
        ("{ regions(first: 0) { totalCount } }", None, 1 + 1),
        # a variable: its value, else its own default, else the argument's
        ("query($n: Int) { regions(first: $n) { totalCount } }", {"n": 4}, 1 + 4),
        ("query($n: Int = 7) { regions(first: $n) { totalCount } }", None, 1 + 7),
        ("query($n: Int) { regions(first: $n) { totalCount } }", None, 1 + 50),
        # fragments, aliases and merged fields count as the executor runs them
        ("{ ...Q } fragment Q on Query { regions { totalCount } }", None, 1 + 50),
        ("{ regions { totalCount } regions { totalCount } }", None, 1 + 50),
        ("{ a: regions { totalCount } b: regions(first: 1) { totalCount } }", None, 51 + 2),
        ("{ regions { ... on RegionConnection { totalCount } } }", None, 1 + 50),
        # skipped fields cost nothing
        (
            "query($s: Boolean!) { regions { totalCount } grids @skip(if: $s) { totalCount } }",
            {"s": True},
            1 + 50,
        ),
        (
            "query($s: Boolean = false) { regions { totalCount } "
            "grids @include(if: $s) { totalCount } }",
            None,
            1 + 50,
        ),
        (
            "query($s: Boolean!) { regions { totalCount } grids @skip(if: $s) { totalCount } }",
            {"s": False},
            2 * (1 + 50),
        ),
        # nested lists multiply
        (
            '{ region(code: "511504") { children { nodes { grids { nodes { code } } } } } }',
            None,
            1 + (1 + 50 * (1 + (1 + 50 * (1 + 1)))),  # region children nodes grids nodes code
        ),
        # variables that do not coerce: the executor refuses the request, nothing to count
        ("query($n: Int) { regions(first: $n) { totalCount } }", {"n": "x"}, 0),
    ],
)
def test_query_cost_counts_what_will_run(graphql_schema, query, variables, cost) -> None:
    assert query_cost(graphql_schema, parse(query), None, variables) == cost


async def test_lists_selected_without_arguments_answer(demo_url, app_client) -> None:
    """Found by a newcomer: every list left at its default page crashed the cost limit."""
    community = (await inner_points(demo_url, 1))[0][2][:12]
    async with app_client(demo_url) as client:
        await client.login("command")
        regions = await client.gql("{ regions { totalCount } }")
        assert regions["data"]["regions"]["totalCount"] > 0, regions
        children = await client.gql('{ region(code: "511504") { children { totalCount } } }')
        assert children["data"]["region"]["children"]["totalCount"] > 0, children
        grids = await client.gql("{ grids(first: 1) { edges { node { code events { id } } } } }")
        assert len(grids["data"]["grids"]["edges"]) == 1, grids
        here = await client.gql(f'{{ here(code: "{community}") {{ events {{ totalCount }} }} }}')
        assert here["data"]["here"]["events"]["totalCount"] >= 0, here
        # a nullable variable may stand for `first: Int! = 50`; sent as null it is bad input
        null = await client.gql("query($n: Int) { regions(first: $n) { totalCount } }", {"n": None})
        assert null["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", null
