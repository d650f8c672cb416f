from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point
from shapely.strtree import STRtree

from core.demo.geography import (
    URBAN_CENTRE,
    DemoPartition,
    build_partition,
    load_boundary,
)

TOWNSHIP_CODE = re.compile(r"511504\d{3}000")
COMMUNITY_CODE = re.compile(r"511504\d{6}")
GRID_CODE = re.compile(r"511504\d{9}")
HAN = re.compile(r"[\u4e00-\u9fff]+")
OVERLAP_TOLERANCE = 1e-12  # deg²


@pytest.fixture(scope="module")
def boundary() -> MultiPolygon:
    return load_boundary()


@pytest.fixture(scope="module")
def partition(boundary: MultiPolygon) -> DemoPartition:
    return build_partition(boundary)


def _overlaps(geoms: list[MultiPolygon]) -> tuple[float, list[tuple[int, int, float]]]:
    """Sum of pairwise intersection areas of neighbouring geometries, and the bad pairs."""
    tree = STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    areas = shapely.area(shapely.intersection(np.take(geoms, left), np.take(geoms, right)))
    bad = [
        (int(i), int(j), float(a))
        for i, j, a in zip(left, right, areas, strict=True)
        if a > OVERLAP_TOLERANCE
    ]
    return float(areas.sum()), bad


def _assert_tiles(part: DemoPartition, boundary: MultiPolygon) -> None:
    geoms = [g.geometry for g in part.grids]
    total, bad = _overlaps(geoms)
    assert total < OVERLAP_TOLERANCE
    assert bad == []
    union = shapely.coverage_union_all(np.array(geoms, dtype=object))
    assert abs(union.area - boundary.area) / boundary.area < 1e-9
    assert abs(sum(g.area for g in geoms) - boundary.area) / boundary.area < 1e-9
    assert shapely.symmetric_difference(union, boundary).area / boundary.area < 1e-9
    assert abs(part.district.area - boundary.area) / boundary.area < 1e-9
    for geom in geoms:
        assert geom.difference(boundary).area < OVERLAP_TOLERANCE


# ---------------------------------------------------------------------------- boundary


def test_load_boundary(boundary: MultiPolygon) -> None:
    assert isinstance(boundary, MultiPolygon)
    assert boundary.is_valid and not boundary.is_empty
    x0, y0, x1, y1 = boundary.bounds
    assert 103.9 < x0 < x1 < 104.9
    assert 28.2 < y0 < y1 < 29.4
    assert 0.2 < boundary.area < 0.3  # deg², about 2 600 km²


# ---------------------------------------------------------------------------- counts


def test_counts(partition: DemoPartition) -> None:
    kinds = Counter(g.kind for g in partition.grids)
    assert kinds == {"urban": 282, "rural": 297}
    assert len(partition.grids) == 579
    townships = Counter(t.kind for t in partition.townships)
    assert townships == {"street": 3, "town": 15}
    communities = Counter(c.kind for c in partition.communities)
    assert communities["village"] == 297
    assert communities["community"] >= 3


def test_each_village_has_exactly_one_grid(partition: DemoPartition) -> None:
    per_community = Counter(g.community_code for g in partition.grids)
    for community in partition.communities:
        if community.kind == "village":
            assert per_community[community.code] == 1
        else:
            assert per_community[community.code] >= 1


def test_urban_communities_group_several_grids(partition: DemoPartition) -> None:
    per_community = Counter(g.community_code for g in partition.grids if g.kind == "urban")
    sizes = list(per_community.values())
    assert 6 <= np.mean(sizes) <= 12
    assert min(sizes) >= 3
    assert max(sizes) <= 20


def test_every_parent_is_non_empty(partition: DemoPartition) -> None:
    per_township = Counter(c.township_code for c in partition.communities)
    assert all(per_township[t.code] >= 1 for t in partition.townships)
    per_community = Counter(g.community_code for g in partition.grids)
    assert all(per_community[c.code] >= 1 for c in partition.communities)


# ---------------------------------------------------------------------------- codes


def test_code_formats_and_nesting(partition: DemoPartition) -> None:
    townships = {t.code: t for t in partition.townships}
    communities = {c.code: c for c in partition.communities}
    for t in partition.townships:
        assert TOWNSHIP_CODE.fullmatch(t.code)
        segment = int(t.code[6:9])
        if t.kind == "street":
            assert 1 <= segment <= 99
        else:
            assert 100 <= segment <= 199
    for c in partition.communities:
        assert COMMUNITY_CODE.fullmatch(c.code)
        assert c.township_code in townships
        assert c.code[:9] == c.township_code[:9]
        segment = int(c.code[9:])
        township = townships[c.township_code]
        if c.kind == "community":
            assert township.kind == "street"
            assert 1 <= segment <= 199
        else:
            assert township.kind == "town"
            assert segment >= 200
    for g in partition.grids:
        assert GRID_CODE.fullmatch(g.code)
        assert g.community_code in communities
        assert g.code.startswith(g.community_code)
        assert 1 <= int(g.code[12:]) <= 999
        community = communities[g.community_code]
        assert (g.kind, community.kind) in {("urban", "community"), ("rural", "village")}


def test_segments_are_consecutive(partition: DemoPartition) -> None:
    streets = sorted(int(t.code[6:9]) for t in partition.townships if t.kind == "street")
    towns = sorted(int(t.code[6:9]) for t in partition.townships if t.kind == "town")
    assert streets == [1, 2, 3]
    assert towns == list(range(100, 115))
    sequences: dict[str, list[int]] = {}
    for g in partition.grids:
        sequences.setdefault(g.community_code, []).append(int(g.code[12:]))
    for seq in sequences.values():
        assert sorted(seq) == list(range(1, len(seq) + 1))


def test_codes_unique(partition: DemoPartition) -> None:
    codes = (
        [t.code for t in partition.townships]
        + [c.code for c in partition.communities]
        + [g.code for g in partition.grids]
    )
    assert len(codes) == len(set(codes))


# ---------------------------------------------------------------------------- names


def test_names(partition: DemoPartition) -> None:
    communities = {c.code: c for c in partition.communities}
    for t in partition.townships:
        assert HAN.fullmatch(t.name)
        assert t.name.endswith("街道" if t.kind == "street" else "镇")
    for c in partition.communities:
        assert HAN.fullmatch(c.name)
        assert c.name.endswith("社区" if c.kind == "community" else "村")
    for g in partition.grids:
        parent = communities[g.community_code]
        if g.kind == "urban":
            assert g.name == f"{parent.name}第{int(g.code[12:])}网格"
        else:
            assert g.name == f"{parent.name}网格"


def test_names_unique_within_parent(partition: DemoPartition) -> None:
    assert len({t.name for t in partition.townships}) == len(partition.townships)
    for key, items in (
        ("township_code", partition.communities),
        ("community_code", partition.grids),
    ):
        seen: set[tuple[str, str]] = set()
        for item in items:
            pair = (getattr(item, key), item.name)
            assert pair not in seen
            seen.add(pair)


# ---------------------------------------------------------------------------- geometry


def test_geometries_are_valid_multipolygons(partition: DemoPartition) -> None:
    everything = (
        [partition.district]
        + [t.geometry for t in partition.townships]
        + [c.geometry for c in partition.communities]
        + [g.geometry for g in partition.grids]
    )
    for geom in everything:
        assert isinstance(geom, MultiPolygon)
        assert geom.is_valid
        assert not geom.is_empty
        assert geom.area > 0


def test_grids_tile_the_boundary(partition: DemoPartition, boundary: MultiPolygon) -> None:
    _assert_tiles(partition, boundary)


def test_no_two_dimensional_interior_overlap(partition: DemoPartition) -> None:
    geoms = [g.geometry for g in partition.grids]
    tree = STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    touching = shapely.relate_pattern(
        np.take(geoms, left[keep]), np.take(geoms, right[keep]), "2********"
    )
    assert not touching.any()


@pytest.mark.skipif(not hasattr(shapely, "coverage_is_valid"), reason="needs shapely >= 2.1")
def test_coverages_are_valid(partition: DemoPartition) -> None:
    for items in (partition.grids, partition.communities, partition.townships):
        geoms = np.array([i.geometry for i in items], dtype=object)
        assert shapely.coverage_is_valid(geoms)


def test_boundary_vertices_are_preserved(partition: DemoPartition, boundary: MultiPolygon) -> None:
    original = {tuple(c) for c in shapely.get_coordinates(boundary).tolist()}
    kept = {tuple(c) for c in shapely.get_coordinates(partition.district).tolist()}
    assert original <= kept


def test_parents_are_unions_of_children(partition: DemoPartition) -> None:
    communities = {c.code: c for c in partition.communities}
    townships = {t.code: t for t in partition.townships}
    children: dict[str, list[MultiPolygon]] = {}
    for g in partition.grids:
        parent = communities[g.community_code].geometry
        assert g.geometry.difference(parent).area < OVERLAP_TOLERANCE
        children.setdefault(g.community_code, []).append(g.geometry)
    for code, geoms in children.items():
        area = sum(g.area for g in geoms)
        assert abs(area - communities[code].geometry.area) <= 1e-12 * max(area, 1.0)
    by_township: dict[str, float] = {}
    for c in partition.communities:
        township = townships[c.township_code].geometry
        assert c.geometry.difference(township).area < OVERLAP_TOLERANCE
        by_township[c.township_code] = by_township.get(c.township_code, 0.0) + c.geometry.area
    for code, area in by_township.items():
        assert abs(area - townships[code].geometry.area) <= 1e-12 * max(area, 1.0)


def test_urban_grids_small_and_clustered(partition: DemoPartition) -> None:
    urban = [g.geometry.area for g in partition.grids if g.kind == "urban"]
    rural = [g.geometry.area for g in partition.grids if g.kind == "rural"]
    assert np.mean(urban) * 10 < np.mean(rural)
    centre = Point(URBAN_CENTRE)
    for g in partition.grids:
        if g.kind == "urban":
            assert g.geometry.distance(centre) < 0.1  # deg, about 10 km


def test_streets_hold_the_urban_grids(partition: DemoPartition) -> None:
    urban = shapely.coverage_union_all(
        np.array([g.geometry for g in partition.grids if g.kind == "urban"], dtype=object)
    )
    streets = shapely.coverage_union_all(
        np.array([t.geometry for t in partition.townships if t.kind == "street"], dtype=object)
    )
    assert shapely.symmetric_difference(urban, streets).area < OVERLAP_TOLERANCE


# ---------------------------------------------------------------------------- determinism


def _fingerprint(part: DemoPartition) -> list[tuple[str, str, str, bytes]]:
    rows = [(t.code, t.name, t.kind, t.geometry.wkb) for t in part.townships]
    rows += [(c.code, c.name, c.kind, c.geometry.wkb) for c in part.communities]
    rows += [(g.code, g.name, g.kind, g.geometry.wkb) for g in part.grids]
    rows.append(("district", "", "", part.district.wkb))
    return rows


def test_deterministic_for_a_seed(partition: DemoPartition, boundary: MultiPolygon) -> None:
    again = build_partition(boundary, seed=1)
    assert _fingerprint(again) == _fingerprint(partition)
    assert again == partition


def test_another_seed_differs(partition: DemoPartition, boundary: MultiPolygon) -> None:
    other = build_partition(boundary, seed=2)
    assert len(other.grids) == len(partition.grids)
    mine = {g.code: g.geometry.wkb for g in partition.grids}
    theirs = {g.code: g.geometry.wkb for g in other.grids}
    assert mine != theirs
    assert [g.name for g in other.grids] != [g.name for g in partition.grids]
    _assert_tiles(other, boundary)


# ---------------------------------------------------------------------------- parameters


def test_custom_counts(boundary: MultiPolygon) -> None:
    part = build_partition(boundary, seed=7, urban_grids=40, rural_grids=25, streets=2, towns=4)
    assert Counter(g.kind for g in part.grids) == {"urban": 40, "rural": 25}
    assert Counter(t.kind for t in part.townships) == {"street": 2, "town": 4}
    assert sum(c.kind == "village" for c in part.communities) == 25
    _assert_tiles(part, boundary)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"streets": 0},
        {"towns": 0},
        {"streets": 100},
        {"towns": 101},
        {"urban_grids": 2, "streets": 3},
        {"rural_grids": 14, "towns": 15},
    ],
)
def test_invalid_parameters(boundary: MultiPolygon, kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        build_partition(boundary, **kwargs)
