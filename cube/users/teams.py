"""Teams: members and a supervisor (work is scoped by team)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from cube import audit
from cube.actors import Actor, require
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.models import Team, User


@dataclass(frozen=True)
class TeamData:
    """The editable fields of a team."""

    name: str
    description: str = ""
    supervisor_id: int | None = None
    member_ids: tuple[int, ...] = ()
    active: bool = True


def all_teams(*, active_only: bool = False) -> list[Team]:
    """Teams by name."""
    query = select(Team).order_by(Team.name)
    if active_only:
        query = query.where(Team.active.is_(True))
    return list(db.session.scalars(query))


def _users(ids: Sequence[int]) -> list[User]:
    users = list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []
    if len(users) != len(set(ids)):
        raise ValidationFailed(_("Choose members from the list."), field="member_ids")
    return users


def save_team(actor: Actor, team: Team | None, data: TeamData) -> Team:
    """Create a team (``team`` None) or update one; names are unique."""
    require(actor, "team.manage", _("You may not manage teams."))
    name = data.name.strip()
    if not name:
        raise ValidationFailed(_("Enter a team name."), field="name")
    clash = select(Team.id).where(Team.name == name)
    if team is not None:
        clash = clash.where(Team.id != team.id)
    if db.session.scalar(clash) is not None:
        raise ValidationFailed(_("Another team has this name."), field="name")
    supervisor = db.session.get(User, data.supervisor_id) if data.supervisor_id else None
    if data.supervisor_id and (supervisor is None or not supervisor.active):
        raise ValidationFailed(_("Choose an active supervisor from the list."), field="supervisor_id")
    members = _users(data.member_ids)
    created = team is None
    if team is None:
        team = Team()
        db.session.add(team)
    team.name = name
    team.description = data.description.strip()
    team.supervisor = supervisor
    team.members = members
    team.active = data.active
    db.session.flush()
    audit.record(
        "team.created" if created else "team.updated",
        actor=actor,
        target=team,
        name=name,
        members=[member.id for member in members],
    )
    return team
