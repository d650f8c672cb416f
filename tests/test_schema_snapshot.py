"""The committed schema.graphql is the schema the default build serves."""

from __future__ import annotations

from pathlib import Path

from core.plugins import make_plugin_manager
from core.settings import Settings
from schema.build import build_schema

SNAPSHOT = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_schema_snapshot_is_current() -> None:
    settings = Settings()
    schema = build_schema(make_plugin_manager(settings), settings)
    assert SNAPSHOT.read_text(encoding="utf-8") == schema.as_str() + "\n", (
        "schema.graphql is stale: run `make schema` and review the diff"
    )
