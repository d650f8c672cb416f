"""Creating located records: validated, coded on write, within the actor's area."""

from __future__ import annotations

import pytest

from core.codes.identity import make_identity_number
from tests.fixtures import load_demo_into, sql_scalar
from tests.test_locate import inner_points

CREATE = """mutation($input: CreatePersonInput!) { createPerson(input: $input) {
  id name gender birthDate idNumber regionCode beidouCode grid { code } location } }"""


async def count(url: str, sql: str) -> int:
    return int(await sql_scalar(url, sql))


async def _small_demo(url: str) -> None:
    # the tests write the events they count
    await load_demo_into(url, persons=200, seed=11, events=0)


async def demo_copy(pg_server, template_db) -> str:  # type: ignore[no-untyped-def]
    """A writable demo of this test's own: a copy of a small demo loaded once."""
    source = await pg_server.template("demo", template_db, _small_demo)
    return str(await pg_server.create(pg_server.new_name("w"), template=source))


async def test_create_person_is_coded_on_write(pg_server, template_db, app_client) -> None:
    from datetime import date

    url = await demo_copy(pg_server, template_db)
    lon, lat, code = (await inner_points(url, 1))[0]
    id_number = make_identity_number("511504", date(1980, 5, 17), 123, "female")
    async with app_client(url) as client:
        await client.login(f"gw-{code}")
        result = await client.gql(
            CREATE,
            {
                "input": {
                    "name": "王芳",
                    "idNumber": id_number,
                    "location": {"lon": lon, "lat": lat},
                    "collectedAt": "2026-11-25T10:30:00+08:00",
                }
            },
        )
        assert "errors" not in result, result
        person = result["data"]["createPerson"]
        assert person["gender"] == "FEMALE" and person["birthDate"] == "1980-05-17"
        assert person["regionCode"] == code and person["grid"]["code"] == code
        assert person["idNumber"] == id_number  # the grid's own worker holds person:identity
        assert len(person["beidouCode"]) == 20
        assert person["location"]["type"] == "Point"  # 7 decimals, about 1 cm
        assert person["location"]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)
    stored = await count(
        url,
        f"SELECT count(*) FROM person WHERE id_number = '{id_number}' "
        "AND time_code = '20261125103000' AND collected_by IS NOT NULL",
    )
    assert stored == 1


async def test_invalid_identity_numbers_are_refused_and_nothing_written(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    lon, lat, _ = (await inner_points(url, 1))[0]
    before = await count(url, "SELECT count(*) FROM person")
    async with app_client(url) as client:
        await client.login("command")
        for id_number, needle in (
            ("511504198005171232", "check character"),
            ("51150419800230123X", "not a real date"),
            ("5115041980", "18"),
        ):
            result = await client.gql(
                CREATE,
                {
                    "input": {
                        "name": "某人",
                        "idNumber": id_number,
                        "location": {"lon": lon, "lat": lat},
                    }
                },
            )
            error = result["errors"][0]
            assert error["extensions"]["code"] == "BAD_USER_INPUT", result
            assert error["extensions"]["argument"] == "idNumber" and needle in error["message"]
        missing = await client.gql(
            CREATE, {"input": {"name": "某人", "location": {"lon": lon, "lat": lat}}}
        )
        assert missing["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await count(url, "SELECT count(*) FROM person") == before


async def test_records_outside_reach_are_forbidden(pg_server, template_db, app_client) -> None:
    from datetime import date

    url = await demo_copy(pg_server, template_db)
    (lon, lat, _), (_, _, other) = await inner_points(url, 2)
    id_number = make_identity_number("511504", date(1990, 1, 2), 7, "male")
    async with app_client(url) as client:
        await client.login(f"gw-{other}")
        result = await client.gql(
            CREATE,
            {
                "input": {
                    "name": "张三",
                    "idNumber": id_number,
                    "location": {"lon": lon, "lat": lat},
                }
            },
        )
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        await client.login("command")  # outside every grid: kept, unassigned
        result = await client.gql(
            CREATE,
            {
                "input": {
                    "name": "张三",
                    "idNumber": id_number,
                    "location": {"lon": 110.0, "lat": 30.0},
                }
            },
        )
        person = result["data"]["createPerson"]
        assert person["grid"] is None and person["regionCode"] == "511504"
        again = await client.gql(
            CREATE,
            {
                "input": {
                    "name": "张三",
                    "idNumber": id_number,
                    "location": {"lon": lon, "lat": lat},
                }
            },
        )
        assert again["errors"][0]["extensions"]["code"] == "CONFLICT"


async def test_create_place_thing_organization(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    lon, lat, code = (await inner_points(url, 1))[0]
    where = {"lon": lon, "lat": lat}
    async with app_client(url) as client:
        await client.login("command")
        place = await client.gql(
            """mutation($i: CreatePlaceInput!){ createPlace(input: $i){
            id kind regionCode beidouCode } }""",
            {"i": {"kind": "VENUE", "name": "文化广场", "location": where}},
        )
        assert place["data"]["createPlace"]["regionCode"] == code, place
        thing = await client.gql(
            """mutation($i: CreateThingInput!){ createThing(input: $i){
            kind category regionCode place { id } } }""",
            {
                "i": {
                    "kind": "IOT_DEVICE",
                    "category": "camera",
                    "name": "广场摄像头",
                    "location": where,
                    "placeId": place["data"]["createPlace"]["id"],
                }
            },
        )
        assert thing["data"]["createThing"]["place"]["id"] == place["data"]["createPlace"]["id"]
        org = await client.gql(
            """mutation($i: CreateOrganizationInput!){
            createOrganization(input: $i){ kind name uscc regionCode } }""",
            {
                "i": {
                    "kind": "ENTERPRISE",
                    "name": "叙州区测试有限公司",
                    "location": where,
                    "uscc": "91511504MA62ABCD1X",
                }
            },
        )
        assert org["data"]["createOrganization"]["regionCode"] == code, org
        bad = await client.gql(
            """mutation($i: CreateThingInput!){ createThing(input: $i){
            kind } }""",
            {"i": {"kind": "spaceship", "category": "x", "name": "x", "location": where}},
        )
        # not a ThingKind: refused by validation, before the resolver runs
        assert bad["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
        assert "ThingKind" in bad["errors"][0]["message"]
