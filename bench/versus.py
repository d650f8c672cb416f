"""gridgov beside PostGraphile 5, same database, one run (``--only versus``).

Each pair of rows is the same question to both servers, loaded by autocannon (Node, a
process of its own: the figure measures the servers, not a Python client), 10
connections for a few seconds after a warm-up. PostGraphile reads the `pgl` views of
bench/postgraphile/schema.sql without authentication; gridgov answers as the command
centre (a token on every request) except for the trivial request, sent anonymously to
both. The ratio is gridgov's requests/s over PostGraphile's.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bench import postgraphile as pgl

GRID = 'query { grid(code: "%s") { code name worker { name } } }'
PGL_GRID = 'query { gridByCode(code: "%s") { code name accountByWorkerId { name } } }'
NESTED = (
    "{ grids(first: 100) { edges { node { code worker { name } "
    "events(first: 10) { id status } } } } }"
)
EVENTS = (
    "{ events(first: 50) { edges { node { id title status category { nameZh } "
    "grid { code } assignee { name } } } } }"
)
PGL_EVENTS = (
    "{ allEvents(first: 50, orderBy: PRIMARY_KEY_ASC) { nodes { rowId "
    "title status eventCategoryByCategoryCode { nameZh } gridByGridId { code } "
    "accountByAssigneeId { name } } } }"
)


@dataclass(frozen=True)
class Pair:
    name: str
    ours: str
    theirs: str
    as_command: bool
    #: the number of items both answers must hold (checked before loading)
    count: Callable[[dict[str, Any]], int]
    count_theirs: Callable[[dict[str, Any]], int]
    workers: int = 1


def _pairs(code: str) -> list[Pair]:
    one: Callable[[dict[str, Any]], int] = lambda d: 1  # noqa: E731
    return [
        Pair("trivial { __typename }", "{ __typename }", "{ __typename }", False, one, one),
        Pair(
            "trivial, --workers 2",
            "{ __typename }",
            "{ __typename }",
            False,
            one,
            one,
            workers=2,
        ),
        Pair(
            "one grid by code + worker",
            GRID % code,
            PGL_GRID % code,
            True,
            lambda d: int(d["grid"]["worker"] is not None),
            lambda d: int(d["gridByCode"]["accountByWorkerId"] is not None),
        ),
        Pair(
            "nested list",
            NESTED,
            pgl.NESTED,
            True,
            lambda d: len(d["grids"]["edges"]),
            lambda d: len(d["allGrids"]["nodes"]),
        ),
        Pair(
            "50-event page",
            EVENTS,
            PGL_EVENTS,
            True,
            lambda d: len(d["events"]["edges"]),
            lambda d: len(d["allEvents"]["nodes"]),
        ),
    ]


def autocannon(
    node: str, url: str, query: str, headers: dict[str, str], seconds: int
) -> dict[str, float]:
    """requests/s and latency percentiles (ms) of 10 connections posting ``query``."""
    binary = pgl.HERE / "node_modules" / "autocannon" / "autocannon.js"
    args = [node, str(binary), "-j", "-c", "10", "-d", str(seconds), "-m", "POST"]
    for name, value in {"content-type": "application/json", **headers}.items():
        args += ["-H", f"{name}={value}"]
    args += ["-b", json.dumps({"query": query}), url]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    out = json.loads(done.stdout)
    if out["non2xx"] or out["errors"]:
        raise RuntimeError(f"autocannon saw {out['non2xx']} non-2xx, {out['errors']} errors")
    return {
        "rate": float(out["requests"]["average"]),
        "p50": float(out["latency"]["p50"]),
        "p99": float(out["latency"]["p99"]),
    }


def _data(url: str, query: str, headers: dict[str, str]) -> dict[str, Any]:
    answer = httpx.post(url, json={"query": query}, headers=headers, timeout=30).json()
    if answer.get("errors"):
        raise RuntimeError(f"{query}: {answer['errors']}")
    return dict(answer["data"])


def bench_versus(
    url: str,
    serve: Callable[..., tuple[subprocess.Popen[bytes], str]],
    token: Callable[[str, str], str],
    free_port: Callable[[], int],
    row: Callable[..., None],
    seconds: int = 5,
) -> None:
    node = pgl.install()
    if node is None:
        return
    import asyncio

    asyncio.run(pgl.create_views(url))
    port = free_port()
    theirs = pgl.serve(node, url, port)
    their_url = f"http://127.0.0.1:{port}/graphql"
    servers: dict[int, tuple[subprocess.Popen[bytes], str]] = {}
    try:
        for workers in (1, 2):
            servers[workers] = serve("server.app:create_app", url, True, workers)
        base = servers[1][1]
        command = {"Authorization": f"Bearer {token(base, 'command')}"}
        code = _data(base + "/graphql", "{ grids(first: 1) { nodes { code } } }", command)
        pairs = _pairs(code["grids"]["nodes"][0]["code"])
        for pair in pairs:
            our_url = servers[pair.workers][1] + "/graphql"
            headers = command if pair.as_command else {}
            ours = pair.count(_data(our_url, pair.ours, headers))
            other = pair.count_theirs(_data(their_url, pair.theirs, {}))
            if ours != other:
                raise RuntimeError(f"{pair.name}: {ours} items here, {other} in PostGraphile")
            autocannon(node, our_url, pair.ours, headers, 1)  # warm-up
            autocannon(node, their_url, pair.theirs, {}, 1)
            mine = autocannon(node, our_url, pair.ours, headers, seconds)
            them = autocannon(node, their_url, pair.theirs, {}, seconds)
            row(
                f"versus: {pair.name}",
                gridgov=f"{mine['rate']:.0f}/s p50 {mine['p50']:.1f}ms",
                postgraphile=f"{them['rate']:.0f}/s p50 {them['p50']:.1f}ms",
                ratio=f"{mine['rate'] / them['rate']:.2f}x",
            )
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(10)
        theirs.terminate()
        theirs.wait(10)
