"""The test session's PostgreSQL: a private cluster in a temporary folder, or the server
named by TEST_DATABASE_URL. Databases are cloned from a migrated template per test."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from core.database.cluster import PrivateCluster

# The session's cluster is deleted at the end: durability buys nothing, and every commit
# and CREATE DATABASE would otherwise wait for the disk.
THROWAWAY = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


@dataclass
class TestServer:
    __test__ = False  # not a test class (pytest collects names starting with Test)

    base_url: str  # postgresql+asyncpg://…/<maintenance db>
    cluster: PrivateCluster | None = None
    folder: Path | None = None
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    #: databases made once per session to be copied (nobody connects to them otherwise)
    _templates: dict[str, str] = field(default_factory=dict)
    _file_copy: bool | None = None

    @classmethod
    def start(cls) -> TestServer:
        url = os.environ.get("TEST_DATABASE_URL")
        if url:
            if url.startswith("postgresql://"):
                url = "postgresql+asyncpg://" + url.split("://", 1)[1]
            return cls(base_url=url)
        folder = Path(tempfile.mkdtemp(prefix="gridgov-test-"))
        folder.chmod(0o755)  # the postgres account (when root) must reach its data folder
        cluster = PrivateCluster(folder / "pgdata", database="postgres", settings=THROWAWAY)
        cluster.start()
        return cls(base_url=cluster.url("postgres"), cluster=cluster, folder=folder)

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        return make_url(self.base_url).set(database=database).render_as_string(hide_password=False)

    def _connect_kwargs(self) -> dict[str, object]:
        from core.database.engine import _asyncpg_dsn

        return _asyncpg_dsn(self.base_url)

    async def execute(self, sql: str) -> None:
        conn = await asyncpg.connect(**self._connect_kwargs())  # type: ignore[arg-type]
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def new_name(self, prefix: str) -> str:
        return f"gg_{prefix}_{os.getpid()}_{next(self._counter)}"

    async def create(self, name: str, template: str | None = None) -> str:
        await self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        tmpl = f" TEMPLATE {template}{await self._strategy()}" if template else ""
        await self.execute(f"CREATE DATABASE {name}{tmpl}")
        return self.url(name)

    async def _strategy(self) -> str:
        """FILE_COPY: a file copy after a checkpoint (cheap without fsync) rather than
        every block through the WAL, the default since PostgreSQL 15 (before: no choice)."""
        if self._file_copy is None:
            conn = await asyncpg.connect(**self._connect_kwargs())  # type: ignore[arg-type]
            try:
                self._file_copy = int(await conn.fetchval("SHOW server_version_num")) >= 150000
            finally:
                await conn.close()
        return " STRATEGY FILE_COPY" if self._file_copy else ""

    async def template(self, key: str, base: str, fill: Callable[[str], Awaitable[None]]) -> str:
        """The name of a database copied from ``base`` and filled by ``fill(url)`` once in
        the session (``fill`` closes its connections): a database copied from it has the
        same content at the cost of a file copy."""
        if key not in self._templates:
            name = self.new_name(f"tmpl_{key}")
            await fill(await self.create(name, template=base))
            self._templates[key] = name
        return self._templates[key]

    async def drop(self, name: str) -> None:
        await self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
