"""The permission matrix, custom roles and teams."""

from __future__ import annotations

from sqlalchemy import func, select

from cube.extensions import db
from cube.models import AuditEvent, Role, Team, User
from cube.permissions import BUILTIN_ROLES, PERMISSIONS
from cube.users import roles as role_service
from tests.support import post


def matrix(changes: dict[str, set[str]] | None = None) -> dict[str, list[str]]:
    """The current matrix as form data, with some roles' permissions replaced."""
    form: dict[str, list[str]] = {}
    for role in role_service.all_roles():
        wanted = (changes or {}).get(role.name, set(role.permissions))
        form[f"perm-{role.id}"] = sorted(wanted)
    return form


def permissions_of(name: str) -> frozenset[str]:
    db.session.expire_all()
    role = role_service.role_by_name(name)
    assert role is not None
    return role.permissions


def test_matrix_page_lists_every_permission_and_role(admin_client):
    page = admin_client.get("/roles").get_data(as_text=True)
    for name in PERMISSIONS:
        assert name in page
    for role in ("admin", "manager", "supervisor", "technician", "requester"):
        assert f">{role}" in page


def test_admin_grants_and_revokes_permissions(admin_client):
    response = post(admin_client, "/roles", matrix({"technician": {"team.view", "user.view"}, "manager": set()}))
    assert response.status_code == 302
    assert permissions_of("technician") == {"team.view", "user.view"}
    assert permissions_of("manager") == frozenset()
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("role.permissions_changed") == 2


def test_admin_role_always_holds_everything(admin_client, make_user):
    # Another admin's view would still show the admin role locked.
    response = post(admin_client, "/roles", matrix({"admin": {"user.view"}}), follow_redirects=True)
    assert "own role" in response.get_data(as_text=True) or "every permission" in response.get_data(as_text=True)
    assert permissions_of("admin") == set(PERMISSIONS)


def test_nobody_edits_their_own_roles_permissions(client_as, admin_client):
    # Give managers role.manage so a manager can reach the matrix.
    post(admin_client, "/roles", matrix({"manager": {"role.manage", "user.view"}}))
    manager = client_as("manager")
    response = post(
        manager, "/roles", matrix({"manager": {"role.manage", "user.view", "user.manage"}}), follow_redirects=True
    )
    assert "cannot change the permissions of your own role" in response.get_data(as_text=True)
    assert permissions_of("manager") == {"role.manage", "user.view"}
    # ...but may edit another role.
    assert post(manager, "/roles", matrix({"technician": {"team.view"}})).status_code == 302
    assert permissions_of("technician") == {"team.view"}


def test_refused_matrix_changes_nothing_at_all(admin_client):
    # A valid change to technician plus a refused change to admin: neither happens.
    response = post(admin_client, "/roles", matrix({"technician": {"team.view"}, "admin": set()}))
    assert response.status_code == 302
    assert permissions_of("technician") == BUILTIN_ROLES["technician"][1]
    assert permissions_of("admin") == set(PERMISSIONS)


def test_unknown_permission_names_are_refused(admin_client):
    response = post(admin_client, "/roles", matrix({"technician": {"launch.missiles"}}), follow_redirects=True)
    assert "Unknown permissions" in response.get_data(as_text=True)
    assert permissions_of("technician") == BUILTIN_ROLES["technician"][1]


def test_custom_role_can_be_added_and_given_permissions(admin_client, make_user):
    response = post(admin_client, "/roles/new", {"role-name": "Contractor", "role-description": "Outside help"})
    assert response.status_code == 302
    role = role_service.role_by_name("contractor")
    assert role is not None
    assert not role.builtin
    post(admin_client, "/roles", matrix({"contractor": {"team.view"}}))
    assert permissions_of("contractor") == {"team.view"}
    user = make_user("contractor")
    assert user.role.name == "contractor"


def test_custom_role_names_are_checked(admin_client):
    count = db.session.scalar(select(func.count()).select_from(Role))
    for bad in ("", "x", "has space", "admin", "<b>", "9lives", "é" * 3):
        response = post(admin_client, "/roles/new", {"role-name": bad})
        assert response.status_code == 422, bad
    assert db.session.scalar(select(func.count()).select_from(Role)) == count


def test_create_and_edit_team(admin_client, make_user):
    boss = make_user("supervisor", name="Boss")
    tech = make_user("technician", name="Tech")
    response = post(
        admin_client,
        "/teams/new",
        {
            "name": "Plumbing",
            "description": "Pipes",
            "supervisor_id": str(boss.id),
            "member_ids": [str(tech.id), str(boss.id)],
            "active": "y",
        },
    )
    assert response.status_code == 302
    team = db.session.scalar(select(Team).where(Team.name == "Plumbing"))
    assert team.supervisor_id == boss.id
    assert {m.name for m in team.members} == {"Boss", "Tech"}
    page = admin_client.get("/teams").get_data(as_text=True)
    assert "Plumbing" in page
    response = post(
        admin_client,
        f"/teams/{team.id}/edit",
        {"name": "Plumbing & Drains", "supervisor_id": "", "member_ids": [str(tech.id)]},
    )
    assert response.status_code == 302
    db.session.refresh(team)
    assert team.name == "Plumbing & Drains"
    assert team.supervisor_id is None
    assert not team.active  # checkbox left unticked
    assert [m.name for m in team.members] == ["Tech"]
    assert "Plumbing &amp; Drains" in admin_client.get("/teams").get_data(as_text=True)


def test_team_bad_input_changes_nothing(admin_client, make_team, make_user):
    make_team("Existing")
    gone = make_user("supervisor")
    gone.active = False
    db.session.commit()
    for form in (
        {"name": "Existing"},
        {"name": ""},
        {"name": "T" * 121},
        {"name": "New", "supervisor_id": "99999"},
        {"name": "New", "supervisor_id": str(gone.id)},
        {"name": "New", "member_ids": ["99999"]},
        {"name": "New", "member_ids": ["abc"]},
    ):
        response = post(admin_client, "/teams/new", form)
        assert response.status_code == 200, form
    assert db.session.scalar(select(func.count()).select_from(Team)) == 1


def test_team_membership_shows_on_user(admin_client, make_user, make_team):
    tech = make_user("technician")
    make_team("Electrical", members=(tech,))
    page = admin_client.get(f"/users/{tech.id}").get_data(as_text=True)
    assert "Electrical" in page
    assert db.session.get(User, tech.id).teams[0].name == "Electrical"
