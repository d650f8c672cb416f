"""On Citus, the step after the migrations: the tables with a county column become
distributed tables co-located by county, the tables they point at reference tables.

Run by ``upgrade`` whenever the database has the citus extension (and by
``gridgov db distribute``); it does nothing on plain PostgreSQL and nothing twice: only
tables not yet distributed are touched, so a later migration's new tables are taken too.

What changes, because Citus needs it (docs/citus.md):

- a distributed table's primary key and unique keys gain ``county`` (an identity number,
  a household code… is unique within its county on Citus, not across counties);
- a foreign key between distributed tables gains ``county`` on both sides; a foreign key
  from a table that stays on the coordinator to a distributed table is dropped (Citus
  cannot check it), and so is none other;
- triggers that cannot run on a worker's shards are dropped: the identity notifications
  (the application tells its own process itself; other processes of a Citus deployment
  refresh actors when their identity cache expires) and the analytics plugin's change
  marks (summaries are rebuilt whole: ``gridgov analytics rebuild``). Append-only
  triggers stay: they run on the shards (``citus.enable_unsafe_triggers``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

COUNTY = "county"
#: the first distributed table; every other one is co-located with it
ANCHOR = "event"
#: trigger functions that cannot run on a worker's shards
SHARD_UNSAFE = (
    "gridgov_identity_changed",
    "gridgov_session_ended",
    "analytics_mark",
    "analytics_mark_groups",
)

_TABLES = text("""
SELECT c.relname,
       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'county'
               AND NOT a.attisdropped) AS has_county,
       EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid) AS citus
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
  AND NOT c.relispartition AND c.relname <> 'spatial_ref_sys'
""")
_FOREIGN_KEYS = text("""
SELECT c.conname, c.conrelid::regclass::text AS src, c.confrelid::regclass::text AS dst,
       array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
             ORDER BY k.o) AS columns,
       array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n
             ORDER BY k.o) AS referenced,
       c.confdeltype AS on_delete
FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
WHERE c.contype = 'f' AND c.conparentid = 0 AND r.relnamespace = 'public'::regnamespace
""")
_TRIGGERS = text("""
SELECT tgname, tgfoid::regproc::text AS function FROM pg_trigger
WHERE tgrelid = CAST(:table AS regclass) AND NOT tgisinternal
""")
_PRIMARY_KEY = text("""
SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
WHERE conrelid = CAST(:table AS regclass) AND contype = 'p'
""")
_UNIQUE = text("""
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition,
       (SELECT c.conname FROM pg_constraint c WHERE c.conindid = i.indexrelid) AS constraint_name
FROM pg_index i
WHERE i.indrelid = CAST(:table AS regclass) AND i.indisunique AND NOT i.indisprimary
""")


@dataclass(frozen=True, slots=True)
class ForeignKey:
    name: str
    src: str
    dst: str
    columns: tuple[str, ...]
    referenced: tuple[str, ...]
    on_delete: str

    def definition(self, with_county: bool) -> str:
        columns, referenced = list(self.columns), list(self.referenced)
        if with_county:
            columns.append(COUNTY)
            referenced.append(COUNTY)
        action = ""
        if self.on_delete == "c":
            action = " ON DELETE CASCADE"
        elif self.on_delete == "n":  # the county stays: only the reference is cleared
            action = f" ON DELETE SET NULL ({', '.join(self.columns)})"
        return (
            f"FOREIGN KEY ({', '.join(columns)}) REFERENCES {self.dst} "
            f"({', '.join(referenced)}){action}"
        )


@dataclass(frozen=True)
class Plan:
    """What the step does: tables to distribute and to replicate, keys to drop and redo."""

    distributed: tuple[str, ...]
    reference: tuple[str, ...]
    dropped: tuple[ForeignKey, ...]  # gone for good (coordinator table → distributed)
    redone: tuple[ForeignKey, ...]  # dropped, then made again (with county if needed)


async def citus_present(conn: AsyncConnection) -> bool:
    found = await conn.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'citus'"))
    return bool(found)


async def plan(conn: AsyncConnection) -> Plan:
    rows = (await conn.execute(_TABLES)).all()
    done = {r.relname for r in rows if r.citus}
    distributed = sorted(r.relname for r in rows if r.has_county and not r.citus)
    keys = [
        ForeignKey(r.conname, r.src, r.dst, tuple(r.columns), tuple(r.referenced), str(r.on_delete))
        for r in (await conn.execute(_FOREIGN_KEYS)).all()
    ]
    # reference tables: whatever a distributed table points at, and so on
    reference: list[str] = []
    frontier = set(distributed)
    while frontier:
        found = {
            k.dst
            for k in keys
            if k.src in frontier and k.dst not in distributed and k.dst not in done
        }
        found -= set(reference)
        reference.extend(sorted(found))
        frontier = found
    touched = set(distributed)
    dropped = tuple(k for k in keys if k.dst in touched and k.src not in touched)
    redone = tuple(k for k in keys if k.src in touched)
    return Plan(tuple(distributed), _referenced_first(reference, keys), dropped, redone)


def _referenced_first(tables: list[str], keys: list[ForeignKey]) -> tuple[str, ...]:
    ordered: list[str] = []
    chosen = set(tables)

    def visit(table: str, path: frozenset[str]) -> None:
        if table in ordered or table in path:
            return
        for key in keys:
            if key.src == table and key.dst in chosen:
                visit(key.dst, path | {table})
        ordered.append(table)

    for table in tables:
        visit(table, frozenset())
    return tuple(ordered)


async def _widen_keys(conn: AsyncConnection, table: str) -> None:
    """The table's primary key and unique keys, each with the county added."""
    pk = (await conn.execute(_PRIMARY_KEY, {"table": table})).one()
    columns = pk.definition.removeprefix("PRIMARY KEY (").removesuffix(")")
    if COUNTY not in columns.split(", "):
        await conn.execute(
            text(
                f"ALTER TABLE {table} DROP CONSTRAINT {pk.conname}, "
                f"ADD CONSTRAINT {pk.conname} PRIMARY KEY ({columns}, {COUNTY})"
            )
        )
    for index in (await conn.execute(_UNIQUE, {"table": table})).all():
        head, _, rest = index.definition.partition(" (")
        columns, _, tail = rest.partition(")")
        if COUNTY in columns.split(", "):
            continue
        if index.constraint_name:
            await conn.execute(
                text(
                    f"ALTER TABLE {table} DROP CONSTRAINT {index.constraint_name}, "
                    f"ADD CONSTRAINT {index.constraint_name} UNIQUE ({columns}, {COUNTY})"
                )
            )
        else:
            await conn.execute(text(f"DROP INDEX {index.name}"))
            await conn.execute(text(f"{head} ({columns}, {COUNTY}){tail}"))


async def distribute(conn: AsyncConnection) -> Plan | None:
    """Distribute what is not yet (None on plain PostgreSQL); the caller commits."""
    if not await citus_present(conn):
        return None
    step = await plan(conn)
    if not step.distributed and not step.reference:
        return step
    database = await conn.scalar(text("SELECT current_database()"))
    await conn.execute(text("SET LOCAL citus.enable_unsafe_triggers = on"))
    # one transaction mixes distributed and reference tables: one connection per worker
    await conn.execute(text("SET LOCAL citus.multi_shard_modify_mode = 'sequential'"))
    # later sessions too: migrations may add triggers; a transaction may write reference
    # tables after distributed ones (a report, the demo), which Citus allows only when its
    # multi-shard changes went one connection per worker
    for setting, value in (
        ("citus.enable_unsafe_triggers", "on"),
        ("citus.multi_shard_modify_mode", "sequential"),
    ):
        await conn.execute(text(f'ALTER DATABASE "{database}" SET {setting} = {value}'))
    # Citus distributes nothing that has foreign keys in flight, nor a table with an
    # identity column once it has become a "Citus local" table: keys go first, come back last
    for key in (*step.dropped, *step.redone):
        await conn.execute(text(f"ALTER TABLE {key.src} DROP CONSTRAINT {key.name}"))
    for table in (*step.distributed, *step.reference):
        for trigger in (await conn.execute(_TRIGGERS, {"table": table})).all():
            if trigger.function in SHARD_UNSAFE:
                await conn.execute(text(f"DROP TRIGGER {trigger.tgname} ON {table}"))
    for table in step.distributed:
        await _widen_keys(conn, table)
    anchor = ANCHOR if ANCHOR in step.distributed else None
    ordered = sorted(step.distributed, key=lambda t: t != anchor)
    for table in ordered:
        colocate = "default" if table == ordered[0] and anchor else ANCHOR
        await conn.execute(
            text(
                "SELECT create_distributed_table(CAST(:t AS regclass), :c, colocate_with => :with)"
            ),
            {"t": table, "c": COUNTY, "with": colocate},
        )
    for table in step.reference:
        await conn.execute(
            text("SELECT create_reference_table(CAST(:t AS regclass))"), {"t": table}
        )
    distributed = set(step.distributed) | set(
        await conn.scalars(
            text(
                "SELECT logicalrelid::regclass::text FROM pg_dist_partition WHERE partmethod = 'h'"
            )
        )
    )
    for key in step.redone:
        await conn.execute(
            text(
                f"ALTER TABLE {key.src} ADD CONSTRAINT {key.name} "
                f"{key.definition(with_county=key.dst in distributed)}"
            )
        )
    return step
