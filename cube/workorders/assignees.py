"""Who may be assigned work: active people whose role may do work (``workorder.work``), grouped by team.

The rule is a permission, never a role name. The pickers offer ``worker_groups()`` and the services
check ``assignable_people()``, so a forged post naming anyone else is refused. A person invited who has
not chosen a password yet is active and counts: the work waits for them when they first sign in.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, exists, select

from cube.errors import ValidationFailed
from cube.extensions import db
from cube.models import RolePermission, Team, User, team_members

WORK_PERMISSION = "workorder.work"

Pairs = list[tuple[int, str]]


def may_do_work() -> ColumnElement[bool]:
    """SQL: the user is active and their role holds ``workorder.work``."""
    holds = exists().where(RolePermission.role_id == User.role_id, RolePermission.permission == WORK_PERMISSION)
    return and_(User.active.is_(True), holds)


def worker_pairs() -> Pairs:
    """(id, name) of every person who may do work, by name (one query)."""
    query = select(User.id, User.name).where(may_do_work()).order_by(User.name, User.id)
    return [(row.id, row.name) for row in db.session.execute(query)]


def worker_groups() -> dict[str, Pairs]:
    """People who may do work by active team name (a select's optgroups), then "No team"; one query.

    A person in two teams is listed under each; the form's values stay unique (``unique_ids``).
    """
    query = (
        select(User.id, User.name, Team.name.label("team"))
        .outerjoin(team_members, team_members.c.user_id == User.id)
        .outerjoin(Team, and_(Team.id == team_members.c.team_id, Team.active.is_(True)))
        .where(may_do_work())
        .order_by(Team.name.is_(None), Team.name, User.name, User.id)
    )
    groups: dict[str, Pairs] = {}
    no_team: Pairs = []
    teamed: set[int] = set()
    rows = list(db.session.execute(query))
    for row in rows:
        if row.team is not None:
            groups.setdefault(row.team, []).append((row.id, row.name))
            teamed.add(row.id)
    for row in rows:
        # A member of inactive teams only has rows with no team name, one per such team.
        if row.team is None and row.id not in teamed and (row.id, row.name) not in no_team:
            no_team.append((row.id, row.name))
    if no_team:
        groups.setdefault(_("No team"), []).extend(no_team)
    return groups


def unique_ids(ids: Iterable[int]) -> tuple[int, ...]:
    """``ids`` in their first order without repeats (a person picked under two teams counts once)."""
    return tuple(dict.fromkeys(ids))


def assignable_people(ids: Iterable[int]) -> list[User]:
    """The people ``ids`` name, by name; refused on ``assignee_ids`` unless each one may do work (one query)."""
    wanted = set(ids)
    if not wanted:
        return []
    people = list(db.session.scalars(select(User).where(User.id.in_(wanted), may_do_work()).order_by(User.name)))
    if len(people) != len(wanted):
        raise ValidationFailed(
            _("Only active people who may do work can be assigned: choose them from the list."), field="assignee_ids"
        )
    return people
