"""Synthetic buildings, houses, households and residents of one grid."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from core.codes import beidou
from core.codes.timecode import encode_time
from core.demo.bulk import point_ewkb
from core.demo.people import SyntheticPerson, make_household_size, make_person

HOME_CODE = "511504"
DEMO_TZ = "Asia/Shanghai"


@lru_cache(maxsize=65536)
def time_code(moment: datetime) -> str:
    return encode_time(moment, "second", tz=DEMO_TZ)


def random_points(geom: BaseGeometry, n: int, gen: np.random.Generator) -> np.ndarray:
    """``n`` uniform points inside ``geom`` as an (n, 2) array."""
    if n <= 0:
        return np.empty((0, 2))
    shapely.prepare(geom)
    minx, miny, maxx, maxy = geom.bounds
    found: list[np.ndarray] = []
    have = 0
    while have < n:
        batch = max(64, (n - have) * 3)
        xs = gen.uniform(minx, maxx, batch)
        ys = gen.uniform(miny, maxy, batch)
        inside = shapely.contains_xy(geom, xs, ys)
        pts = np.column_stack([xs[inside], ys[inside]])
        found.append(pts)
        have += len(pts)
    return np.concatenate(found)[:n]


@dataclass
class Ids:
    """Explicit ids handed out while generating, so rows can point at each other."""

    place: int = 0
    household: int = 0
    person: int = 0
    thing: int = 0
    organization: int = 0

    def next(self, name: str) -> int:
        value: int = getattr(self, name) + 1
        setattr(self, name, value)
        return value


@dataclass
class Buffers:
    places: list[tuple[Any, ...]] = field(default_factory=list)
    households: list[tuple[Any, ...]] = field(default_factory=list)
    persons: list[tuple[Any, ...]] = field(default_factory=list)
    groups: list[tuple[Any, ...]] = field(default_factory=list)


#: The located columns every row ends with, in this order.
LOCATED = (
    "geom",
    "beidou_code",
    "grid_id",
    "region_code",
    "county",
    "collected_at",
    "time_code",
    "collected_by",
)
PLACE_COLUMNS = ("id", "kind", "name", "address", "usage", "floors", "parent_id", *LOCATED)
HOUSEHOLD_COLUMNS = ("id", "code", "address", "house_id", *LOCATED)
PERSON_COLUMNS = (
    "id",
    "name",
    "id_number",
    "passport_number",
    "gender",
    "birth_date",
    "phone",
    "household_id",
    "relation",
    "residence_type",
    "address",
    *LOCATED,
)
GROUP_COLUMNS = ("person_id", "group_code", "since", "county")


def collected(rng: random.Random, today: date) -> tuple[datetime, str]:
    """A plausible collection time (working hours, past year) and its time code."""
    day = today - timedelta(days=rng.randint(0, 365))
    moment = datetime.combine(day, time(rng.randint(0, 9), rng.randint(0, 59)), UTC)
    return moment, time_code(moment)  # 08:00–17:59 in Beijing


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _relations(members: list[SyntheticPerson], today: date) -> list[tuple[SyntheticPerson, str]]:
    ages = [_age(p.birth_date, today) for p in members]
    adults = [i for i, a in enumerate(ages) if 18 <= a <= 80]
    head = max(adults or range(len(members)), key=lambda i: ages[i])
    out = [(members[head], "head")]
    spouse_taken = False
    for i, p in enumerate(members):
        if i == head:
            continue
        gap = ages[head] - ages[i]
        if gap > 40:
            rel = "grandchild"
        elif gap > 15:
            rel = "child"
        elif gap < -15:
            rel = "parent"
        elif not spouse_taken and p.gender != members[head].gender and ages[i] >= 18:
            rel, spouse_taken = "spouse", True
        else:
            rel = "sibling"
        out.append((p, rel))
    return out


def _groups(rng: random.Random, age: int, rural: bool) -> list[str]:
    tags: list[str] = []
    if age < 16 and rural and rng.random() < 0.08:
        tags.append("left_behind_children")
    if age < 18 and rng.random() < 0.01:
        tags.append("children_in_difficulty")
    if age >= 65 and rng.random() < 0.15:
        tags.append("empty_nest_elderly")
    if rng.random() < 0.015:
        tags.append("disabled")
    if rng.random() < 0.02:
        tags.append("minimum_living_allowance")
    if age >= 60 and rng.random() < 0.004:
        tags.append("extreme_poverty")
    if age >= 18:
        for code, p in (
            ("released_prisoners", 0.002),
            ("community_corrections", 0.001),
            ("drug_users", 0.0008),
            ("severe_mental_disorder", 0.004),
            ("veterans", 0.01),
        ):
            if rng.random() < p:
                tags.append(code)
    if 14 <= age < 25 and rng.random() < 0.003:
        tags.append("key_youth")
    return tags


@dataclass
class GridPeople:
    """Generates one grid's places, households and residents into the buffers."""

    rng: random.Random
    gen: np.random.Generator
    today: date
    ids: Ids
    used_id_numbers: set[str]
    #: the county whose registered residents these are (their identity numbers' address)
    home_code: str = HOME_CODE

    def collected(self) -> tuple[datetime, str]:
        return collected(self.rng, self.today)

    def person(self) -> SyntheticPerson:
        while True:
            p = make_person(self.rng, address_code=self.home_code, today=self.today)
            if p.id_number not in self.used_id_numbers:
                self.used_id_numbers.add(p.id_number)
                return p

    def generate(
        self, buf: Buffers, *, grid: Any, grid_id: int, worker_id: int, quota: int, place_name: str
    ) -> None:
        rural = grid.kind == "rural"
        sizes: list[int] = []
        while sum(sizes) < quota:
            sizes.append(min(make_household_size(self.rng), quota - sum(sizes)))
        per_building = [1] * len(sizes) if rural else []
        if not rural:
            left = len(sizes)
            while left > 0:
                take = min(left, self.rng.randint(12, 48))
                per_building.append(take)
                left -= take
        points = random_points(grid.geometry, len(per_building), self.gen)
        geoms = point_ewkb(points[:, 0], points[:, 1]) if len(points) else []
        cells = beidou.encode_many(points[:, 0], points[:, 1], 10) if len(points) else []
        code = grid.code
        household_index = 0
        for b, (count, geom, cell) in enumerate(
            zip(per_building, geoms, cells, strict=True), start=1
        ):
            where = (geom, cell, grid_id, code, code[:6])
            building_id = self.ids.next("place")
            floors = self.rng.randint(1, 3) if rural else self.rng.randint(6, 33)
            baddr = f"{place_name}{b}号"
            buf.places.append(
                (
                    building_id,
                    "building",
                    f"{place_name}{b}号楼",
                    baddr,
                    "residential",
                    floors,
                    None,
                    *where,
                    *self.collected(),
                    worker_id,
                )
            )
            for unit in range(count):
                size = sizes[household_index]
                household_index += 1
                house_id = self.ids.next("place")
                room = f"{unit // 4 + 1}{unit % 4 + 1:02d}" if not rural else "1"
                addr = baddr if rural else f"{baddr}{room}室"
                buf.places.append(
                    (
                        house_id,
                        "house",
                        addr,
                        addr,
                        "residential",
                        None,
                        building_id,
                        *where,
                        *self.collected(),
                        worker_id,
                    )
                )
                hid = self.ids.next("household")
                buf.households.append(
                    (
                        hid,
                        f"{code}{household_index:04d}",
                        addr,
                        house_id,
                        *where,
                        *self.collected(),
                        worker_id,
                    )
                )
                members = [self.person() for _ in range(size)]
                for p, relation in _relations(members, self.today):
                    self._resident(buf, p, relation, hid, addr, where, worker_id, rural)

    def _resident(
        self,
        buf: Buffers,
        p: SyntheticPerson,
        relation: str,
        hid: int,
        addr: str,
        where: tuple[Any, ...],
        worker_id: int,
        rural: bool,
    ) -> None:
        pid = self.ids.next("person")
        id_number: str | None = p.id_number
        passport = None
        residence = "registered" if p.id_number.startswith(self.home_code) else "floating"
        if self.rng.random() < 0.0005:
            self.used_id_numbers.discard(p.id_number)
            id_number, residence = None, "overseas"
            passport = "E" + "".join(self.rng.choice("0123456789") for _ in range(8))
        buf.persons.append(
            (
                pid,
                p.name,
                id_number,
                passport,
                p.gender,
                p.birth_date,
                p.phone or None,
                hid,
                relation,
                residence,
                addr,
                *where,
                *self.collected(),
                worker_id,
            )
        )
        for tag in _groups(self.rng, _age(p.birth_date, self.today), rural):
            buf.groups.append((pid, tag, None, where[4]))
