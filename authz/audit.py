"""The access audit (PIPL): every unmasked read of personal data is written and committed
by the request before the data leaves the server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.models.authz import AccessAudit


@dataclass
class AccessLog:
    """Collects (record, field) reads during one request; flushed once, in one statement."""

    entries: dict[tuple[str, int], tuple[str | None, set[str], str]] = field(default_factory=dict)
    #: operation text per root field of the request, so it is built once
    operations: dict[str, str] = field(default_factory=dict)

    def record(
        self,
        kind: str,
        record_id: int,
        region_code: str | None,
        field_name: str,
        operation: Callable[[], str],
    ) -> None:
        """Note a read; ``operation`` (how it was read) is asked once per record."""
        key = (kind, int(record_id))
        found = self.entries.get(key)
        if found is None:
            self.entries[key] = (region_code, {field_name}, operation())
        else:
            found[1].add(field_name)

    async def flush(self, session: AsyncSession, actor: Actor) -> int:
        """Write the noted reads (one row per kind, field set and operation) and commit.

        Returns the number of records whose reads were written."""
        if not self.entries:
            return 0
        groups: dict[tuple[str, tuple[str, ...], str], tuple[list[int], set[str]]] = {}
        for (kind, record_id), (region, fields, operation) in self.entries.items():
            ids, regions = groups.setdefault(
                (kind, tuple(sorted(fields)), operation[:200]), ([], set())
            )
            ids.append(record_id)
            if region:
                regions.add(region)
        await session.execute(
            insert(AccessAudit).values(
                [
                    {
                        "actor_id": actor.account_id,
                        "actor_username": actor.username or "",
                        "record_kind": kind,
                        "record_ids": ids,
                        "region_codes": sorted(regions),
                        "fields": list(fields),
                        "operation": operation,
                    }
                    for (kind, fields, operation), (ids, regions) in groups.items()
                ]
            )
        )
        await session.commit()
        count = len(self.entries)
        self.entries.clear()
        return count
