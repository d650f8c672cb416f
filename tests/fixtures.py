"""Fixtures: a real PostGIS for the session, a fresh database per test, the demo once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager
from sqlalchemy import event, text

from core.database.engine import make_engine, make_sessionmaker
from core.database.migrate import upgrade
from core.plugins import make_plugin_manager
from core.pubsub import publish
from core.settings import Settings
from server.app import create_app
from tests.pg import TestServer

DEMO_PASSWORD = "demo-password-for-tests"
DEMO_PERSONS = 3000
DEMO_EVENTS = 3000  # a tenth of the default year of event history
TEST_SECRET = "a-test-secret-that-is-at-least-32-bytes"


@pytest.fixture(scope="session")
def pg_server() -> Iterable[TestServer]:
    server = TestServer.start()
    yield server
    server.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def template_db(pg_server: TestServer) -> AsyncIterator[str]:
    """A database migrated to heads, used as the template of every test database."""
    name = pg_server.new_name("template")
    url = await pg_server.create(name)
    settings = Settings(database_url=url)
    engine = make_engine(url, settings)
    await upgrade(engine, make_plugin_manager(settings))
    await engine.dispose()
    yield name
    await pg_server.drop(name)


@pytest_asyncio.fixture(loop_scope="session")
async def db_url(pg_server: TestServer, template_db: str) -> AsyncIterator[str]:
    """A fresh, migrated, empty database for one test."""
    name = pg_server.new_name("t")
    url = await pg_server.create(name, template=template_db)
    yield url
    await pg_server.drop(name)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def demo_url(pg_server: TestServer, template_db: str) -> AsyncIterator[str]:
    """The demo deployment (small population), loaded once; tests must not change it."""
    from core.demo.load import load_demo

    name = pg_server.new_name("demo")
    url = await pg_server.create(name, template=template_db)
    settings = Settings(database_url=url)
    engine = make_engine(url, settings)
    async with make_sessionmaker(engine)() as session, session.begin():
        await load_demo(
            session,
            persons=DEMO_PERSONS,
            seed=7,
            password=DEMO_PASSWORD,
            pm=make_plugin_manager(settings),
            events=DEMO_EVENTS,
        )
    await engine.dispose()
    yield url
    await pg_server.drop(name)


@dataclass
class StatementCounter:
    statements: list[str] = field(default_factory=list)
    #: the parameters each statement was sent with
    parameters: list[Any] = field(default_factory=list)

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)
        self.parameters.append(args[0] if args else None)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()
        self.parameters.clear()


@dataclass
class Client:
    http: httpx.AsyncClient
    app: Any
    sql: StatementCounter
    token: str | None = None

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {}
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        return response.json()

    async def login(self, username: str, password: str = DEMO_PASSWORD) -> str:
        self.token = None  # a login sends no token (an ended session's would be refused)
        result = await self.gql(
            "mutation($u: String!, $p: String!){ login(username: $u, password: $p){ token } }",
            {"u": username, "p": password},
        )
        assert "errors" not in result, result
        self.token = result["data"]["login"]["token"]
        return self.token


async def load_demo_into(url: str, **options: Any) -> None:
    """``load_demo`` into the database at ``url`` (the demo password, the enabled plugins'
    demo data too), in one transaction; ``options`` as ``load_demo`` takes them, and
    ``settings`` (which plugins are on)."""
    from core.demo.load import load_demo

    settings = options.pop("settings", None) or Settings(database_url=url)
    engine = make_engine(url, settings)
    async with make_sessionmaker(engine)() as session, session.begin():
        await load_demo(
            session, password=DEMO_PASSWORD, pm=make_plugin_manager(settings), **options
        )
    await engine.dispose()


async def sql_scalar(url: str, sql: str, **params: Any) -> Any:
    """One value from the database at ``url`` (a connection of its own)."""
    engine = make_engine(url, Settings(database_url=url))
    try:
        async with engine.connect() as conn:
            return await conn.scalar(text(sql), params)
    finally:
        await engine.dispose()


async def sql_rows(url: str, sql: str, **params: Any) -> list[Any]:
    engine = make_engine(url, Settings(database_url=url))
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())
    finally:
        await engine.dispose()


async def sql_execute(url: str, sql: str, **params: Any) -> None:
    """Run and commit one statement, as another process (psql, a tool) would."""
    engine = make_engine(url, Settings(database_url=url))
    try:
        async with engine.begin() as conn:
            await conn.execute(text(sql), params)
    finally:
        await engine.dispose()


async def fence(app: Any, url: str) -> None:
    """Wait until ``app``'s listener has processed every notification committed so far
    (PostgreSQL delivers them to a listener in commit order)."""
    topic = f"fence:{uuid.uuid4().hex}"
    engine = make_engine(url, Settings(database_url=url))
    try:
        async with app.state.gridgov.broker.subscribe(topic) as sub:
            async with make_sessionmaker(engine)() as session, session.begin():
                await publish(session, topic, {})
            await asyncio.wait_for(anext(sub), 5)
    finally:
        await engine.dispose()


@asynccontextmanager
async def serve(
    url: str, var_dir: Path, plugins: Iterable[Any] = (), **settings: Any
) -> AsyncIterator[Client]:
    """An app on the database at ``url``, served in-process, with its statements counted."""
    cfg = Settings(database_url=url, var_dir=var_dir, secret_key=TEST_SECRET, **settings)
    app = create_app(cfg, plugins=plugins)
    counter = StatementCounter()
    async with LifespanManager(app):
        event.listen(app.state.gridgov.engine.sync_engine, "before_cursor_execute", counter)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield Client(http=http, app=app, sql=counter)


@pytest.fixture
def app_client(tmp_path: Path):  # type: ignore[no-untyped-def]
    """``async with app_client(url, plugins=[…]) as client``: an app on that database."""

    def make(url: str, plugins: Iterable[Any] = (), **settings: Any) -> Any:
        return serve(url, tmp_path / "var", plugins, **settings)

    return make
