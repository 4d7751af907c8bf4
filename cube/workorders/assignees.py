"""Who may be assigned work: active people whose role may do work (``workorder.work``), grouped by team.

The rule is a permission, never a role name. The pickers search ``find_workers()``, the forms accept
``workers_among()`` and the services check ``assignable_people()``, so a forged post naming anyone else is
refused. A person invited who has not chosen a password yet is active and counts: the work waits for them
when they first sign in. The list of workers is staff information: only people who see or hand out work beyond
their own (``may_list_workers``) search it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, exists, select

from cube.actors import Actor
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.lookups import LOOKUP_LIMIT, Option, cleaned_term, starts_a_word
from cube.models import RolePermission, Team, User, team_members

WORK_PERMISSION = "workorder.work"
# Who sees work beyond their own, or hands it out: they may list the workers (assignee filter and pickers).
BEYOND_OWN_WORK = ("workorder.view_team", "workorder.view_all", "workorder.assign")


def may_list_workers(actor: Actor) -> bool:
    """Whether ``actor`` may search the people who do work (a requester, who sees only their own work, may not)."""
    return any(actor.has_permission(permission) for permission in BEYOND_OWN_WORK)


def may_do_work() -> ColumnElement[bool]:
    """SQL: the user is active and their role holds ``workorder.work``."""
    holds = exists().where(RolePermission.role_id == User.role_id, RolePermission.permission == WORK_PERMISSION)
    return and_(User.active.is_(True), holds)


def _workers(*where: ColumnElement[bool], limit: int | None = None) -> list[Option]:
    """People who may do work (and match ``where``) by name, each under their first active team or "No team"."""
    team = (
        select(Team.name)
        .join(team_members, team_members.c.team_id == Team.id)
        .where(team_members.c.user_id == User.id, Team.active.is_(True))
        .order_by(Team.name)
        .limit(1)
        .scalar_subquery()
    )
    query = select(User.id, User.name, team.label("team")).where(may_do_work(), *where).order_by(User.name, User.id)
    no_team = _("No team")
    return [Option(row.id, row.name, row.team or no_team) for row in db.session.execute(query.limit(limit))]


def find_workers(term: str) -> list[Option]:
    """The assignee pickers' search: people who may do work whose name (or a word of it) starts with ``term``."""
    wanted = cleaned_term(term)
    return _workers(starts_a_word(User.name, wanted), limit=LOOKUP_LIMIT) if wanted else []


def workers_among(ids: Collection[int]) -> list[Option]:
    """The people among ``ids`` who may do work (what an assignee picker may offer), by name."""
    return _workers(User.id.in_(set(ids))) if ids else []


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
