"""Importing, redrawing and exporting grids; assigning workers with history."""

from __future__ import annotations

import json

from shapely.geometry import mapping, shape

from tests.test_records import count, demo_copy

IMPORT = """mutation($fc: JSON!, $dry: Boolean!) { importGrids(featureCollection: $fc,
  dryRun: $dry) { created redrawn unchanged reassigned dryRun gaps { communityCode areaM2 } } }"""
EXPORT = "query($c: String){ gridsGeojson(regionCode: $c) }"


def feature(code: str, geom, name: str = "网格", kind: str = "urban") -> dict:  # type: ignore[no-untyped-def]
    return {
        "type": "Feature",
        "geometry": mapping(geom),
        "properties": {"code": code, "name": name, "kind": kind},
    }


def fc(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


async def urban_pair(client) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """Two neighbouring urban grids of one community, as exported features."""
    exported = (await client.gql(EXPORT, {"c": "511504001"}))["data"]["gridsGeojson"]
    by_community: dict[str, list[dict]] = {}
    for f in exported["features"]:
        by_community.setdefault(f["properties"]["communityCode"], []).append(f)
    for feats in by_community.values():
        for a in feats:
            for b in feats:
                if a is not b and shape(a["geometry"]).touches(shape(b["geometry"])):
                    return a, b
    raise AssertionError("no neighbouring grids")


async def test_export_and_unchanged_reimport(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    async with app_client(url) as client:
        await client.login("admin")
        exported = (await client.gql(EXPORT, {"c": "511504001001"}))["data"]["gridsGeojson"]
        codes = [f["properties"]["code"] for f in exported["features"]]
        assert codes and all(c.startswith("511504001001") for c in codes)
        report = (await client.gql(IMPORT, {"fc": exported, "dry": False}))["data"]
        assert report["importGrids"]["unchanged"] == codes
        assert report["importGrids"]["created"] == report["importGrids"]["redrawn"] == []


async def test_one_bad_feature_changes_nothing_and_is_named(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    async with app_client(url) as client:
        await client.login("admin")
        a, b = await urban_pair(client)
        ga, gb = shape(a["geometry"]), shape(b["geometry"])
        grown = ga.union(gb.intersection(ga.buffer(0.001)))  # eats into its neighbour
        minx, miny, maxx, maxy = gb.bounds
        bowtie = {
            "type": "Polygon",
            "coordinates": [[[minx, miny], [maxx, maxy], [maxx, miny], [minx, maxy], [minx, miny]]],
        }
        versions = await count(url, "SELECT count(*) FROM grid")
        for bad, needle in (
            (
                feature(a["properties"]["code"], grown),
                f"overlaps the existing grid {b['properties']['code']}",
            ),
            ({**feature(b["properties"]["code"], gb), "geometry": bowtie}, "Self-intersection"),
        ):
            good = feature(a["properties"]["code"], ga, name="改名")
            result = await client.gql(
                IMPORT,
                {
                    "fc": fc(good, bad)
                    if bad["properties"]["code"] != good["properties"]["code"]
                    else fc(bad),
                    "dry": False,
                },
            )
            error = result["errors"][0]
            assert error["extensions"]["code"] == "BAD_USER_INPUT", result
            assert needle in error["message"] and "nothing changed" in error["message"]
        assert await count(url, "SELECT count(*) FROM grid") == versions
        assert await count(url, "SELECT count(*) FROM grid WHERE name = '改名'") == 0


async def test_redraw_keeps_history_and_reassigns_records(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    async with app_client(url) as client:
        await client.login("admin")
        a, b = await urban_pair(client)
        code_a, code_b = a["properties"]["code"], b["properties"]["code"]
        ga, gb = shape(a["geometry"]), shape(b["geometry"])
        strip = gb.intersection(ga.buffer(0.003))
        moved = await count(
            url,
            f"""SELECT count(*) FROM person p JOIN grid g ON g.id = p.grid_id
            WHERE g.code = '{code_b}' AND ST_Intersects(p.geom,
            ST_GeomFromGeoJSON('{json.dumps(mapping(strip))}'))""",
        )
        new = fc(feature(code_a, ga.union(strip)), feature(code_b, gb.difference(strip)))
        dry = (await client.gql(IMPORT, {"fc": new, "dry": True}))["data"]["importGrids"]
        assert dry["redrawn"] == [code_a, code_b] and dry["dryRun"]
        assert await count(url, f"SELECT count(*) FROM grid WHERE code = '{code_a}'") == 1
        result = (await client.gql(IMPORT, {"fc": new, "dry": False}))["data"]["importGrids"]
        assert result["redrawn"] == [code_a, code_b] and result["gaps"] == []
        assert result["reassigned"] >= moved
        versions = (
            await client.gql(
                "query($c: String!){ gridVersions(code: $c){ validFrom validTo } }", {"c": code_a}
            )
        )["data"]["gridVersions"]
        assert len(versions) == 2 and versions[0]["validTo"] and versions[1]["validTo"] is None
        grid = (
            await client.gql(
                "query($c: String!){ grid(code: $c){ worker { name } } }", {"c": code_a}
            )
        )["data"]["grid"]
        assert grid["worker"]["name"]  # the worker stays with the grid
    stale = await count(
        url,
        """SELECT count(*) FROM person p JOIN grid g ON g.id = p.grid_id
                                WHERE g.valid_to IS NOT NULL""",
    )
    wrong = await count(
        url,
        """SELECT count(*) FROM person p JOIN grid g ON g.id = p.grid_id
                                WHERE NOT ST_Covers(g.geom, p.geom) OR p.region_code <> g.code""",
    )
    assert stale == 0 and wrong == 0


async def test_new_grid_and_gap_report(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    async with app_client(url) as client:
        await client.login("admin")
        a, _ = await urban_pair(client)
        code = a["properties"]["code"]
        ga = shape(a["geometry"])
        half = ga.intersection(ga.centroid.buffer(0.002))
        result = await client.gql(
            IMPORT, {"fc": fc(feature(code, ga.difference(half))), "dry": True}
        )
        gaps = result["data"]["importGrids"]["gaps"]
        assert gaps and gaps[0]["communityCode"] == code[:12] and gaps[0]["areaM2"] > 1000
        new_code = code[:12] + "998"
        result = await client.gql(
            IMPORT,
            {"fc": fc(feature(code, ga.difference(half)), feature(new_code, half)), "dry": False},
        )
        report = result["data"]["importGrids"]
        assert report["created"] == [new_code] and report["redrawn"] == [code]
        assert report["gaps"] == []
        unknown = await client.gql(
            IMPORT, {"fc": fc(feature("511504001199001", half)), "dry": False}
        )
        assert "does not exist" in unknown["errors"][0]["message"]
        await client.login("citizen")
        denied = await client.gql(IMPORT, {"fc": fc(feature(code, ga)), "dry": True})
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_assign_worker_keeps_history(pg_server, template_db, app_client) -> None:
    url = await demo_copy(pg_server, template_db)
    async with app_client(url) as client:
        await client.login("admin")
        a, b = await urban_pair(client)
        code_a, code_b = a["properties"]["code"], b["properties"]["code"]
        assign = (
            "mutation($g: String!, $w: String!){ assignGridWorker(gridCode: $g, "
            "worker: $w){ code worker { name } } }"
        )
        busy = await client.gql(assign, {"g": code_a, "w": f"gw-{code_b}"})
        assert busy["errors"][0]["extensions"]["code"] == "CONFLICT"
        not_worker = await client.gql(assign, {"g": code_a, "w": "citizen"})
        assert not_worker["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        from tests.test_cli import run_cli

        run_cli(
            [
                "user",
                "add",
                "gw-new",
                "--role",
                "grid_worker",
                "--name",
                "新网格员",
                "--password-stdin",
            ],
            url,
            stdin="a-good-password\n",
        )
        done = await client.gql(assign, {"g": code_a, "w": "gw-new"})
        assert done["data"]["assignGridWorker"]["worker"]["name"] == "新网格员"
        history = (
            await client.gql(
                "query($c: String!){ gridWorkerHistory(code: $c){ workerUsername validTo } }",
                {"c": code_a},
            )
        )["data"]
        terms = history["gridWorkerHistory"]
        assert [t["workerUsername"] for t in terms] == [f"gw-{code_a}", "gw-new"]
        assert terms[0]["validTo"] and terms[1]["validTo"] is None


async def test_cli_export_then_dry_run_import(pg_server, template_db, tmp_path) -> None:
    from tests.test_cli import run_cli

    url = await demo_copy(pg_server, template_db)
    out = tmp_path / "grids.geojson"
    result = run_cli(["grids", "export", "--region", "511504100", "--output", str(out)], url)
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert collection["features"] and "grids written" in result.stderr
    dry = run_cli(["grids", "import", str(out), "--dry-run"], url)
    assert f"0 created, 0 redrawn, {len(collection['features'])} unchanged" in dry.stderr
    broken = collection["features"][0]
    broken["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
    }
    out.write_text(json.dumps(collection), encoding="utf-8")
    refused = run_cli(["grids", "import", str(out)], url, check=False)
    assert refused.returncode == 1 and "Self-intersection" in refused.stderr
    assert broken["properties"]["code"] in refused.stderr
