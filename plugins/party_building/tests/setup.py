"""A small party tree written straight into a test database, in place of the demo's party
data (so a test counts only its own): a district committee, a township committee, two community
branches (the first with a party group) and members in them.

    district (T0DIST, 511504) ─ township (T0TOWN, township) ┬ branch A (T0BRA, community A)
                                                             │   └ group A1 (T0GRA1)
                                                             └ branch B (T0BRB, community B)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import text

from core.database.engine import make_engine
from core.settings import Settings


@dataclass
class Tree:
    district: int
    township: int
    branch_a: int
    group_a: int
    branch_b: int
    township_code: str
    community_a: str
    community_b: str
    #: member ids: a1, a2, a3 (branch A, full members), b1 (branch B, full member),
    #: p1 (branch A, probationary)
    members: dict[str, int] = field(default_factory=dict)
    #: the person id of each member
    persons: dict[str, int] = field(default_factory=dict)
    #: persons with no membership (for tests that add members)
    free_persons: list[int] = field(default_factory=list)


#: the plugin's tables, emptied of the demo's party data before a tree is built
PARTY_TABLES = (
    "party_helper_activity, party_grid_helper, party_point_entry, party_service_signup, "
    "party_service_item, party_registration, party_dues_payment, party_dues_rate, "
    "party_meeting_attendance, party_meeting, party_committee_seat, party_committee_term, "
    "party_transfer, party_member_step, party_member, party_staff, party_organization"
)


async def build_tree(url: str) -> Tree:
    """The tree alone: the demo's party data is removed first (TRUNCATE, which the
    ledger's row trigger does not see), so counts in a test are the test's own."""
    engine = make_engine(url, Settings(database_url=url))
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {PARTY_TABLES}"))
            township, community_a, community_b = (
                await conn.execute(
                    text(
                        "WITH c AS (SELECT prefix, parent_code FROM region "
                        "  WHERE level = 'community') "
                        "SELECT t.prefix, a.prefix, b.prefix FROM c a "
                        "JOIN c b ON b.parent_code = a.parent_code AND b.prefix <> a.prefix "
                        "JOIN region t ON t.code = a.parent_code "
                        "ORDER BY a.prefix, b.prefix LIMIT 1"
                    )
                )
            ).one()

            async def org(
                code: str, name: str, kind: str, parent: int | None, parent_path: str, area: str
            ) -> tuple[int, str]:
                new_id = (
                    await conn.execute(
                        text(
                            "INSERT INTO party_organization (code, name, kind, parent_id, path, "
                            "area_code, established_on) VALUES (:c, :n, :k, :p, '', :a, "
                            "'2020-01-01') RETURNING id"
                        ),
                        {"c": code, "n": name, "k": kind, "p": parent, "a": area},
                    )
                ).scalar_one()
                path = f"{parent_path}{new_id}/"
                await conn.execute(
                    text("UPDATE party_organization SET path = :path WHERE id = :id"),
                    {"path": path, "id": new_id},
                )
                return int(new_id), path

            district, dpath = await org("T0DIST", "测试区委", "committee", None, "/", "511504")
            town, tpath = await org("T0TOWN", "测试镇党委", "committee", district, dpath, township)
            branch_a, apath = await org("T0BRA", "测试A支部", "branch", town, tpath, community_a)
            group_a, _ = await org("T0GRA1", "测试A一组", "group", branch_a, apath, community_a)
            branch_b, _ = await org("T0BRB", "测试B支部", "branch", town, tpath, community_b)

            people_a = [
                int(r[0])
                for r in await conn.execute(
                    text(
                        "SELECT id FROM person "
                        "WHERE id NOT IN (SELECT person_id FROM party_member) ORDER BY id LIMIT 9"
                    ),
                )
            ]
            person_b = people_a.pop()
            tree = Tree(
                district, town, branch_a, group_a, branch_b, township, community_a, community_b
            )

            async def member(key: str, person: int, org_id: int, stage: str) -> None:
                order = ["applicant", "activist", "candidate", "probationary", "full"]
                reached = order[: order.index(stage) + 1]
                dates = [date(2019 + i, 3, 1) for i in range(len(reached))]
                new_id = (
                    await conn.execute(
                        text(
                            "INSERT INTO party_member (person_id, organization_id, stage, "
                            "stage_on, education) VALUES (:p, :o, :s, :d, 'bachelor') "
                            "RETURNING id"
                        ),
                        {"p": person, "o": org_id, "s": stage, "d": dates[-1]},
                    )
                ).scalar_one()
                for s, d in zip(reached, dates, strict=True):
                    await conn.execute(
                        text(
                            "INSERT INTO party_member_step (member_id, stage, reached_on) "
                            "VALUES (:m, :s, :d)"
                        ),
                        {"m": new_id, "s": s, "d": d},
                    )
                tree.members[key] = int(new_id)
                tree.persons[key] = person

            await member("a1", people_a[0], branch_a, "full")
            await member("a2", people_a[1], branch_a, "full")
            await member("a3", people_a[2], branch_a, "full")
            await member("p1", people_a[3], branch_a, "probationary")
            await member("b1", person_b, branch_b, "full")
            tree.free_persons = people_a[4:]
            return tree
    finally:
        await engine.dispose()


async def make_staff(url: str, username: str, organization_id: int) -> None:
    """Make an existing account staff of an organization."""
    engine = make_engine(url, Settings(database_url=url))
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO party_staff (account_id, organization_id) "
                    "SELECT id, :o FROM account WHERE username = :u"
                ),
                {"o": organization_id, "u": username},
            )
    finally:
        await engine.dispose()
