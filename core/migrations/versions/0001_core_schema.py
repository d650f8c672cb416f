"""Core schema: regions, grids, departments, accounts, worker profiles, the five domains.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("core",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_geospatial_table(
        "region",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=12), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(level = 'district') = (parent_code IS NULL)", name=op.f("ck_region_parent_by_level")
        ),
        sa.CheckConstraint("code ~ '^[0-9]{12}$'", name=op.f("ck_region_code_format")),
        sa.CheckConstraint(
            "kind IN ('district', 'street', 'town', 'township', 'community', 'village', 'other')",
            name=op.f("ck_region_kind"),
        ),
        sa.CheckConstraint(
            "level IN ('district', 'township', 'community')", name=op.f("ck_region_level")
        ),
        sa.CheckConstraint(
            "prefix = left(code, length(prefix))", name=op.f("ck_region_prefix_of_code")
        ),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["region.code"], name=op.f("fk_region_parent_code_region")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_region")),
        sa.UniqueConstraint("prefix", name=op.f("uq_region_prefix")),
    )
    op.create_geospatial_index(
        "ix_region_geom",
        "region",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_region_parent_code", "region", ["parent_code"], unique=False)
    op.create_index(
        "ix_region_prefix",
        "region",
        ["prefix"],
        unique=False,
        postgresql_ops={"prefix": "varchar_pattern_ops"},
    )
    op.create_table(
        "special_group",
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("name_zh", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_special_group")),
    )
    op.create_table(
        "worker_role",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=20), nullable=False),
        sa.Column("name_en", sa.String(length=60), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_worker_role")),
        sa.UniqueConstraint("position", name=op.f("uq_worker_role_position")),
    )
    op.create_table(
        "department",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=48), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "code ~ '^[A-Z0-9][A-Z0-9-]{1,31}$'", name=op.f("ck_department_code_format")
        ),
        sa.CheckConstraint(
            "type ~ '^[a-z][a-z0-9_]{1,47}$'", name=op.f("ck_department_type_format")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_department_region_code_region")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_department")),
    )
    op.create_index("ix_department_region_code", "department", ["region_code"], unique=False)
    op.create_index("ix_department_type", "department", ["type"], unique=False)
    op.create_table(
        "duty",
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("role_code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_code"], ["worker_role.code"], name=op.f("fk_duty_role_code_worker_role")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_duty")),
        sa.UniqueConstraint("position", name=op.f("uq_duty_position")),
    )
    op.create_index("ix_duty_role_code", "duty", ["role_code"], unique=False)
    op.create_table(
        "account",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("username", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("department_code", sa.String(length=32), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(role = 'department_staff') = (department_code IS NOT NULL)",
            name=op.f("ck_account_department_staff_has_department"),
        ),
        sa.CheckConstraint(
            "role IN ('citizen', 'grid_worker', 'community_staff', 'township_staff', 'district_command', 'department_staff', 'admin')",
            name=op.f("ck_account_role"),
        ),
        sa.CheckConstraint(
            "username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'", name=op.f("ck_account_username_format")
        ),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["department.code"],
            name=op.f("fk_account_department_code_department"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_account_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("username", name=op.f("uq_account_username")),
    )
    op.create_index("ix_account_department_code", "account", ["department_code"], unique=False)
    op.create_index("ix_account_region_code", "account", ["region_code"], unique=False)
    op.create_table(
        "department_area",
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("area_code", sa.String(length=15), nullable=False),
        sa.CheckConstraint(
            "area_code ~ '^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15})$'",
            name=op.f("ck_department_area_area_code_format"),
        ),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["department.code"],
            name=op.f("fk_department_area_department_code_department"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("department_code", "area_code", name=op.f("pk_department_area")),
    )
    op.create_index(
        "ix_department_area_area_code",
        "department_area",
        ["area_code"],
        unique=False,
        postgresql_ops={"area_code": "varchar_pattern_ops"},
    )
    op.create_geospatial_table(
        "grid",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=15), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("special_type", sa.String(length=32), nullable=True),
        sa.Column("community_code", sa.String(length=12), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("worker_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "valid_from",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(kind = 'special') = (special_type IS NOT NULL) AND (special_type IS NULL OR special_type IN ('park', 'market', 'business_district', 'campus', 'scenic_area', 'industrial_park'))",
            name=op.f("ck_grid_special_type"),
        ),
        sa.CheckConstraint(
            "code ~ '^[0-9]{15}$' AND substr(code, 13, 3) <> '000'",
            name=op.f("ck_grid_code_format"),
        ),
        sa.CheckConstraint("kind IN ('urban', 'rural', 'special')", name=op.f("ck_grid_kind")),
        sa.CheckConstraint("ST_IsValid(geom)", name=op.f("ck_grid_geom_valid")),
        sa.CheckConstraint(
            "left(code, 12) = community_code", name=op.f("ck_grid_code_in_community")
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from", name=op.f("ck_grid_validity")
        ),
        sa.ForeignKeyConstraint(
            ["community_code"], ["region.code"], name=op.f("fk_grid_community_code_region")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["account.id"], name=op.f("fk_grid_worker_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid")),
    )
    op.create_index(
        "ix_grid_code_pattern",
        "grid",
        ["code"],
        unique=False,
        postgresql_ops={"code": "varchar_pattern_ops"},
    )
    op.create_index("ix_grid_community_code", "grid", ["community_code"], unique=False)
    op.create_geospatial_index(
        "ix_grid_geom", "grid", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )
    op.create_index(
        "uq_grid_current_code",
        "grid",
        ["code"],
        unique=True,
        postgresql_where=sa.text("valid_to IS NULL"),
    )
    op.create_index(
        "uq_grid_current_worker",
        "grid",
        ["worker_id"],
        unique=True,
        postgresql_where=sa.text("valid_to IS NULL AND worker_id IS NOT NULL"),
    )
    op.create_table(
        "grid_worker_profile",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("employee_no", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("appointed_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('full_time', 'part_time')", name=op.f("ck_grid_worker_profile_kind")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_grid_worker_profile_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_grid_worker_profile")),
        sa.UniqueConstraint("employee_no", name=op.f("uq_grid_worker_profile_employee_no")),
    )
    op.create_table(
        "grid_worker_role",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("role_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["grid_worker_profile.account_id"],
            name=op.f("fk_grid_worker_role_account_id_grid_worker_profile"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_code"],
            ["worker_role.code"],
            name=op.f("fk_grid_worker_role_role_code_worker_role"),
        ),
        sa.PrimaryKeyConstraint("account_id", "role_code", name=op.f("pk_grid_worker_role")),
    )
    op.create_geospatial_table(
        "place",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("usage", sa.String(length=48), nullable=True),
        sa.Column("floors", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("region_code", sa.String(length=15), nullable=True),
        sa.Column("beidou_code", sa.String(length=20), nullable=True),
        sa.Column(
            "collected_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("grid_id", sa.BigInteger(), nullable=True),
        sa.Column("collected_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("kind IN ('building', 'house', 'venue')", name=op.f("ck_place_kind")),
        sa.CheckConstraint(
            "floors IS NULL OR floors BETWEEN 1 AND 200", name=op.f("ck_place_floors")
        ),
        sa.ForeignKeyConstraint(
            ["collected_by"], ["account.id"], name=op.f("fk_place_collected_by_account")
        ),
        sa.ForeignKeyConstraint(["grid_id"], ["grid.id"], name=op.f("fk_place_grid_id_grid")),
        sa.ForeignKeyConstraint(["parent_id"], ["place.id"], name=op.f("fk_place_parent_id_place")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place")),
    )
    op.create_index(
        "ix_place_beidou_code",
        "place",
        ["beidou_code"],
        unique=False,
        postgresql_ops={"beidou_code": "varchar_pattern_ops"},
    )
    op.create_geospatial_index(
        "ix_place_geom", "place", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )
    op.create_index("ix_place_grid_id", "place", ["grid_id"], unique=False)
    op.create_index("ix_place_kind", "place", ["kind"], unique=False)
    op.create_index("ix_place_parent_id", "place", ["parent_id"], unique=False)
    op.create_index(
        "ix_place_region_code",
        "place",
        ["region_code"],
        unique=False,
        postgresql_ops={"region_code": "varchar_pattern_ops"},
    )
    op.create_geospatial_table(
        "household",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("house_id", sa.BigInteger(), nullable=True),
        sa.Column("region_code", sa.String(length=15), nullable=True),
        sa.Column("beidou_code", sa.String(length=20), nullable=True),
        sa.Column(
            "collected_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("grid_id", sa.BigInteger(), nullable=True),
        sa.Column("collected_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["collected_by"], ["account.id"], name=op.f("fk_household_collected_by_account")
        ),
        sa.ForeignKeyConstraint(["grid_id"], ["grid.id"], name=op.f("fk_household_grid_id_grid")),
        sa.ForeignKeyConstraint(
            ["house_id"], ["place.id"], name=op.f("fk_household_house_id_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household")),
        sa.UniqueConstraint("code", name=op.f("uq_household_code")),
    )
    op.create_index(
        "ix_household_beidou_code",
        "household",
        ["beidou_code"],
        unique=False,
        postgresql_ops={"beidou_code": "varchar_pattern_ops"},
    )
    op.create_geospatial_index(
        "ix_household_geom",
        "household",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_household_grid_id", "household", ["grid_id"], unique=False)
    op.create_index("ix_household_house_id", "household", ["house_id"], unique=False)
    op.create_index(
        "ix_household_region_code",
        "household",
        ["region_code"],
        unique=False,
        postgresql_ops={"region_code": "varchar_pattern_ops"},
    )
    op.create_geospatial_table(
        "organization",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("legal_representative", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("member_count", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("place_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("region_code", sa.String(length=15), nullable=True),
        sa.Column("beidou_code", sa.String(length=20), nullable=True),
        sa.Column(
            "collected_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("grid_id", sa.BigInteger(), nullable=True),
        sa.Column("collected_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('social_organization', 'enterprise', 'party_organization')",
            name=op.f("ck_organization_kind"),
        ),
        sa.CheckConstraint(
            "uscc IS NULL OR uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'", name=op.f("ck_organization_uscc")
        ),
        sa.CheckConstraint(
            "member_count IS NULL OR member_count >= 0", name=op.f("ck_organization_member_count")
        ),
        sa.ForeignKeyConstraint(
            ["collected_by"], ["account.id"], name=op.f("fk_organization_collected_by_account")
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grid.id"], name=op.f("fk_organization_grid_id_grid")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["organization.id"], name=op.f("fk_organization_parent_id_organization")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["place.id"], name=op.f("fk_organization_place_id_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
        sa.UniqueConstraint("uscc", name=op.f("uq_organization_uscc")),
    )
    op.create_index(
        "ix_organization_beidou_code",
        "organization",
        ["beidou_code"],
        unique=False,
        postgresql_ops={"beidou_code": "varchar_pattern_ops"},
    )
    op.create_geospatial_index(
        "ix_organization_geom",
        "organization",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_organization_grid_id", "organization", ["grid_id"], unique=False)
    op.create_index("ix_organization_kind", "organization", ["kind"], unique=False)
    op.create_index("ix_organization_parent_id", "organization", ["parent_id"], unique=False)
    op.create_index("ix_organization_place_id", "organization", ["place_id"], unique=False)
    op.create_index(
        "ix_organization_region_code",
        "organization",
        ["region_code"],
        unique=False,
        postgresql_ops={"region_code": "varchar_pattern_ops"},
    )
    op.create_geospatial_table(
        "thing",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=48), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="normal", nullable=False),
        sa.Column("place_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("region_code", sa.String(length=15), nullable=True),
        sa.Column("beidou_code", sa.String(length=20), nullable=True),
        sa.Column(
            "collected_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("grid_id", sa.BigInteger(), nullable=True),
        sa.Column("collected_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('component', 'facility', 'iot_device')", name=op.f("ck_thing_kind")
        ),
        sa.CheckConstraint(
            "status IN ('normal', 'faulty', 'offline', 'retired')", name=op.f("ck_thing_status")
        ),
        sa.ForeignKeyConstraint(
            ["collected_by"], ["account.id"], name=op.f("fk_thing_collected_by_account")
        ),
        sa.ForeignKeyConstraint(["grid_id"], ["grid.id"], name=op.f("fk_thing_grid_id_grid")),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], name=op.f("fk_thing_place_id_place")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thing")),
        sa.UniqueConstraint("code", name=op.f("uq_thing_code")),
    )
    op.create_index(
        "ix_thing_beidou_code",
        "thing",
        ["beidou_code"],
        unique=False,
        postgresql_ops={"beidou_code": "varchar_pattern_ops"},
    )
    op.create_geospatial_index(
        "ix_thing_geom", "thing", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )
    op.create_index("ix_thing_grid_id", "thing", ["grid_id"], unique=False)
    op.create_index("ix_thing_kind_category", "thing", ["kind", "category"], unique=False)
    op.create_index("ix_thing_place_id", "thing", ["place_id"], unique=False)
    op.create_index(
        "ix_thing_region_code",
        "thing",
        ["region_code"],
        unique=False,
        postgresql_ops={"region_code": "varchar_pattern_ops"},
    )
    op.create_geospatial_table(
        "person",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("passport_number", sa.String(length=32), nullable=True),
        sa.Column("gender", sa.String(length=8), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("household_id", sa.BigInteger(), nullable=True),
        sa.Column("relation", sa.String(length=16), server_default="head", nullable=False),
        sa.Column("residence_type", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("region_code", sa.String(length=15), nullable=True),
        sa.Column("beidou_code", sa.String(length=20), nullable=True),
        sa.Column(
            "collected_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("grid_id", sa.BigInteger(), nullable=True),
        sa.Column("collected_by", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("gender IN ('male', 'female')", name=op.f("ck_person_gender")),
        sa.CheckConstraint(
            "id_number ~ '^[0-9]{17}[0-9X]$'", name=op.f("ck_person_id_number_format")
        ),
        sa.CheckConstraint(
            "id_number IS NOT NULL OR residence_type = 'overseas'",
            name=op.f("ck_person_id_number_required"),
        ),
        sa.CheckConstraint(
            "phone IS NULL OR phone ~ '^[0-9+-]{5,20}$'", name=op.f("ck_person_phone_format")
        ),
        sa.CheckConstraint(
            "relation IN ('head', 'spouse', 'child', 'parent', 'grandchild', 'sibling', 'other')",
            name=op.f("ck_person_relation"),
        ),
        sa.CheckConstraint(
            "residence_type IN ('registered', 'floating', 'overseas')",
            name=op.f("ck_person_residence_type"),
        ),
        sa.ForeignKeyConstraint(
            ["collected_by"], ["account.id"], name=op.f("fk_person_collected_by_account")
        ),
        sa.ForeignKeyConstraint(["grid_id"], ["grid.id"], name=op.f("fk_person_grid_id_grid")),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_person_household_id_household"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("id_number", name=op.f("uq_person_id_number")),
    )
    op.create_index(
        "ix_person_beidou_code",
        "person",
        ["beidou_code"],
        unique=False,
        postgresql_ops={"beidou_code": "varchar_pattern_ops"},
    )
    op.create_geospatial_index(
        "ix_person_geom",
        "person",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_person_grid_id", "person", ["grid_id"], unique=False)
    op.create_index("ix_person_household_id", "person", ["household_id"], unique=False)
    op.create_index("ix_person_name", "person", ["name"], unique=False)
    op.create_index(
        "ix_person_region_code",
        "person",
        ["region_code"],
        unique=False,
        postgresql_ops={"region_code": "varchar_pattern_ops"},
    )
    op.create_table(
        "person_special_group",
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("group_code", sa.String(length=48), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["special_group.code"],
            name=op.f("fk_person_special_group_group_code_special_group"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_special_group_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "group_code", name=op.f("pk_person_special_group")),
    )
    op.create_index(
        "ix_person_special_group_group_code", "person_special_group", ["group_code"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_person_special_group_group_code", table_name="person_special_group")
    op.drop_table("person_special_group")
    op.drop_index(
        "ix_person_region_code",
        table_name="person",
        postgresql_ops={"region_code": "varchar_pattern_ops"},
    )
    op.drop_index("ix_person_name", table_name="person")
    op.drop_index("ix_person_household_id", table_name="person")
    op.drop_index("ix_person_grid_id", table_name="person")
    op.drop_geospatial_index(
        "ix_person_geom", table_name="person", postgresql_using="gist", column_name="geom"
    )
    op.drop_index(
        "ix_person_beidou_code",
        table_name="person",
        postgresql_ops={"beidou_code": "varchar_pattern_ops"},
    )
    op.drop_geospatial_table("person")
    op.drop_index(
        "ix_thing_region_code",
        table_name="thing",
        postgresql_ops={"region_code": "varchar_pattern_ops"},
    )
    op.drop_index("ix_thing_place_id", table_name="thing")
    op.drop_index("ix_thing_kind_category", table_name="thing")
    op.drop_index("ix_thing_grid_id", table_name="thing")
    op.drop_geospatial_index(
        "ix_thing_geom", table_name="thing", postgresql_using="gist", column_name="geom"
    )
    op.drop_index(
        "ix_thing_beidou_code",
        table_name="thing",
        postgresql_ops={"beidou_code": "varchar_pattern_ops"},
    )
    op.drop_geospatial_table("thing")
    op.drop_index(
        "ix_organization_region_code",
        table_name="organization",
        postgresql_ops={"region_code": "varchar_pattern_ops"},
    )
    op.drop_index("ix_organization_place_id", table_name="organization")
    op.drop_index("ix_organization_parent_id", table_name="organization")
    op.drop_index("ix_organization_kind", table_name="organization")
    op.drop_index("ix_organization_grid_id", table_name="organization")
    op.drop_geospatial_index(
        "ix_organization_geom",
        table_name="organization",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_index(
        "ix_organization_beidou_code",
        table_name="organization",
        postgresql_ops={"beidou_code": "varchar_pattern_ops"},
    )
    op.drop_geospatial_table("organization")
    op.drop_index(
        "ix_household_region_code",
        table_name="household",
        postgresql_ops={"region_code": "varchar_pattern_ops"},
    )
    op.drop_index("ix_household_house_id", table_name="household")
    op.drop_index("ix_household_grid_id", table_name="household")
    op.drop_geospatial_index(
        "ix_household_geom", table_name="household", postgresql_using="gist", column_name="geom"
    )
    op.drop_index(
        "ix_household_beidou_code",
        table_name="household",
        postgresql_ops={"beidou_code": "varchar_pattern_ops"},
    )
    op.drop_geospatial_table("household")
    op.drop_index(
        "ix_place_region_code",
        table_name="place",
        postgresql_ops={"region_code": "varchar_pattern_ops"},
    )
    op.drop_index("ix_place_parent_id", table_name="place")
    op.drop_index("ix_place_kind", table_name="place")
    op.drop_index("ix_place_grid_id", table_name="place")
    op.drop_geospatial_index(
        "ix_place_geom", table_name="place", postgresql_using="gist", column_name="geom"
    )
    op.drop_index(
        "ix_place_beidou_code",
        table_name="place",
        postgresql_ops={"beidou_code": "varchar_pattern_ops"},
    )
    op.drop_geospatial_table("place")
    op.drop_table("grid_worker_role")
    op.drop_table("grid_worker_profile")
    op.drop_index(
        "uq_grid_current_worker",
        table_name="grid",
        postgresql_where=sa.text("valid_to IS NULL AND worker_id IS NOT NULL"),
    )
    op.drop_index(
        "uq_grid_current_code", table_name="grid", postgresql_where=sa.text("valid_to IS NULL")
    )
    op.drop_geospatial_index(
        "ix_grid_geom", table_name="grid", postgresql_using="gist", column_name="geom"
    )
    op.drop_index("ix_grid_community_code", table_name="grid")
    op.drop_index(
        "ix_grid_code_pattern", table_name="grid", postgresql_ops={"code": "varchar_pattern_ops"}
    )
    op.drop_geospatial_table("grid")
    op.drop_index(
        "ix_department_area_area_code",
        table_name="department_area",
        postgresql_ops={"area_code": "varchar_pattern_ops"},
    )
    op.drop_table("department_area")
    op.drop_index("ix_account_region_code", table_name="account")
    op.drop_index("ix_account_department_code", table_name="account")
    op.drop_table("account")
    op.drop_index("ix_duty_role_code", table_name="duty")
    op.drop_table("duty")
    op.drop_index("ix_department_type", table_name="department")
    op.drop_index("ix_department_region_code", table_name="department")
    op.drop_table("department")
    op.drop_table("worker_role")
    op.drop_table("special_group")
    op.drop_index(
        "ix_region_prefix", table_name="region", postgresql_ops={"prefix": "varchar_pattern_ops"}
    )
    op.drop_index("ix_region_parent_code", table_name="region")
    op.drop_geospatial_index(
        "ix_region_geom", table_name="region", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("region")
