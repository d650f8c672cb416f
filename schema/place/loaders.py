"""Statements and DataLoaders of places, things and organizations."""

from __future__ import annotations

from aiodataloader import DataLoader
from sqlalchemy import select

from core.models import Organization, Place, Thing
from schema.context import Context
from schema.loaders import one_loader
from schema.located import located_columns

PLACES = select(
    Place.id,
    Place.kind,
    Place.name,
    Place.address,
    Place.usage,
    Place.floors,
    Place.parent_id,
    Place.attributes,
    *located_columns(Place),
)
THINGS = select(
    Thing.id,
    Thing.kind,
    Thing.category,
    Thing.name,
    Thing.code,
    Thing.status,
    Thing.place_id,
    Thing.attributes,
    *located_columns(Thing),
)
ORGANIZATIONS = select(
    Organization.id,
    Organization.kind,
    Organization.name,
    Organization.uscc,
    Organization.legal_representative,
    Organization.phone,
    Organization.member_count,
    Organization.parent_id,
    Organization.place_id,
    *located_columns(Organization),
)


def place_by_id(ctx: Context) -> DataLoader:
    return one_loader(ctx, PLACES, Place.id, "id")


def organization_by_id(ctx: Context) -> DataLoader:
    return one_loader(ctx, ORGANIZATIONS, Organization.id, "id")


LOADERS = {"place_by_id": place_by_id, "organization_by_id": organization_by_id}
