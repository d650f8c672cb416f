"""What went wrong with the database, in words a client can act on.

A request that fails because the database is away (stopped, restarting, unreachable, a
connection cut), because every pooled connection stayed busy past the pool's wait, or
because a statement ran past the statement timeout is not a bug: the client gets a stable
code (``SERVICE_UNAVAILABLE`` with HTTP 503 and ``Retry-After``, or ``TIMEOUT``) and the
log one line per kind of fault every few seconds, not a traceback per request."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import asyncpg
from sqlalchemy import exc as sa_exc

log = logging.getLogger("gridgov.faults")

RETRY_AFTER_SECONDS = 5  # what a 503 tells clients to wait before trying again


class Fault(StrEnum):
    DATABASE = "database unavailable"
    POOL = "no database connection free"
    TIMEOUT = "statement timed out"

    @property
    def code(self) -> str:
        return "TIMEOUT" if self is Fault.TIMEOUT else "SERVICE_UNAVAILABLE"

    @property
    def message(self) -> str:
        if self is Fault.TIMEOUT:
            return "the request took longer than the server allows; ask for less or try later"
        return "the service is unavailable for a moment; try again shortly"


class DatabaseUnavailable(Exception):
    """A connection to the database could not be opened."""


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        orig = getattr(error, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's
        error = orig if isinstance(orig, BaseException) else (error.__cause__ or error.__context__)


def fault_of(error: BaseException | None) -> Fault | None:
    """The fault behind ``error`` (looking through wrapped and chained errors), if any."""
    for e in _chain(error):
        if isinstance(e, DatabaseUnavailable):
            return Fault.DATABASE
        if isinstance(e, sa_exc.TimeoutError):  # the pool's wait for a connection ran out
            return Fault.POOL
        if isinstance(e, asyncpg.QueryCanceledError) or getattr(e, "sqlstate", None) == "57014":
            return Fault.TIMEOUT
        if isinstance(e, sa_exc.DBAPIError) and e.connection_invalidated:
            return Fault.DATABASE
        if isinstance(
            e,
            asyncpg.PostgresConnectionError
            | asyncpg.CannotConnectNowError
            | asyncpg.ConnectionDoesNotExistError
            | asyncpg.AdminShutdownError
            | asyncpg.CrashShutdownError
            | asyncpg.TooManyConnectionsError,
        ):
            return Fault.DATABASE
    return None


def refuse_connect_failures(
    dialect: Any, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> Any:
    """The engine's ``do_connect``: a connection that cannot be opened (no server, a
    restart, refused) raises :class:`DatabaseUnavailable` instead of whatever the socket
    or the driver said."""
    try:
        return dialect.connect(*cargs, **cparams)
    except Exception as exc:
        raise DatabaseUnavailable(f"cannot connect to the database: {exc}") from exc


@dataclass
class FaultLog:
    """One log line per kind of fault at most every ``interval`` seconds, with how many
    requests it failed since the last line (one per app)."""

    interval: float = 10.0
    _last: dict[Fault, float] = field(default_factory=dict)
    _count: dict[Fault, int] = field(default_factory=dict)

    def note(self, fault: Fault, error: BaseException | None = None) -> None:
        self._count[fault] = self._count.get(fault, 0) + 1
        now = time.monotonic()
        last = self._last.get(fault)
        if last is not None and now - last < self.interval:
            return
        count, self._count[fault] = self._count[fault], 0
        self._last[fault] = now
        since = "" if last is None else f" in the last {now - last:.0f} s"
        detail = f": {str(error).splitlines()[0][:200]}" if error is not None else ""
        log.warning("%s: %d request(s) refused%s%s", fault.value, count, since, detail)
