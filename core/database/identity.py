"""A transaction's note that it changed what request actors are built from (accounts, the
grids a worker holds, department grants): the request's commit then drops the actors this
process keeps (authz/identity_cache.py). Other processes learn it from the database's
triggers (migration 0008)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

_CHANGED = "gridgov.identity_changed"


def mark_identity_changed(session: AsyncSession) -> None:
    """Note that this transaction changes accounts, workers' grids or grants."""
    session.info[_CHANGED] = True


def take_identity_changed(session: AsyncSession) -> bool:
    """Whether the session's transaction was marked (the mark is cleared)."""
    return bool(session.info.pop(_CHANGED, False))
