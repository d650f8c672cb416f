"""People, places, things, organizations and departments: scoped, masked, batched."""

from __future__ import annotations

import re

import pytest

PERSONS = """query($c: String, $n: Int!, $a: String) {
  persons(regionCode: $c, first: $n, after: $a) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name gender birthDate idNumber phone address regionCode residenceType
      relation grid { code worker { name } } household { code members { name } }
      specialGroups { code nameZh } location } }
  }
}"""


async def test_persons_need_a_staff_login(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        anonymous = await client.gql(PERSONS, {"n": 5})
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        await client.login("citizen")
        citizen = await client.gql(PERSONS, {"n": 5})
        assert citizen["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert citizen["data"] is None


async def test_department_sees_its_grant_masked(demo_url, app_client) -> None:
    """Civil affairs holds person:basic and person:special_group on the district."""
    async with app_client(demo_url) as client:
        await client.login("ds-511504-civil-affairs")
        result = await client.gql(PERSONS, {"n": 100})
        assert "errors" not in result, result
        people = [e["node"] for e in result["data"]["persons"]["edges"]]
        assert people and all(p["specialGroups"] is not None for p in people)
        for p in people:
            if p["idNumber"] is not None:
                assert re.fullmatch(r"\d{6}\*{8}[\dX]{4}", p["idNumber"]), p["idNumber"]
            if p["phone"]:
                assert re.fullmatch(r"\d{3}\*{4}\d{4}", p["phone"]), p["phone"]
            assert p["grid"]["code"] == p["regionCode"]
            assert p["location"]["type"] == "Point"
        assert result["data"]["persons"]["totalCount"] == 3000  # the whole district
        await client.login("ds-511504-health")  # person:basic only
        health = await client.gql(PERSONS, {"n": 5})
        assert all(e["node"]["specialGroups"] is None for e in health["data"]["persons"]["edges"])


async def test_township_staff_see_their_township_only_unmasked(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        await client.login("ts-511504100")
        result = await client.gql(PERSONS, {"n": 100})
        people = [e["node"] for e in result["data"]["persons"]["edges"]]
        assert people and all(p["regionCode"].startswith("511504100") for p in people)
        assert all("*" not in (p["idNumber"] or "") for p in people)  # audited, see test_authz
        # asking for another township is not an error: it is simply outside their reach
        other = await client.gql(PERSONS, {"n": 5, "c": "511504101"})
        assert other["data"]["persons"]["totalCount"] == 0
        await client.login("ds-511504-education")  # no grant on people at all
        denied = await client.gql(PERSONS, {"n": 5})
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_grid_worker_sees_their_grid(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        first = await client.gql("{ grids(first: 1) { edges { node { code } } } }")
        code = first["data"]["grids"]["edges"][0]["node"]["code"]
        await client.login(f"gw-{code}")
        result = await client.gql(PERSONS, {"n": 100})
        codes = {e["node"]["regionCode"] for e in result["data"]["persons"]["edges"]}
        assert codes == {code}


async def test_person_page_statements_do_not_grow(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        await client.login("admin")
        await client.gql(PERSONS, {"n": 1})  # the first request loads the grants
        counts = {}
        for n in (1, 20, 100):
            client.sql.reset()
            result = await client.gql(PERSONS, {"n": n})
            assert "errors" not in result, result
            assert len(result["data"]["persons"]["edges"]) == n
            counts[n] = client.sql.count
        assert counts[1] == counts[20] == counts[100], counts


async def test_person_pages_walk_without_gaps(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        await client.login("cs-511504100200")
        seen: list[str] = []
        after = None
        while True:
            page = (await client.gql(PERSONS, {"n": 7, "a": after}))["data"]["persons"]
            seen.extend(e["node"]["id"] for e in page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert len(seen) == len(set(seen)) == page["totalCount"] > 0


@pytest.mark.parametrize(
    ("field", "kinds"),
    [
        ("places", {"BUILDING", "HOUSE"}),
        ("things", {"COMPONENT", "FACILITY", "IOT_DEVICE"}),
        ("organizations", {"ENTERPRISE", "PARTY_ORGANIZATION", "SOCIAL_ORGANIZATION"}),
    ],
)
async def test_other_domains_are_listed_by_region(demo_url, app_client, field, kinds) -> None:
    async with app_client(demo_url) as client:
        await client.login("admin")
        query = f"""query($c: String) {{ {field}(regionCode: $c, first: 100) {{ totalCount
          edges {{ node {{ id kind name regionCode grid {{ code }} }} }} }} }}"""
        result = await client.gql(query, {"c": "511504"})
        assert "errors" not in result, result
        nodes = [e["node"] for e in result["data"][field]["edges"]]
        assert len(nodes) == 100 and {n["kind"] for n in nodes} <= kinds
        filtered = await client.gql(
            f'query {{ {field}(regionCode: "511504100", first: 5) {{ edges {{ node {{ regionCode }} }} }} }}'  # noqa: E501
        )
        assert all(
            e["node"]["regionCode"].startswith("511504100")
            for e in filtered["data"][field]["edges"]
        )


async def test_departments_are_functional_grids(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        result = await client.gql("""{ departments(first: 100) { totalCount edges { node {
            code name type areas region { code } } } } }""")
        departments = [e["node"] for e in result["data"]["departments"]["edges"]]
        assert result["data"]["departments"]["totalCount"] == len(departments) == 16 + 18
        police = [d for d in departments if d["type"] == "police_station"]
        assert len(police) == 18
        assert all(d["areas"] == [d["region"]["code"][:9]] for d in police)
        one = await client.gql('{ department(code: "511504-CIVIL-AFFAIRS") { name areas } }')
        assert one["data"]["department"] == {"name": "叙州区民政局", "areas": ["511504"]}
        missing = await client.gql('{ department(code: "NOPE") { name } }')
        assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_graphiql_outside_production_only(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        page = await client.http.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
    async with app_client(demo_url, environment="production") as client:
        page = await client.http.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in page.text.lower()
