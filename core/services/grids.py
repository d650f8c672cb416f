"""Grid management: import (validated, all-or-nothing, versioned), export, worker changes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.codes.division import parse_grid_code
from core.codes.errors import InvalidCode
from core.database.identity import mark_identity_changed
from core.errors import BadInput, Conflict, NotFound
from core.models import Account, Grid, GridWorkerAssignment, Region
from core.models.region import GridKind, SpecialGridType
from core.services.reassign import reassign_area

#: Degrees of slack for containment and overlap (about 1 cm): shared edges computed by
#: different tools differ by floating noise, never by this much.
TOLERANCE = 1e-7
#: A gap in a community smaller than this (m²) is noise, not a gap.
MIN_GAP_M2 = 1.0
MAX_FEATURES = 5000


@dataclass
class Problem:
    index: int
    code: str | None
    message: str


@dataclass
class Gap:
    community_code: str
    area_m2: float


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    redrawn: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    reassigned: int = 0
    dry_run: bool = False


class GridImportError(BadInput):
    """The file is refused as a whole; ``problems`` names every offending feature."""

    def __init__(self, problems: list[Problem]) -> None:
        head = "; ".join(
            f"feature {p.index}{f' ({p.code})' if p.code else ''}: {p.message}"
            for p in problems[:20]
        )
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(
            f"grid import refused, nothing changed — {head}{more}",
            problems=[p.__dict__ for p in problems],
        )
        self.problems = problems


@dataclass
class _Feature:
    index: int
    code: str
    name: str
    kind: str
    special_type: str | None
    geom: MultiPolygon


def _as_multi(geom: BaseGeometry) -> MultiPolygon:
    if geom.geom_type == "Polygon":
        return MultiPolygon([geom])
    return geom


def _parse(collection: Any) -> tuple[list[_Feature], list[Problem]]:
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise BadInput("expected a GeoJSON FeatureCollection")
    raw = collection.get("features")
    if not isinstance(raw, list) or not raw:
        raise BadInput("the FeatureCollection has no features")
    if len(raw) > MAX_FEATURES:
        raise BadInput(f"at most {MAX_FEATURES} grids per import")
    features: list[_Feature] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, feat in enumerate(raw):
        props = (feat or {}).get("properties") or {} if isinstance(feat, dict) else {}
        code = props.get("code")
        code = str(code).strip() if code is not None else None

        def bad(message: str, i: int = i, code: str | None = code) -> None:
            problems.append(Problem(i, code, message))

        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            bad("not a GeoJSON Feature")
            continue
        try:
            parse_grid_code(code or "")
        except InvalidCode as exc:
            bad(str(exc))
            continue
        assert code is not None
        if code in seen:
            bad(f"the code appears twice (also feature {seen[code]})")
            continue
        seen[code] = i
        name = str(props.get("name") or "").strip()
        if not name or len(name) > 100:
            bad("properties.name must be 1–100 characters")
            continue
        kind = str(props.get("kind") or "")
        if kind not in {k.value for k in GridKind}:
            bad("properties.kind must be urban, rural or special")
            continue
        special = props.get("specialType")
        if (kind == "special") != (special is not None) or (
            special is not None and special not in {s.value for s in SpecialGridType}
        ):
            bad(
                "a special grid needs properties.specialType (park, market, "
                "business_district, campus, scenic_area, industrial_park); others none"
            )
            continue
        try:
            geom = shape(feat.get("geometry") or {})
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            bad(f"malformed geometry: {exc}")
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            bad(f"geometry must be a non-empty Polygon or MultiPolygon, not {geom.geom_type}")
            continue
        if not geom.is_valid:
            bad(f"invalid geometry: {explain_validity(geom)}")
            continue
        minx, miny, maxx, maxy = geom.bounds
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            bad("coordinates are not longitude/latitude degrees")
            continue
        features.append(_Feature(i, code, name, kind, special, _as_multi(geom)))
    return features, problems


def _overlaps(a: BaseGeometry, b: BaseGeometry) -> bool:
    if not a.intersects(b):
        return False
    inner = a.intersection(b)
    return bool(inner.area > 0 and inner.buffer(-TOLERANCE).area > 0)


async def _check_against_db(
    session: AsyncSession, features: list[_Feature], problems: list[Problem]
) -> dict[str, BaseGeometry]:
    codes = [f.code[:12] for f in features]
    rows = (
        await session.execute(
            select(Region.code, Region.level, func.ST_AsBinary(Region.geom).label("wkb")).where(
                Region.code.in_(set(codes))
            )
        )
    ).all()
    communities = {
        r.code: (r.level, shapely.from_wkb(r.wkb) if r.wkb is not None else None) for r in rows
    }
    file_codes = {f.code for f in features}
    for f in features:
        level, polygon = communities.get(f.code[:12], (None, None))
        if level != "community":
            problems.append(Problem(f.index, f.code, f"community {f.code[:12]} does not exist"))
        elif polygon is not None and not polygon.buffer(TOLERANCE).covers(f.geom):
            problems.append(
                Problem(f.index, f.code, f"it reaches outside its community {f.code[:12]}")
            )
    tree = shapely.STRtree([f.geom for f in features])
    for i, j in zip(*tree.query([f.geom for f in features], predicate="intersects"), strict=True):
        if i < j and _overlaps(features[i].geom, features[j].geom):
            problems.append(
                Problem(
                    features[i].index,
                    features[i].code,
                    f"it overlaps feature {features[j].index} ({features[j].code})",
                )
            )
    hull = shapely.union_all([shapely.envelope(f.geom) for f in features])
    others = (
        await session.execute(
            select(Grid.code, func.ST_AsBinary(Grid.geom).label("wkb")).where(
                Grid.valid_to.is_(None),
                Grid.geom.intersects(
                    func.ST_GeomFromEWKB(
                        shapely.to_wkb(shapely.set_srid(hull, 4326), include_srid=True)
                    )
                ),
            )
        )
    ).all()
    current = {r.code: shapely.from_wkb(r.wkb) for r in others}
    for f in features:
        for code, geom in current.items():
            if code not in file_codes and _overlaps(f.geom, geom):
                problems.append(Problem(f.index, f.code, f"it overlaps the existing grid {code}"))
    return {code: geom for code, geom in current.items() if code in file_codes}


def _ewkb(geom: BaseGeometry) -> bytes:
    wkb: bytes = shapely.to_wkb(shapely.set_srid(geom, 4326), include_srid=True)
    return wkb


async def import_grids(
    session: AsyncSession,
    collection: Any,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> ImportReport:
    """Validate every feature, then write all of them or none (the caller's transaction).

    A feature whose code is a current grid redraws it: the old version closes, a new one
    opens with the same worker, and records in the changed area are re-assigned.
    """
    features, problems = _parse(collection)
    existing = await _check_against_db(session, features, problems) if features else {}
    if problems:
        raise GridImportError(sorted(problems, key=lambda p: p.index))
    report = ImportReport(dry_run=dry_run)
    now = now or datetime.now(UTC)
    changed: list[BaseGeometry] = []
    rows = {
        r.code: r
        for r in (
            await session.execute(
                select(
                    Grid.id, Grid.code, Grid.name, Grid.kind, Grid.special_type, Grid.worker_id
                ).where(Grid.code.in_(list(existing)), Grid.valid_to.is_(None))
            )
        ).all()
    }
    for f in features:
        old = rows.get(f.code)
        if old is not None:
            same = (
                shapely.hausdorff_distance(existing[f.code], f.geom) <= TOLERANCE
                and old.name == f.name
                and old.kind == f.kind
                and old.special_type == f.special_type
            )
            if same:
                report.unchanged.append(f.code)
                continue
            report.redrawn.append(f.code)
            changed.extend([existing[f.code], f.geom])
            if not dry_run:
                await session.execute(update(Grid).where(Grid.id == old.id).values(valid_to=now))
        else:
            report.created.append(f.code)
            changed.append(f.geom)
        if not dry_run:
            session.add(
                Grid(
                    code=f.code,
                    name=f.name,
                    kind=f.kind,
                    special_type=f.special_type,
                    community_code=f.code[:12],
                    geom=f"SRID=4326;{f.geom.wkt}",
                    worker_id=old.worker_id if old is not None else None,
                    valid_from=now,
                )
            )
    if not dry_run:
        mark_identity_changed(session)  # workers' grids may have new codes or versions
        await session.flush()
        if changed:
            area = shapely.union_all(changed).buffer(TOLERANCE)
            report.reassigned = await reassign_area(session, _ewkb(area))
    report.gaps = await _gaps(
        session,
        sorted({f.code[:12] for f in features}),
        {f.code: f.geom for f in features} if dry_run else None,
    )
    return report


async def _gaps(
    session: AsyncSession, communities: list[str], pending: dict[str, BaseGeometry] | None
) -> list[Gap]:
    """Parts of each community no current grid covers (after the import)."""
    gaps: list[Gap] = []
    for code in communities:
        if pending is None:
            area = await session.scalar(
                text("""
                SELECT ST_Area(ST_Difference(c.geom, coalesce(
                  (SELECT ST_Union(g.geom) FROM grid g
                   WHERE g.community_code = c.code AND g.valid_to IS NULL),
                  'SRID=4326;POLYGON EMPTY'::geometry))::geography)
                FROM region c WHERE c.code = :code AND c.geom IS NOT NULL"""),
                {"code": code},
            )
        else:
            rows = (
                await session.execute(
                    select(Grid.code, func.ST_AsBinary(Grid.geom).label("wkb")).where(
                        Grid.community_code == code, Grid.valid_to.is_(None)
                    )
                )
            ).all()
            geoms = {r.code: shapely.from_wkb(r.wkb) for r in rows}
            geoms.update({c: g for c, g in pending.items() if c.startswith(code)})
            union = shapely.union_all(list(geoms.values()))
            area = await session.scalar(
                text("""
                SELECT ST_Area(ST_Difference(c.geom, ST_GeomFromEWKB(:u))::geography)
                FROM region c WHERE c.code = :code AND c.geom IS NOT NULL"""),
                {"code": code, "u": _ewkb(union)},
            )
        if area is not None and area >= MIN_GAP_M2:
            gaps.append(Gap(code, round(float(area), 1)))
    return gaps


async def export_grids(session: AsyncSession, prefix: str = "") -> dict[str, Any]:
    """Current grids under a code prefix as a GeoJSON FeatureCollection (one statement)."""
    result = await session.scalar(
        text("""
        SELECT json_build_object('type', 'FeatureCollection', 'features',
          coalesce(json_agg(json_build_object(
            'type', 'Feature',
            'geometry', ST_AsGeoJSON(g.geom, 15)::json,
            'properties', json_strip_nulls(json_build_object(
              'code', g.code, 'name', g.name, 'kind', g.kind, 'specialType', g.special_type,
              'communityCode', g.community_code, 'worker', a.name,
              'validFrom', g.valid_from))) ORDER BY g.code), '[]'::json))
        FROM grid g LEFT JOIN account a ON a.id = g.worker_id
        WHERE g.valid_to IS NULL AND g.code LIKE :prefix || '%'"""),
        {"prefix": prefix},
    )
    return result if isinstance(result, dict) else json.loads(result)


async def assign_worker(
    session: AsyncSession,
    grid_code: str,
    username: str,
    *,
    by: int | None,
    now: datetime | None = None,
) -> Grid:
    """Make ``username`` (a grid worker) the worker of the grid, closing the previous term."""
    now = now or datetime.now(UTC)
    grid = await session.scalar(
        select(Grid).where(Grid.code == grid_code, Grid.valid_to.is_(None)).with_for_update()
    )
    if grid is None:
        raise NotFound(f"no current grid has the code {grid_code!r}", argument="gridCode")
    worker = await session.scalar(select(Account).where(Account.username == username))
    if worker is None:
        raise NotFound(f"no account is named {username!r}", argument="worker")
    if worker.role != "grid_worker" or not worker.is_active:
        raise BadInput(f"{username} is not an active grid worker", argument="worker")
    if grid.worker_id == worker.id:
        return grid
    elsewhere = await session.scalar(
        select(Grid.code).where(Grid.worker_id == worker.id, Grid.valid_to.is_(None))
    )
    if elsewhere is not None:
        raise Conflict(
            f"{username} already works grid {elsewhere}; release it first", argument="worker"
        )
    await session.execute(
        update(GridWorkerAssignment)
        .where(GridWorkerAssignment.grid_code == grid_code, GridWorkerAssignment.valid_to.is_(None))
        .values(valid_to=now)
    )
    session.add(
        GridWorkerAssignment(
            grid_code=grid_code, worker_id=worker.id, valid_from=now, assigned_by=by
        )
    )
    grid.worker_id = worker.id
    mark_identity_changed(session)
    await session.flush()
    return grid
