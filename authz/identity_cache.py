"""Actors of recently seen accounts, so that a request with a known token reads nothing
before its own work.

An actor is built from the account row, the grids a grid worker holds and the department
grants. Triggers on those tables (migration 0008) publish ``identity`` on the pub/sub
channel when they change, from any process or tool; every process's listener then drops
its whole cache. A change made by this process's own transaction also drops it at commit
(``core.database.identity.mark_identity_changed``), so the next request here sees it
without waiting for the notification.

Safe by construction:

- Only while the pub/sub listener is connected: entries are tied to its connection
  (:attr:`Broker.epoch`); while it is down nothing is kept or served, and after a
  reconnection (messages may have been lost) nothing from before is served.
- An actor read from the database is kept only if no change arrived while it was being
  read (a generation number), so a read racing a change cannot store the old state.
- Each entry lives at most ``ttl`` seconds (``GRIDGOV_IDENTITY_CACHE_SECONDS``; 0 turns
  the cache off) and never past the next expiry of a department grant.

Changes reach other processes within the notification's delay (milliseconds); a listener
connection that hangs without closing is replaced within 40 s, and the TTL bounds even that.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.actor import Actor

TOPIC = "identity"


@dataclass(frozen=True, slots=True)
class Ticket:
    """Taken before an actor is read from the database; it may be kept only if still
    current."""

    generation: int
    epoch: int | None


class IdentityCache:
    def __init__(
        self,
        epoch: Callable[[], int | None],
        ttl_seconds: float,
        size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``epoch`` gives the listener's current connection number, None while down."""
        self._epoch = epoch
        self.ttl = ttl_seconds
        self.size = size
        self._clock = clock
        self._generation = 0
        self._entries: OrderedDict[int, tuple[Actor, int, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, account_id: int) -> Actor | None:
        entry = self._entries.get(account_id)
        if entry is None:
            return None
        actor, epoch, until = entry
        if epoch != self._epoch() or self._clock() >= until:
            del self._entries[account_id]
            return None
        self._entries.move_to_end(account_id)
        return actor

    def ticket(self) -> Ticket:
        return Ticket(self._generation, self._epoch())

    def put(
        self, account_id: int, actor: Actor, ticket: Ticket, not_after: datetime | None = None
    ) -> bool:
        """Keep ``actor`` if nothing changed since ``ticket``; True if kept."""
        if (
            self.ttl <= 0
            or ticket.epoch is None
            or ticket.generation != self._generation
            or ticket.epoch != self._epoch()
        ):
            return False
        now = self._clock()
        until = now + self.ttl
        if not_after is not None:
            until = min(until, now + (not_after - datetime.now(UTC)).total_seconds())
        self._entries[account_id] = (actor, ticket.epoch, until)
        self._entries.move_to_end(account_id)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return True

    def clear(self, _payload: Any = None) -> None:
        """Drop everything, and anything being read now (a pub/sub watcher)."""
        self._generation += 1
        self._entries.clear()
