"""What ``gridgov demo load`` hands to plugins' ``gridgov_demo_load`` hook."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.demo.geography import DemoPartition


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

    def rng(self, purpose: str) -> random.Random:
        """A generator of its own for each purpose, so adding one does not shift others."""
        return random.Random(f"{self.seed}:{purpose}")
