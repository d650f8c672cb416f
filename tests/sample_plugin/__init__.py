"""A plugin used by the tests, through the hook API only: most hooks (role rules and file
key columns are tested with plugins of their own in tests/test_plugins.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import strawberry
import typer
from sqlalchemy import text
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from strawberry.types import Info

from core.categories import DataCategory
from core.plugins import hookimpl
from core.runtime import Runtime
from schema.loaders import Loader
from tests.sample_plugin.models import SampleNote


class SampleState:
    """The sample plugin's own state in a running app."""

    def __init__(self) -> None:
        self.started = 0
        self.shout_batches: list[list[str]] = []


class ShoutLoader(Loader[str, str]):
    """A plugin's own DataLoader: keyed by its class, made once per request."""

    async def load_batch(self, keys: list[str]) -> list[str]:
        self.ctx.runtime.state.of(SampleState).shout_batches.append(list(keys))
        return [k + "!" for k in keys]


@strawberry.type
class GridSample:
    @strawberry.field(description="The grid code, shouted (through a batched loader).")
    async def sample_shout(self, info: Info) -> str:
        return await info.context.loader(ShoutLoader).load(self.code)  # type: ignore[attr-defined]


@strawberry.type
class SampleQuery:
    @strawberry.field
    def sample_hello(self) -> str:
        return "hello from the sample plugin"


@strawberry.type
class SampleMutation:
    @strawberry.mutation
    async def sample_add_note(self, info: Info, text: str) -> int:
        async with info.context.transaction() as session:
            note = SampleNote(text=text)
            session.add(note)
            await session.flush()
            return note.id


@strawberry.type
class SampleSubscription:
    @strawberry.subscription
    async def sample_count(self, to: int) -> AsyncGenerator[int, None]:
        for i in range(1, to + 1):
            yield i
            await asyncio.sleep(0)


class SamplePlugin:
    """Records what it was called with, per instance (no module-global state)."""

    name = "sample"

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    @hookimpl
    def gridgov_migration_dirs(self) -> list[Path]:
        return [Path(__file__).parent / "migrations"]

    @hookimpl
    def gridgov_models(self) -> list[type]:
        return [SampleNote]

    @hookimpl
    def gridgov_data_categories(self) -> list[DataCategory]:
        return [
            DataCategory("sample", None, "Sample plugin data"),
            DataCategory("sample:secret", "sample", "Sample secrets", personal=True),
        ]

    @hookimpl
    def gridgov_graphql_type_parts(self) -> dict[str, list[type]]:
        return {"Grid": [GridSample]}

    @hookimpl
    def gridgov_graphql_query(self) -> type:
        return SampleQuery

    @hookimpl
    def gridgov_graphql_mutation(self) -> type:
        return SampleMutation

    @hookimpl
    def gridgov_graphql_subscription(self) -> type:
        return SampleSubscription

    @hookimpl
    def gridgov_routes(self) -> list[Route]:
        async def ping(request: Any) -> PlainTextResponse:
            return PlainTextResponse("pong")

        return [Route("/sample/ping", ping)]

    @hookimpl
    def gridgov_cli(self, app: typer.Typer) -> None:
        @app.command("sample-hello")
        def sample_hello(name: str = "world") -> None:
            typer.echo(f"hello {name} from the sample plugin")

    @hookimpl
    async def gridgov_startup(self, runtime: Runtime) -> None:
        # the plugin's own typed state, kept by the runtime
        runtime.state.of(SampleState).started += 1
        async with runtime.sessionmaker() as session:
            self.calls.append(("startup", await session.scalar(text("SELECT 'ready'"))))
        self.runtime = runtime

    @hookimpl
    def gridgov_shutdown(self, runtime: Runtime) -> None:
        self.calls.append(("shutdown", runtime.state.of(SampleState).started))

    @hookimpl
    async def gridgov_event_transition(
        self, session: Any, event: Any, transition: str, actor: Any
    ) -> None:
        self.calls.append(("event_transition", (event, transition, actor)))

    @hookimpl
    def gridgov_entity_changed(
        self, session: Any, kind: str, entity: Any, change: str, actor: Any
    ) -> None:
        self.calls.append(("entity_changed", (kind, change, getattr(entity, "username", None))))

    @hookimpl
    async def gridgov_demo_load(self, session: Any, demo: Any) -> None:
        session.add(SampleNote(text=f"demo with {len(demo.grid_ids)} grids"))
        await session.flush()
        self.calls.append(("demo_load", demo.seed))

    def called(self, what: str) -> list[Any]:
        return [arg for name, arg in self.calls if name == what]
