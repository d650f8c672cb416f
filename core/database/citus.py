"""A private Citus cluster for development and tests: a coordinator and workers, each a
private PostgreSQL cluster (``PrivateCluster``) with Citus preloaded, on Unix sockets only.

A Citus node is known by host and port; a Unix socket's folder is a libpq host, so each
node here is ``(its socket folder, 5432)``. Citus itself is installed by
``scripts/citus-install.sh``; ``citus_available()`` says whether it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from core.database.cluster import ClusterError, PrivateCluster, find_binaries

PORT = 5432
#: Citus must be loaded first; each node also needs room for the others' connections
CITUS_SETTINGS = {
    "shared_preload_libraries": "'citus'",
    "max_connections": "300",
    "max_prepared_transactions": "100",
    "citus.shard_count": "8",
}


def citus_available() -> bool:
    """Is Citus installed for the PostgreSQL the private clusters use?"""
    try:
        bins = find_binaries()
    except ClusterError:
        return False
    lib = bins.bindir.parent / "lib" / "citus.so"
    return lib.exists() and (bins.sharedir / "extension" / "citus.control").exists()


@dataclass
class CitusCluster:
    """A coordinator and ``workers`` workers under ``folder`` (``coordinator/``,
    ``worker1/``…), started and stopped together."""

    folder: Path
    workers: int = 2
    #: more postgresql.conf settings for every node (a test cluster's fsync = off…)
    settings: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        conf = {**CITUS_SETTINGS, **self.settings}
        self.coordinator = PrivateCluster(
            self.folder / "coordinator", database="postgres", settings=conf
        )
        self.nodes = [
            PrivateCluster(self.folder / f"worker{i}", database="postgres", settings=conf)
            for i in range(1, self.workers + 1)
        ]

    @property
    def all(self) -> list[PrivateCluster]:
        return [self.coordinator, *self.nodes]

    def start(self) -> None:
        if not citus_available():
            raise ClusterError(
                "Citus is not installed for this PostgreSQL: run scripts/citus-install.sh "
                "(with CITUS_SOURCE set to a Citus source tarball to build it)"
            )
        for node in self.all:
            node.start()

    def stop(self) -> None:
        for node in reversed(self.all):
            node.stop()

    async def create_database(self, name: str, extensions: tuple[str, ...] = ("postgis",)) -> str:
        """``name`` on every node with Citus (and ``extensions``) in it, the workers added
        to the coordinator's metadata; returns the coordinator's URL of it."""
        for node in self.all:
            await _execute(node, "postgres", f"CREATE DATABASE {name}")
            for extension in ("citus", *extensions):
                await _execute(node, name, f"CREATE EXTENSION IF NOT EXISTS {extension}")
        coordinator = str(self.coordinator.socket_dir)
        await _execute(
            self.coordinator,
            name,
            f"SELECT citus_set_coordinator_host('{coordinator}', {PORT})",
        )
        for node in self.nodes:
            await _execute(
                self.coordinator, name, f"SELECT citus_add_node('{node.socket_dir}', {PORT})"
            )
        return self.coordinator.url(name)


async def _execute(node: PrivateCluster, database: str, sql: str) -> None:
    conn = await asyncpg.connect(host=str(node.socket_dir), user=node.superuser, database=database)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


__all__ = ["CitusCluster", "citus_available"]
