"""Grid and region queries on the demo: pagination, batching, errors."""

from __future__ import annotations

import pytest

GRIDS = """query($n: Int!, $after: String) {
  grids(first: $n, after: $after) {
    edges { cursor node { code worker { name } region { code name } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.mark.parametrize(("compiled", "statements"), [(True, 1), (False, 3)])
async def test_grids_statement_count_does_not_grow_with_page_size(
    demo_url, app_client, compiled, statements
):
    async with app_client(demo_url, compiled_reads=compiled) as client:
        counts = {}
        for n in (1, 10, 100):
            client.sql.reset()
            result = await client.gql(GRIDS, {"n": n})
            assert "errors" not in result, result
            edges = result["data"]["grids"]["edges"]
            assert len(edges) == n
            assert all(e["node"]["worker"]["name"] for e in edges)
            assert all(e["node"]["code"].startswith(e["node"]["region"]["code"]) for e in edges)
            counts[n] = client.sql.count
        assert counts[1] == counts[10] == counts[100], counts
        # compiled: one statement; resolvers: grids page, workers batch, regions batch
        assert counts[100] == statements


async def test_cursor_walk_visits_every_grid_once(demo_url, app_client):
    async with app_client(demo_url) as client:
        seen: list[str] = []
        after = None
        while True:
            result = await client.gql(GRIDS, {"n": 100, "after": after})
            page = result["data"]["grids"]
            seen.extend(e["node"]["code"] for e in page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert len(seen) == 579 == len(set(seen))
        assert seen == sorted(seen)


async def test_region_tree_and_prefix_filter(demo_url, app_client):
    async with app_client(demo_url) as client:
        result = await client.gql("""{
          region(code: "511504") { name level children(first: 100) { totalCount
            edges { node { code prefix kind grids(first: 1) { totalCount } } } } }
        }""")
        assert "errors" not in result, result
        district = result["data"]["region"]
        assert district["name"] == "叙州区" and district["level"] == "DISTRICT"
        townships = district["children"]["edges"]
        assert district["children"]["totalCount"] == 18 == len(townships)
        assert sum(t["node"]["grids"]["totalCount"] for t in townships) == 579
        township = townships[0]["node"]["prefix"]
        grids = await client.gql(
            "query($c: String){ grids(regionCode: $c, first: 100)"
            "{ totalCount edges { node { code } } } }",
            {"c": township},
        )
        codes = [e["node"]["code"] for e in grids["data"]["grids"]["edges"]]
        assert codes and all(c.startswith(township) for c in codes)


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        (
            "query($c: String){ grids(regionCode: $c, first: 5){ totalCount } }",
            {"c": "511504199000"},
            "NOT_FOUND",
        ),
        (
            "query($c: String){ grids(regionCode: $c, first: 5){ totalCount } }",
            {"c": "51150X"},
            "BAD_USER_INPUT",
        ),
        (
            "query($c: String){ grids(regionCode: $c, first: 5){ totalCount } }",
            {"c": "5115041"},
            "BAD_USER_INPUT",
        ),
        (
            "query($a: String){ grids(first: 5, after: $a){ totalCount } }",
            {"a": "not-a-cursor"},
            "BAD_USER_INPUT",
        ),
        (
            "query($a: String){ grids(first: 5, after: $a){ totalCount } }",
            {"a": "WyJwZXJzb24iLDFd"},
            "BAD_USER_INPUT",
        ),  # a person-list cursor
        ("{ grids(first: 101){ totalCount } }", {}, "BAD_USER_INPUT"),
        ("{ grids(first: -1){ totalCount } }", {}, "BAD_USER_INPUT"),
        ('{ grid(code: "511504001001999"){ code } }', {}, "NOT_FOUND"),
        ('{ region(code: "abc"){ code } }', {}, "BAD_USER_INPUT"),
        ("{ grids(first: 5){ nope } }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("{ grids(first: ", {}, "GRAPHQL_PARSE_FAILED"),
        ("query($n: Int!){ grids(first: $n){ totalCount } }", {"n": "x"}, "BAD_USER_INPUT"),
    ],
)
async def test_bad_input_gets_coded_errors(demo_url, app_client, query, variables, code):
    async with app_client(demo_url) as client:
        result = await client.gql(query, variables)
        assert result.get("data") in (None, {}) or all(
            v is None for v in (result.get("data") or {}).values()
        ), result
        assert [e["extensions"]["code"] for e in result["errors"]] == [code], result


async def test_grid_by_code_with_geometry_and_worker_roles(demo_url, app_client):
    async with app_client(demo_url) as client:
        first = await client.gql("{ grids(first: 1){ edges { node { code } } } }")
        code = first["data"]["grids"]["edges"][0]["node"]["code"]
        result = await client.gql(
            "query($c: String!){ grid(code: $c){ code kind geometry "
            "worker { name phone roles { code duties { code } } grid { code } } } }",
            {"c": code},
        )
        grid = result["data"]["grid"]
        assert grid["geometry"]["type"] == "MultiPolygon"
        worker = grid["worker"]
        assert worker["grid"]["code"] == code
        assert "****" in worker["phone"]  # masked for the public
        assert [r["code"] for r in worker["roles"]] == [
            "informant",
            "publicist",
            "mediator",
            "co_manager",
            "server",
            "supervisor",
        ]
        assert sum(len(r["duties"]) for r in worker["roles"]) == 20
