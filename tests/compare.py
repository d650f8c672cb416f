"""Compiled reads against the resolvers: the same queries, as the same actors, answered
with ``compiled_reads`` on and off, compared with their statements and audit rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fixtures import sql_rows

Queries = list[tuple[str, dict[str, Any]]]


def every_field(table: Any) -> str:
    """Every field of a type's table (a field added there is compared at once)."""
    return " ".join(table.python)


@dataclass
class Answer:
    who: str | None
    query: str
    response: dict[str, Any]
    statements: int
    audit: list[Any]


async def audit_since(url: str, after: int) -> tuple[int, list[Any]]:
    """The access audit rows written after row ``after`` (comparable), and the last id."""
    rows = await sql_rows(
        url,
        "SELECT id, actor_username, record_kind, record_ids, fields, operation "
        "FROM access_audit WHERE id > :a ORDER BY id",
        a=after,
    )
    last = max([after, *(r.id for r in rows)])
    entries = sorted(
        (r.actor_username, r.record_kind, tuple(sorted(r.record_ids)), tuple(r.fields), r.operation)
        for r in rows
    )
    return last, entries


async def answers(
    url: str,
    app_client: Any,
    actors: tuple[str | None, ...],
    queries: Queries,
    **settings: Any,
) -> dict[bool, list[Answer]]:
    """Every query as every actor, compiled and not, with the access-audit rows each
    request wrote (read after it)."""
    out: dict[bool, list[Answer]] = {}
    for compiled in (True, False):
        last = (await audit_since(url, 0))[0]
        out[compiled] = []
        async with app_client(url, compiled_reads=compiled, **settings) as client:
            for who in actors:
                client.token = None
                if who is not None:
                    await client.login(who)
                for query, variables in queries:
                    client.sql.reset()
                    response = await client.gql(query, variables)
                    count = client.sql.count
                    last, rows = await audit_since(url, last)
                    out[compiled].append(Answer(who, query, response, count, rows))
    return out


def assert_same(
    found: dict[bool, list[Answer]],
    *,
    statements: bool = True,
    normalise: Callable[[Any], Any] = lambda response: response,
) -> None:
    """Compiled and resolved: the same responses (as ``normalise`` leaves them) and audit
    rows, and (``statements``: for responses completed in Python, through the same
    loaders) no more statements (fewer where the resolvers load a level in several
    batches: nested pages)."""
    for fast, slow in zip(found[True], found[False], strict=True):
        assert normalise(fast.response) == normalise(slow.response), (fast.who, fast.query)
        assert fast.audit == slow.audit, (fast.who, fast.query)
        if statements:
            counts = (fast.statements, slow.statements)
            assert fast.statements <= slow.statements, (fast.who, fast.query, counts)


def answer(found: dict[bool, list[Answer]], who: str | None, query: str) -> dict[str, Any]:
    """The compiled response of ``query`` as ``who``."""
    return next(a.response for a in found[True] if a.who == who and a.query == query)


def completed_pages(monkeypatch: Any) -> list[str]:
    """The type of each page completed from its shape from now on (not by the resolvers,
    nor by one SQL statement)."""
    from schema.compiled import records

    completed: list[str] = []
    complete = records.complete_page

    async def spy(info: Any, shape: Any, selected: Any, connection: Any) -> Any:
        done = await complete(info, shape, selected, connection)
        if done is not None:
            completed.append(shape.typename)
        return done

    monkeypatch.setattr(records, "complete_page", spy)
    return completed
