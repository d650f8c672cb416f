"""Statements and DataLoaders of places, things and organizations."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Organization, Place, Thing
from schema.loaders import OneLoader
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


class PlaceByIdLoader(OneLoader):
    statement = PLACES
    key = Place.id
    key_name = "id"


class OrganizationByIdLoader(OneLoader):
    statement = ORGANIZATIONS
    key = Organization.id
    key_name = "id"
