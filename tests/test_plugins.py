"""The plugin system: every hook exercised by a plugin that uses only the hook API."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
import strawberry
import typer
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from typer.testing import CliRunner

from core import hookspecs
from core.categories import DataCategory, category_tree
from core.database.engine import make_engine, make_sessionmaker
from core.database.migrate import current_heads, upgrade
from core.plugins import PluginError, call_async, hookimpl, make_plugin_manager, plugin_names
from core.services.accounts import create_account
from core.settings import Settings
from schema.build import SchemaCompositionError, build_schema
from schema.state import state_of
from server.app import create_app
from tests.sample_plugin import SamplePlugin, SampleState
from tests.test_tiles import CentresPlugin, decode

BUILTINS = ["analytics", "attendance", "e_governance", "early_warning", "party_building"]


async def migrated_with_sample(url: str) -> SamplePlugin:
    plugin = SamplePlugin()
    settings = Settings(database_url=url)
    engine = make_engine(url, settings)
    await upgrade(engine, make_plugin_manager(settings, [plugin]))
    assert "s001" in await current_heads(engine)
    await engine.dispose()
    return plugin


def test_builtin_plugins_are_registered_and_can_be_disabled() -> None:
    assert plugin_names(make_plugin_manager(Settings())) == BUILTINS
    pm = make_plugin_manager(Settings(disabled_plugins="attendance, analytics"))
    assert plugin_names(pm) == ["e_governance", "early_warning", "party_building"]
    schema = build_schema(pm, Settings())
    assert "grids" in schema.as_str()


async def test_hook_gridgov_graphql_type_parts(demo_url, app_client) -> None:
    plugin = SamplePlugin()
    query = "{ grids(first: 3) { edges { node { code sampleShout } } } }"
    async with app_client(demo_url, plugins=[plugin]) as client:
        result = await client.gql(query)
        assert "errors" not in result, result
        for edge in result["data"]["grids"]["edges"]:
            assert edge["node"]["sampleShout"] == edge["node"]["code"] + "!"
        assert "sampleShout: String!" in client.app.state.gridgov.schema.as_str()
    async with app_client(demo_url) as client:  # without the plugin the field is gone
        result = await client.gql(query)
        assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "sampleShout" not in client.app.state.gridgov.schema.as_str()


async def test_a_plugins_dataloader_class_batches_a_page(demo_url, app_client) -> None:
    async with app_client(demo_url, plugins=[SamplePlugin()]) as client:
        await client.gql("{ grids(first: 25) { edges { node { sampleShout } } } }")
        batches = state_of(client.app).runtime.state.of(SampleState).shout_batches
    assert len(batches) == 1 and len(batches[0]) == 25


async def test_hook_gridgov_graphql_query(demo_url, app_client) -> None:
    async with app_client(demo_url, plugins=[SamplePlugin()]) as client:
        result = await client.gql("{ sampleHello }")
        assert result == {"data": {"sampleHello": "hello from the sample plugin"}}
    async with app_client(demo_url) as client:
        result = await client.gql("{ sampleHello }")
        assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_hook_gridgov_migration_dirs(db_url) -> None:
    await migrated_with_sample(db_url)
    engine = make_engine(db_url, Settings(database_url=db_url))
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT to_regclass('sample_note') IS NOT NULL"))
    await engine.dispose()


async def test_hook_gridgov_graphql_mutation(db_url, app_client) -> None:
    plugin = await migrated_with_sample(db_url)
    async with app_client(db_url, plugins=[plugin]) as client:
        result = await client.gql('mutation { sampleAddNote(text: "hi") }')
        assert result == {"data": {"sampleAddNote": 1}}
        result = await client.gql('mutation { sampleAddNote(text: "%s") }' % ("x" * 300))
        assert result["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    engine = make_engine(db_url, Settings(database_url=db_url))
    async with engine.connect() as conn:  # the failed mutation left nothing behind
        assert await conn.scalar(text("SELECT count(*) FROM sample_note")) == 1
    await engine.dispose()


async def test_hook_gridgov_graphql_subscription() -> None:
    settings = Settings()
    schema = build_schema(make_plugin_manager(settings, [SamplePlugin()]), settings)
    stream = await schema.subscribe("subscription { sampleCount(to: 3) }")
    values = [r.data["sampleCount"] async for r in stream]
    assert values == [1, 2, 3]


async def test_hook_gridgov_routes(demo_url, app_client) -> None:
    async with app_client(demo_url, plugins=[SamplePlugin()]) as client:
        response = await client.http.get("/sample/ping")
        assert response.status_code == 200 and response.text == "pong"


async def test_hook_gridgov_tile_layers(demo_url, app_client) -> None:
    """A plugin's layer is served (tiles and TileJSON) and gone without the plugin."""
    async with app_client(demo_url, plugins=[CentresPlugin()]) as client:
        await client.login("command")
        auth = {"Authorization": f"Bearer {client.token}"}
        response = await client.http.get("/tiles/grid_centres/0/0/0.mvt", headers=auth)
        assert response.status_code == 200
        features = decode(response.content, "grid_centres")
        grids = await client.gql("{ grids { totalCount } }")
        assert len(features) == grids["data"]["grids"]["totalCount"] > 0
        doc = (await client.http.get("/tiles/grid_centres.json")).json()
        assert doc["vector_layers"][0] == {
            "id": "grid_centres",
            "fields": {"code": "String"},
            "description": "A point in each grid",
            "minzoom": 0,
            "maxzoom": 22,
        }
    async with app_client(demo_url) as client:
        assert (await client.http.get("/tiles/grid_centres/0/0/0.mvt")).status_code == 404


async def test_hook_gridgov_startup_and_gridgov_shutdown(demo_url, tmp_path) -> None:
    plugin = SamplePlugin()
    app = create_app(Settings(database_url=demo_url, var_dir=tmp_path), plugins=[plugin])
    async with LifespanManager(app):
        assert plugin.called("startup") == ["ready"] and plugin.called("shutdown") == []
        runtime = state_of(app).runtime
        assert plugin.runtime is runtime and runtime.settings is state_of(app).settings
        assert runtime.state.of(SampleState).started == 1
    assert plugin.called("shutdown") == [1]


def test_hook_gridgov_cli() -> None:
    app = typer.Typer()

    @app.callback()
    def root() -> None: ...

    make_plugin_manager(Settings(), [SamplePlugin()]).hook.gridgov_cli(app=app)
    result = CliRunner().invoke(app, ["sample-hello", "--name", "grid"])
    assert result.exit_code == 0 and "hello grid from the sample plugin" in result.output


def test_hook_gridgov_data_categories() -> None:
    tree = category_tree(make_plugin_manager(Settings(), [SamplePlugin()]))
    assert tree["sample:secret"].parent == "sample" and tree["sample:secret"].personal
    assert tree["attendance:track"].personal  # from a built-in plugin
    assert tree["person:identity"].parent == "person"

    class Duplicate:
        name = "dup"

        @hookimpl
        def gridgov_data_categories(self) -> list[DataCategory]:
            return [DataCategory("person", None, "again")]

    with pytest.raises(ValueError, match="'person' is declared twice"):
        category_tree(make_plugin_manager(Settings(), [Duplicate()]))


def test_hook_gridgov_models() -> None:
    class NotAModel:
        name = "bad_models"

        @hookimpl
        def gridgov_models(self) -> list[type]:
            return [dict]

    with pytest.raises(PluginError, match=r"bad_models.*not a mapped subclass"):
        create_app(Settings(), plugins=[NotAModel()])
    create_app(Settings(), plugins=[SamplePlugin()])  # a real model is accepted


async def test_hook_gridgov_event_transition() -> None:
    plugin = SamplePlugin()
    # the built-ins act on real events: this test passes a stand-in, to the sample alone
    pm = make_plugin_manager(Settings(disabled_plugins=",".join(BUILTINS)), [plugin])
    await call_async(
        pm.hook.gridgov_event_transition,
        session=None,
        event="e1",
        transition="accept",
        actor="worker",
    )
    assert plugin.called("event_transition") == [("e1", "accept", "worker")]


async def test_hook_gridgov_entity_changed(db_url) -> None:
    plugin = SamplePlugin()
    settings = Settings(database_url=db_url)
    engine = make_engine(db_url, settings)
    async with make_sessionmaker(engine)() as session, session.begin():
        await create_account(
            session,
            username="ann",
            name="Ann",
            password="long-enough-password-1",
            role="admin",
            pm=make_plugin_manager(settings, [plugin]),
        )
    await engine.dispose()
    assert plugin.called("entity_changed") == [("account", "created", "ann")]


async def test_hook_gridgov_demo_load(db_url) -> None:
    from core.demo.load import load_demo

    plugin = await migrated_with_sample(db_url)
    settings = Settings(database_url=db_url)
    engine = make_engine(db_url, settings)
    async with make_sessionmaker(engine)() as session, session.begin():
        await load_demo(
            session,
            persons=100,
            seed=3,
            password="password-1",
            pm=make_plugin_manager(settings, [plugin]),
        )
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT text FROM sample_note")) == "demo with 579 grids"
    await engine.dispose()
    assert plugin.called("demo_load") == [3]


def test_field_clash_fails_at_start_up_naming_both_owners() -> None:
    @strawberry.type
    class Clashing:
        code: str

    class ClashPlugin:
        name = "clasher"

        @hookimpl
        def gridgov_graphql_type_parts(self) -> dict[str, list[type]]:
            return {"Grid": [Clashing]}

    with pytest.raises(SchemaCompositionError, match=r"Grid\.code .* core and clasher"):
        create_app(Settings(), plugins=[ClashPlugin()])


def test_extending_an_unknown_type_fails() -> None:
    class Unknown:
        name = "unknown_type"

        @hookimpl
        def gridgov_graphql_type_parts(self) -> dict[str, list[type]]:
            return {"Gird": [SamplePlugin]}

    with pytest.raises(SchemaCompositionError, match="unknown_type extends Gird"):
        create_app(Settings(), plugins=[Unknown()])


def test_misspelt_hook_fails_at_start_up() -> None:
    class Misspelt:
        name = "misspelt"

        @hookimpl
        def gridgov_startpu(self) -> None: ...

    with pytest.raises(PluginError, match="gridgov_startpu"):
        make_plugin_manager(Settings(), [Misspelt()])


def test_entry_point_plugins_are_loaded(tmp_path: Path, monkeypatch) -> None:
    pkg = tmp_path / "gg_ep_plugin"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        textwrap.dedent("""
        import strawberry
        from core.plugins import hookimpl

        @strawberry.type
        class Q:
            ep_hello: str = "from an entry point"

        @hookimpl
        def gridgov_graphql_query():
            return Q
    """)
    )
    dist = tmp_path / "gg_ep_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: gg-ep-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[gridgov]\nep = gg_ep_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    pm = make_plugin_manager(Settings())
    assert "ep" in plugin_names(pm)
    schema = build_schema(pm, Settings())
    assert "epHello" in schema.as_str()
    assert "ep" not in plugin_names(make_plugin_manager(Settings(disabled_plugins="ep")))


def test_every_hook_has_a_test() -> None:
    hooks = {n for n in dir(hookspecs) if n.startswith("gridgov_")}
    tested: set[str] = set()
    for path in Path(__file__).parent.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.append(node.name)
            for name in names:
                for hook in hooks:
                    if name.startswith("test_hook_") and hook in name:
                        tested.add(hook)
    assert hooks - tested == set(), f"hooks without a test: {sorted(hooks - tested)}"


class RulePlugin:
    def __init__(self, *rows: tuple[str, str, str, str]) -> None:
        self.rows = rows

    @hookimpl
    def gridgov_role_rules(self) -> list[tuple[str, str, str, str]]:
        return list(self.rows)


async def test_hook_gridgov_role_rules_adds_default_rules(demo_url, app_client) -> None:
    query = "{ myPermissions { category action prefixes } }"
    async with app_client(demo_url) as client:
        await client.login("citizen")
        before = (await client.gql(query))["data"]["myPermissions"]
    assert {"category": "event", "action": "READ", "prefixes": [""]} not in before
    plugin = RulePlugin(("citizen", "event", "read", "all"))
    async with app_client(demo_url, plugins=[plugin]) as client:
        await client.login("citizen")
        after = (await client.gql(query))["data"]["myPermissions"]
    assert {"category": "event", "action": "READ", "prefixes": [""]} in after
    for bad, says in (
        (("mayor", "event", "read", "all"), "unknown role 'mayor'"),
        (("citizen", "event", "read", "mine"), "scope must be own or all"),
        (("citizen", "event", "delete", "all"), "action must be one of read, write"),
    ):
        with pytest.raises(ValueError, match=says):
            create_app(Settings(), plugins=[RulePlugin(bad)])


class FileKeysPlugin:
    def __init__(self, *columns: tuple[str, str]) -> None:
        self.columns = columns

    @hookimpl
    def gridgov_file_key_columns(self) -> list[tuple[str, str]]:
        return list(self.columns)


async def test_hook_gridgov_file_key_columns_keeps_shared_files(
    pg_server, template_db, app_client
) -> None:
    """A visit photo (attendance plugin, declared through the hook) and an event that fails
    with the same photo: the shared file stays."""
    from tests.test_events import files_under, jpeg_with_gps, report_input, upload
    from tests.test_locate import inner_points
    from tests.test_records import demo_copy

    url = await demo_copy(pg_server, template_db)
    (lon, lat, grid), *_ = await inner_points(url, 1)
    photo = [("p.jpg", jpeg_with_gps(), "image/jpeg")]
    async with app_client(url) as client:
        assert ("attendance_visit_photo", "key") in client.app.state.gridgov.file_key_columns
        await client.login(f"gw-{grid}")
        engine = make_engine(url, Settings(database_url=url))
        async with engine.connect() as conn:
            person_id = await conn.scalar(
                text(
                    "SELECT min(p.id) FROM person p JOIN grid g ON g.id = p.grid_id "
                    "WHERE g.code = :c"
                ),
                {"c": grid},
            )
        await engine.dispose()
        visit = await upload(
            client,
            'mutation($p: ID, $photos: [Upload!]) { recordVisit(personId: $p, note: "走访", '
            f"location: {{lon: {lon}, lat: {lat}}}, photos: $photos) {{ id }} }}",
            {"p": str(person_id)},
            photo,
            path="photos",
        )
        assert "errors" not in visit, visit
        root = client.app.state.gridgov.settings.uploads
        kept = files_under(root)
        assert len(kept) == 1
        failed = await upload(
            client,
            "mutation($input: ReportEventInput!) { reportEvent(input: $input) { created } }",
            {"input": report_input(lon, lat, categoryCode="no.such.category")},
            photo,
        )
        assert failed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert files_under(root) == kept  # still there for the visit
    with pytest.raises(ValueError, match="not a table and column name"):
        create_app(Settings(), plugins=[FileKeysPlugin(("photo; DROP TABLE x", "key"))])


def test_a_hook_implementation_with_arguments_the_hook_lacks_fails_at_start_up() -> None:
    class Stale:
        """Written for contract v1, when startup got the Starlette app."""

        name = "stale"

        @hookimpl
        def gridgov_startup(self, app: object) -> None: ...

    with pytest.raises(PluginError, match=r"(?s)'stale'.*\{'app'\}"):
        make_plugin_manager(Settings(), [Stale()])


class AnalyticsPlugin:
    """Contributes to the analytics plugin through the core's hooks only."""

    name = "analytics_sample"

    @staticmethod
    async def _grids(session: object, scope: object) -> dict[str, list[object]]:
        from core.analysis import Figure

        return {"": [Figure("sample_figure", "样例", 42.0)]}

    @hookimpl
    def gridgov_dashboard_panels(self) -> list[object]:
        from core.analysis import PanelPart

        return [
            PanelPart("sample_panel", self._grids, title="样例面板", order=1),
            PanelPart("work_assessment", self._grids, order=999),  # a part of another's
            PanelPart("nobody_founds_this", self._grids),  # dropped
        ]

    @hookimpl
    def gridgov_analysis_modules(self) -> list[object]:
        from sqlalchemy import select

        from core.analysis import AnalysisModule, Column
        from core.models import Grid

        def source(scope: object, filter: str | None) -> object:
            return select(
                Grid.id.label("id"),
                Grid.code.label("region_code"),
                Grid.valid_from.label("at"),
                Grid.name.label("name"),
            ).where(Grid.valid_to.is_(None))

        return [
            AnalysisModule(
                key="sample_grids",
                title="样例模块",
                category="region",
                kind="grid",
                columns=(Column("name", "名称"),),
                source=source,
            )
        ]

    @hookimpl
    def gridgov_assessment_indicators(self) -> list[object]:
        from core.analysis import AssessmentIndicator

        async def one_each(session: object, scope: object) -> dict[int, float]:
            from sqlalchemy import select

            from core.models import Grid

            rows = await session.execute(select(Grid.worker_id).where(Grid.valid_to.is_(None)))  # type: ignore[attr-defined]
            return {int(w): 1.0 for (w,) in rows if w is not None}

        return [AssessmentIndicator("sample_indicator", "样例指标", one_each, default_weight=1)]


async def test_hook_gridgov_dashboard_panels(demo_url, app_client) -> None:
    async with app_client(demo_url, plugins=[AnalyticsPlugin()]) as client:
        await client.login("command")
        result = await client.gql(
            "{ dashboard { panelKeys panels { key title figures { key value } } } }"
        )
        board = result["data"]["dashboard"]
        assert board["panelKeys"][0] == "sample_panel"
        assert "nobody_founds_this" not in board["panelKeys"]
        panels = {p["key"]: p for p in board["panels"]}
        assert panels["sample_panel"]["figures"] == [{"key": "sample_figure", "value": 42.0}]
        assert panels["work_assessment"]["figures"][-1]["key"] == "sample_figure"


async def test_hook_gridgov_analysis_modules(demo_url, app_client) -> None:
    async with app_client(demo_url, plugins=[AnalyticsPlugin()]) as client:
        await client.login("command")
        result = await client.gql(
            '{ analysis(module: "sample_grids") { total rows(first: 1) { edges { node '
            "{ kind cells } } } } }"
        )
        grids = await client.gql("{ grids { totalCount } }")
        a = result["data"]["analysis"]
        assert a["total"] == grids["data"]["grids"]["totalCount"] > 0
        assert a["rows"]["edges"][0]["node"]["kind"] == "grid"

    class Twice(AnalyticsPlugin):
        """Gives the same module again (and nothing else: these are not hook
        implementations)."""

        name = "analytics_twice"

        def gridgov_dashboard_panels(self) -> list[object]:
            return []

        def gridgov_assessment_indicators(self) -> list[object]:
            return []

    app = create_app(
        Settings(database_url=demo_url, secret_key="s" * 40),
        plugins=[AnalyticsPlugin(), Twice()],
    )
    with pytest.raises(PluginError, match="sample_grids"):
        async with LifespanManager(app):
            pass


async def test_hook_gridgov_assessment_indicators(demo_url, app_client) -> None:
    async with app_client(demo_url, plugins=[AnalyticsPlugin()]) as client:
        await client.login("command")
        result = await client.gql(
            '{ assessment(month: "2026-05") { indicators { key weight } rows { values '
            "{ indicator value } } } }"
        )
        table = result["data"]["assessment"]
        assert {"key": "sample_indicator", "weight": 1.0} in table["indicators"]
        for row in table["rows"]:
            assert {"indicator": "sample_indicator", "value": 1.0} in row["values"]
