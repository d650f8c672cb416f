"""The organization tree: creating organizations under their parent, committees by term
(换届) and the accounts that staff an organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from core.models import Account, Grid, Region
from plugins.party_building.access import MEMBER, PARTY, PartyAccess, organization, subtree
from plugins.party_building.models import (
    CHILD_KINDS,
    MemberStatus,
    OrgKind,
    PartyCommitteeSeat,
    PartyCommitteeTerm,
    PartyMember,
    PartyOrganization,
    PartyStaff,
    Post,
    Stage,
)

CODE_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True, slots=True)
class NewOrganization:
    code: str
    name: str
    kind: OrgKind
    area_code: str
    parent_id: int | None = None
    established_on: date | None = None


async def known_area(session: AsyncSession, code: str) -> str:
    """A region prefix or a current grid code that exists (else BAD_USER_INPUT/NOT_FOUND)."""
    if not code.isdigit() or len(code) not in (6, 9, 12, 15):
        raise BadInput(
            f"areaCode must be a region prefix (6, 9 or 12 digits) or a grid code (15), "
            f"got {code!r}",
            argument="areaCode",
        )
    if len(code) == 15:
        found = exists().where(Grid.code == code, Grid.valid_to.is_(None))
    else:
        found = exists().where(Region.prefix == code)
    if not await session.scalar(select(found)):
        raise NotFound(f"no region or grid has the code {code!r}", argument="areaCode")
    return code


def _check_new(new: NewOrganization, today: date) -> None:
    if not (4 <= len(new.code) <= 32 and set(new.code) <= CODE_CHARS):
        raise BadInput(
            "code must be 4 to 32 upper-case letters or digits (党组织代码)", argument="code"
        )
    if not new.name.strip():
        raise BadInput("name must not be empty", argument="name")
    if new.established_on is not None and new.established_on > today:
        raise BadInput("establishedOn must not be in the future", argument="establishedOn")


async def create_organization(
    session: AsyncSession, access: PartyAccess, new: NewOrganization, today: date
) -> PartyOrganization:
    """A new organization under ``parent_id`` (whose ``party`` write it needs), or a top
    committee (``party`` write over the whole deployment: the district command centre)."""
    _check_new(new, today)
    area = await known_area(session, new.area_code)
    if new.parent_id is None:
        if "" not in access.actor.reach.prefixes(PARTY, "write"):
            if not access.actor.authenticated:
                raise Unauthenticated("log in to create party organizations")
            raise Forbidden("only the district command centre creates top party organizations")
        if new.kind != OrgKind.COMMITTEE:
            raise BadInput("a top organization is a committee (党委)", argument="kind")
        path_prefix = "/"
    else:
        parent = await organization(session, access, new.parent_id, "write", PARTY, "parentId")
        if new.kind not in CHILD_KINDS[OrgKind(parent.kind)]:
            raise BadInput(f"a {parent.kind} cannot hold a {new.kind.value}", argument="kind")
        if not area.startswith(parent.area_code):
            raise BadInput(
                f"areaCode must lie within the parent's area {parent.area_code}",
                argument="areaCode",
            )
        path_prefix = parent.path
    row = PartyOrganization(
        code=new.code,
        name=new.name.strip(),
        kind=new.kind.value,
        parent_id=new.parent_id,
        path="",
        area_code=area,
        established_on=new.established_on,
    )
    session.add(row)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(f"the code {new.code} is taken", argument="code") from None
    row.path = f"{path_prefix}{row.id}/"
    await session.flush()
    return row


@dataclass(frozen=True, slots=True)
class Seat:
    member_id: int
    post: Post


async def elect_committee(
    session: AsyncSession,
    access: PartyAccess,
    org_id: int,
    starts_on: date,
    seats: list[Seat],
    today: date,
) -> PartyCommitteeTerm:
    """换届: the current term ends the day before ``starts_on`` and a new one starts with
    these seats (one secretary; full members of the organization's subtree)."""
    org = await organization(session, access, org_id, "write", PARTY)
    if starts_on > today:
        raise BadInput("startsOn must not be in the future", argument="startsOn")
    if not seats:
        raise BadInput("a committee needs members", argument="seats")
    if sum(1 for s in seats if s.post == Post.SECRETARY) != 1:
        raise BadInput("a committee has exactly one secretary (书记)", argument="seats")
    ids = [s.member_id for s in seats]
    if len(set(ids)) != len(ids):
        raise BadInput("a member holds one post in a committee", argument="seats")
    eligible = set(
        (
            await session.scalars(
                select(PartyMember.id)
                .join(PartyOrganization, PartyOrganization.id == PartyMember.organization_id)
                .where(
                    PartyMember.id.in_(ids),
                    PartyMember.stage == Stage.FULL.value,
                    PartyMember.status == MemberStatus.ACTIVE.value,
                    subtree(org.path),
                )
            )
        ).all()
    )
    missing = [i for i in ids if i not in eligible]
    if missing:
        raise BadInput(
            f"members {', '.join(map(str, missing))} are not active full members of {org.code}",
            argument="seats",
        )
    current = (
        await session.execute(
            select(PartyCommitteeTerm)
            .where(
                PartyCommitteeTerm.organization_id == org.id,
                PartyCommitteeTerm.ends_on.is_(None),
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if current is not None:
        if starts_on <= current.starts_on:
            raise Conflict(
                f"the current term started on {current.starts_on}: a new term starts later",
                argument="startsOn",
            )
        current.ends_on = starts_on - timedelta(days=1)
        await session.flush()
    term = PartyCommitteeTerm(
        organization_id=org.id, starts_on=starts_on, created_by=access.actor.account_id
    )
    session.add(term)
    await session.flush()
    session.add_all(
        PartyCommitteeSeat(term_id=term.id, member_id=s.member_id, post=s.post.value) for s in seats
    )
    await session.flush()
    return term


async def _account(session: AsyncSession, username: str) -> int:
    found = await session.scalar(select(Account.id).where(Account.username == username))
    if found is None:
        raise NotFound(f"no account has the username {username!r}", argument="username")
    return int(found)


async def set_staff(
    session: AsyncSession, actor: Actor, access: PartyAccess, org_id: int, username: str, on: bool
) -> bool:
    """Make an account staff of an organization (or no longer): they then read and write
    its subtree, members whole. Needs ``party:member`` write on the organization.
    Whether anything changed."""
    org = await organization(session, access, org_id, "write", MEMBER)
    account_id = await _account(session, username)
    existing = await session.get(PartyStaff, (account_id, org.id))
    if on and existing is None:
        session.add(PartyStaff(account_id=account_id, organization_id=org.id))
        await session.flush()
        return True
    if not on and existing is not None:
        await session.delete(existing)
        await session.flush()
        return True
    return False
