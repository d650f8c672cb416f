"""Alembic environment: runs on the connection that ``core.database.migrate`` hands over."""

from __future__ import annotations

from typing import Any

from alembic import context
from geoalchemy2 import alembic_helpers

import core.models  # noqa: F401 - registers the core tables (authorization's among them)
from core.models.base import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `gridgov db upgrade`")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    # PostGIS' own tables (spatial_ref_sys…) are not ours.
    if type_ == "table" and name in {"spatial_ref_sys"}:
        return False
    # Monthly partitions of the access audit are made at start-up, not by migrations.
    if reflected and name and name.startswith("access_audit_"):
        return False
    parent = getattr(obj, "table", None)
    if (
        reflected
        and type_ == "index"
        and parent is not None
        and parent.name.startswith("access_audit_")
    ):
        return False
    # geoalchemy2's helper carries no annotations
    kept = alembic_helpers.include_object(  # type: ignore[no-untyped-call]  # unannotated
        obj, name, type_, reflected, compare_to
    )
    return bool(kept)


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_object=include_object,
    process_revision_directives=alembic_helpers.writer,
    render_item=alembic_helpers.render_item,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
