"""Alembic environment: runs on the connection that ``core.database.migrate`` hands over."""

from __future__ import annotations

from alembic import context
from geoalchemy2 import alembic_helpers

import authz.models  # noqa: F401 - registers the authorization tables
import core.models  # noqa: F401 - registers the core tables
from core.models.base import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `gridgov db upgrade`")


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
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
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


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
