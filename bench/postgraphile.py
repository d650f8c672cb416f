"""PostGraphile 5 beside gridgov: installed with npm under bench/postgraphile (its lock
file pins every package, and a Node 22 binary from the npm registry when the machine's
node is older), serving read-only views of the same database."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import asyncpg
import httpx

from core.database.engine import _asyncpg_dsn

HERE = Path(__file__).resolve().parent / "postgraphile"
NESTED = (
    "{ allGrids(first: 100, orderBy: CODE_ASC) { nodes { code accountByWorkerId { name } "
    "eventsByGridId(first: 10, orderBy: PRIMARY_KEY_DESC) { nodes { rowId status } } } } }"
)


def _node_major(node: str) -> int:
    out = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().lstrip("v").split(".")[0])


def install() -> str | None:
    """The node binary to run PostGraphile with, installing it first; None (with the
    reason printed) when npm is missing or the install fails."""
    if shutil.which("npm") is None:
        print("postgraphile: npm not found; not run")
        return None
    if not (HERE / "node_modules" / "postgraphile").exists():
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE
        )
        if done.returncode != 0:
            print("postgraphile: npm ci failed; not run")
            return None
    bundled = HERE / "node_modules" / ".bin" / "node"
    system = shutil.which("node")
    if system and _node_major(system) >= 22:
        return system
    if bundled.exists() and _node_major(str(bundled)) >= 22:
        return str(bundled)
    print("postgraphile: needs Node >= 22 (grafast fails at run time on older ones)")
    return None


async def create_views(url: str) -> None:
    conn = await asyncpg.connect(**_asyncpg_dsn(url))
    try:
        await conn.execute((HERE / "schema.sql").read_text())
    finally:
        await conn.close()


def node_url(url: str) -> str:
    """The SQLAlchemy URL as a node-postgres connection string."""
    dsn = _asyncpg_dsn(url)
    host = dsn.get("host") or "localhost"
    user = dsn.get("user") or "postgres"
    if dsn.get("password"):
        user = f"{user}:{dsn['password']}"
    database = dsn.get("database") or "postgres"
    port = dsn.get("port") or 5432
    if str(host).startswith("/"):
        return f"postgres://{user}@localhost:{port}/{database}?host={host}"
    return f"postgres://{user}@{host}:{port}/{database}"


def serve(node: str, url: str, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DATABASE_URL=node_url(url), PORT=str(port), NODE_ENV="production")
    server = subprocess.Popen([node, "server.mjs"], cwd=HERE, env=env)
    for _ in range(200):
        try:
            r = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"})
            if r.status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return server
