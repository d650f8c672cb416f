"""Which personal fields are masked, and when an actor sees them whole.

One table says, for each personal field the API serves, the row attribute that holds it,
the data category whose ``read`` grant unmasks it and the mask shown otherwise. The
GraphQL resolvers and the compiled read path both take their answer from here; every
unmasked read is then written to the access audit (``schema.audit``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.actor import Actor
from core.masking import mask_address, mask_identity_number, mask_passport, mask_phone


@dataclass(frozen=True, slots=True)
class PersonalField:
    """A personal field of a record ``kind`` (as the audit names it)."""

    kind: str
    attr: str
    category: str
    mask: Callable[[str], str | None]


PERSON: dict[str, PersonalField] = {
    "idNumber": PersonalField("person", "id_number", "person:identity", mask_identity_number),
    "passportNumber": PersonalField("person", "passport_number", "person:identity", mask_passport),
    "phone": PersonalField("person", "phone", "person:contact", mask_phone),
    "address": PersonalField("person", "address", "person:contact", mask_address),
}
HOUSEHOLD: dict[str, PersonalField] = {
    "address": PersonalField("household", "address", "person:contact", mask_address),
}
#: a house's address and door number are a resident's address; other places' are public
HOUSE: dict[str, PersonalField] = {
    name: PersonalField("place", name, "person:contact", mask_address)
    for name in ("name", "address")
}
ORGANIZATION: dict[str, PersonalField] = {
    "phone": PersonalField("organization", "phone", "person:contact", mask_phone),
}
#: special-group membership is left out (null), not masked, without this category
SPECIAL_GROUPS = "person:special_group"


def may_unmask(actor: Actor, category: str, region_code: str | None) -> bool:
    """May the actor read ``category`` data of a record in ``region_code`` unmasked?"""
    return actor.reach.allows(category, "read", region_code)


def sees_worker_phone(actor: Actor) -> bool:
    """A grid worker's work phone is whole for staff and masked for the public."""
    return actor.is_staff


def reporter_view(actor: Actor, reporter_id: int | None, region_code: str | None) -> bool:
    """Does the actor see an event only as its reporter (not through a grant on events)?"""
    return actor.account_id == reporter_id and not actor.reach.allows("event", "read", region_code)
