"""County tenancy on Citus: the three-county demo loaded through the coordinator, and the
same isolation and routing checks as on one PostgreSQL (tests/test_tenancy.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from core.database.citus import CitusCluster
from core.database.engine import make_engine
from core.database.migrate import upgrade
from core.plugins import make_plugin_manager
from core.settings import Settings
from tests.test_tenancy import _three_counties, county_isolation, report_routing


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def counties_url(citus: CitusCluster) -> AsyncIterator[str]:
    url = await citus.create_database("gg_citus_counties")
    engine = make_engine(url, Settings(database_url=url))
    await upgrade(engine, make_plugin_manager(Settings(database_url=url)))
    await engine.dispose()
    await _three_counties(url)
    yield url


async def test_a_county_never_sees_another_on_citus(counties_url: str, app_client) -> None:
    async with app_client(counties_url) as client:
        await county_isolation(counties_url, client)


async def test_a_report_is_routed_inside_its_county_on_citus(counties_url: str, app_client) -> None:
    async with app_client(counties_url) as client:
        await report_routing(counties_url, client)
