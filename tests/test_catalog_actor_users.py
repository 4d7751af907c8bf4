"""User, role and team services check the actor's permission themselves.

An actor without the permission gets NotAllowed and nothing is written (no row,
no audit row, no e-mail); the system actor may, and its audit rows say
``by_system``. The rules templates ask (own role, locked roles) are the ones
the services enforce.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from cube.actors import SYSTEM
from cube.errors import NotAllowed, ValidationFailed
from cube.extensions import db
from cube.models import AuditEvent, Role, Team, User
from cube.users import roles, services, teams
from tests.catalog_factories import database_state, person_with


@dataclass
class World:
    target: User
    inactive: User
    team: Team
    technician_role: Role


@pytest.fixture
def world(app, make_user, make_team) -> World:
    target = make_user("technician", name="Terry Target")
    inactive = make_user("technician", name="Ida Inactive")
    services.deactivate_user(SYSTEM, inactive)
    db.session.commit()
    team = make_team("Facilities", members=(target,))
    technician_role = roles.role_by_name("technician")
    assert technician_role is not None
    return World(target, inactive, team, technician_role)


def user_data(user: User, **changes: Any) -> services.UserData:
    values: dict[str, Any] = {"email": user.email, "name": user.name, "role_id": user.role_id, **changes}
    return services.UserData(**values)


def matrix_granting(role: Role, permission: str) -> dict[int, set[str]]:
    wanted = {each.id: set(each.permissions) for each in roles.all_roles()}
    wanted[role.id] = wanted[role.id] | {permission}
    return wanted


# (name, permission the actor lacks, the call)
CALLS: list[tuple[str, str, Callable[[Any, World], object]]] = [
    (
        "create_user",
        "user.manage",
        lambda actor, w: services.create_user(
            actor, services.UserData(email="new@example.com", name="New", role_id=w.technician_role.id)
        ),
    ),
    (
        "update_user",
        "user.manage",
        lambda actor, w: services.update_user(actor, w.target, user_data(w.target, name="X")),
    ),
    ("deactivate_user", "user.manage", lambda actor, w: services.deactivate_user(actor, w.target)),
    ("reactivate_user", "user.manage", lambda actor, w: services.reactivate_user(actor, w.inactive)),
    ("send_password_reset", "user.manage", lambda actor, w: services.send_password_reset(actor, w.target)),
    ("create_role", "role.manage", lambda actor, w: roles.create_role(actor, "contractor", "Outside help")),
    (
        "set_permissions",
        "role.manage",
        lambda actor, w: roles.set_permissions(actor, matrix_granting(w.technician_role, "team.view")),
    ),
    (
        "save_team (new)",
        "team.manage",
        lambda actor, w: teams.save_team(actor, None, teams.TeamData(name="Electrical")),
    ),
    (
        "save_team (edit)",
        "team.manage",
        lambda actor, w: teams.save_team(actor, w.team, teams.TeamData(name="Facilities", member_ids=())),
    ),
]
IDS = [name for name, _, _ in CALLS]
EVERYTHING_BUT = {
    "user.manage": ("user.view", "role.manage", "team.view", "team.manage"),
    "role.manage": ("user.view", "user.manage", "team.view", "team.manage"),
    "team.manage": ("user.view", "user.manage", "role.manage", "team.view"),
}


@pytest.mark.parametrize(("name", "permission", "call"), CALLS, ids=IDS)
def test_an_actor_without_the_permission_is_refused_and_nothing_is_written(
    app, world, make_user, outbox, name, permission, call
):
    actor = person_with(make_user, *EVERYTHING_BUT[permission])
    before = database_state()
    with app.test_request_context(), pytest.raises(NotAllowed):
        call(actor, world)
    db.session.rollback()
    assert database_state() == before
    assert outbox == []


@pytest.mark.parametrize(("name", "permission", "call"), CALLS, ids=IDS)
def test_the_same_call_by_a_person_holding_the_permission_goes_through(app, world, make_user, name, permission, call):
    actor = person_with(make_user, *EVERYTHING_BUT[permission], permission)
    before = database_state()
    with app.test_request_context():
        call(actor, world)
    db.session.commit()
    assert database_state() != before


@pytest.mark.parametrize(("name", "call"), [(name, call) for name, _, call in CALLS], ids=IDS)
def test_the_system_actor_may_and_its_audit_rows_say_so(app, world, name, call):
    since = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0
    with app.test_request_context():
        call(SYSTEM, world)
    db.session.commit()
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.id > since)).all()
    assert rows, f"{name} wrote no audit row"
    assert all(row.by_system and row.actor_id is None for row in rows)


def test_the_system_has_no_profile(world):
    before = database_state()
    with pytest.raises(NotAllowed):
        services.update_profile(SYSTEM, services.ProfileData("System", "", "UTC"))
    db.session.rollback()
    assert database_state() == before


def test_a_person_updates_their_own_profile_without_any_permission(make_user):
    requester = make_user("requester")
    services.update_profile(requester, services.ProfileData("Renamed", "", "Europe/Berlin"))
    db.session.commit()
    db.session.refresh(requester)
    assert (requester.name, requester.timezone) == ("Renamed", "Europe/Berlin")


def test_nobody_changes_their_own_role_and_the_predicate_says_the_same(make_user):
    admin, other = make_user("admin"), make_user("admin")
    assert not services.can_change_role_of(admin, admin)
    assert services.can_change_role_of(admin, other)
    assert services.can_change_role_of(SYSTEM, admin)
    before = database_state()
    with pytest.raises(ValidationFailed, match="own role"):
        services.update_user(admin, admin, user_data(admin, role_id=roles.role_by_name("technician").id))
    db.session.rollback()
    assert database_state() == before
    # The system (no role of its own) may.
    services.update_user(SYSTEM, other, user_data(other, role_id=roles.role_by_name("technician").id))
    db.session.commit()
    assert other.role.name == "technician"


def test_nobody_deactivates_themselves_and_the_predicate_says_the_same(make_user):
    admin, other = make_user("admin"), make_user("admin")
    assert not services.can_deactivate(admin, admin)
    assert services.can_deactivate(admin, other)
    before = database_state()
    with pytest.raises(ValidationFailed, match="your own account"):
        services.deactivate_user(admin, admin)
    db.session.rollback()
    assert database_state() == before


def test_locked_roles_are_the_ones_set_permissions_refuses(make_user):
    manager = person_with(make_user, "role.manage", "user.view")
    own, admin_role = manager.role, roles.role_by_name("admin")
    technician = roles.role_by_name("technician")
    assert roles.is_locked_role(manager, admin_role)
    assert roles.is_locked_role(manager, own)
    assert not roles.is_locked_role(manager, technician)
    assert roles.is_locked_role(SYSTEM, admin_role)
    assert not roles.is_locked_role(SYSTEM, own)
    for locked in (admin_role, own):
        wanted = {each.id: set(each.permissions) for each in roles.all_roles()}
        wanted[locked.id] = (
            set(wanted[locked.id]) - {"user.view"} if "user.view" in wanted[locked.id] else {"user.view"}
        )
        before = database_state()
        with pytest.raises(ValidationFailed, match=roles.why_locked(manager, locked)):
            roles.set_permissions(manager, wanted)
        db.session.rollback()
        assert database_state() == before
