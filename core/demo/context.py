"""What ``gridgov demo load`` hands to plugins' ``gridgov_demo_load`` hook."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.demo.geography import DISTRICT_CODE, DISTRICT_NAME, DemoPartition


@dataclass
class DemoContext:
    seed: int
    persons: int
    today: date
    partition: DemoPartition
    #: current grid id by grid code, and the grid worker's account id by grid code
    grid_ids: dict[str, int] = field(default_factory=dict)
    worker_ids: dict[str, int] = field(default_factory=dict)
    #: a rich Progress (or None when quiet); plugins add their own task to it
    progress: Any = None
    #: the county being loaded (6 digits) and its name
    county: str = DISTRICT_CODE
    county_name: str = DISTRICT_NAME
    #: the reference county (Xuzhou), whose accounts keep the short names admin, command…
    reference: bool = True
    #: the highest id of each table before this county was loaded (ids are written
    #: explicitly: the county's rows take the next ones)
    base: dict[str, int] = field(default_factory=dict)
    #: identity numbers given out so far (over every county: they are unique)
    used_id_numbers: set[str] = field(default_factory=set)

    def first_id(self, table: str) -> int:
        """The id before this county's first row of ``table``."""
        return self.base.get(table, 0)

    def rng(self, purpose: str) -> random.Random:
        """A generator of its own for each purpose, so adding one does not shift others."""
        return random.Random(f"{self.seed}:{purpose}")
