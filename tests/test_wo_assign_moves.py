"""Assigning moves work as the workflow says: the transitions taken on assignment, each only when allowed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import select

from cube.actors import SYSTEM
from cube.errors import NotAllowed, ValidationFailed
from cube.extensions import db
from cube.models import RolePermission, Status, Transition, User, WorkOrder, WorkOrderStatusPeriod
from cube.workflow import engine, settings
from cube.workorders import checklists, services
from tests.support import audit_actions, count, events_of, flashes, fresh, post
from tests.workorder_factories import default_ids, make_work_order, move_to, status_named, transition_named


def flagged() -> set[tuple[str, str]]:
    """The transitions taken on assignment, as (from, to) status names."""
    rows = db.session.scalars(select(Transition).where(Transition.on_assign.is_(True)))
    return {(t.from_status.name, t.to_status.name) for t in rows}


def periods(work_order: WorkOrder) -> list[tuple[str, bool]]:
    """The work order's status periods in order, as (status name, still open)."""
    query = (
        select(WorkOrderStatusPeriod)
        .where(WorkOrderStatusPeriod.work_order_id == work_order.id)
        .order_by(WorkOrderStatusPeriod.started_at, WorkOrderStatusPeriod.id)
    )
    return [(db.session.get(Status, p.status_id).name, p.ended_at is None) for p in db.session.scalars(query)]


def grant(user: User, *permissions: str) -> None:
    """Give ``user``'s role more permissions (a custom set-up, committed)."""
    role = db.session.get(User, user.id).role
    role.grants.extend(RolePermission(permission=p) for p in permissions)
    db.session.commit()


def test_the_default_workflow_moves_new_and_approved_on_assignment():
    assert flagged() == {("New", "Approved"), ("Approved", "Assigned")}


def test_a_supervisor_assigning_a_new_work_order_brings_it_to_assigned(
    client_as: Callable[[str], FlaskClient], make_user: Callable[..., User]
):
    client = client_as("supervisor")
    supervisor: User = client.user  # type: ignore[attr-defined]
    lena = make_user("technician", name="Lena Krause")
    work_order = make_work_order(supervisor)

    response = post(client, f"/work-orders/{work_order.id}/assign", {"assign-assignee_ids": [str(lena.id)]})

    assert response.status_code == 302
    assert ("success", f"{work_order.number} assigned to Lena Krause and moved to Assigned.") in flashes(client)
    work_order = fresh(work_order)
    assert work_order.status.name == "Assigned"
    assert [u.id for u in work_order.assignees] == [lena.id]
    moves = events_of(work_order, "status_changed")
    assert [e.kind for e in events_of(work_order)] == ["created", "assigned", "status_changed", "status_changed"]
    assert [(e.data["from_status_id"], e.data["to_status_id"], e.data["transition_id"]) for e in moves] == [
        (status_named("New").id, status_named("Approved").id, transition_named("New", "Approve").id),
        (status_named("Approved").id, status_named("Assigned").id, transition_named("Approved", "Mark assigned").id),
    ]
    assert all(e.actor_id == supervisor.id for e in moves)
    assert periods(work_order) == [("New", False), ("Approved", False), ("Assigned", True)]


def test_an_approved_work_order_moves_to_assigned(make_user: Callable[..., User]):
    supervisor, technician = make_user("supervisor"), make_user("technician")
    work_order = make_work_order(supervisor)
    move_to(work_order, "Approved")
    moved = services.assign(supervisor, work_order, (technician.id,), team_id=None)
    db.session.commit()
    assert [status.name for status in moved] == ["Assigned"]
    assert fresh(work_order).status.name == "Assigned"
    assert len(events_of(work_order, "status_changed")) == 1


def test_without_a_transitions_permission_the_walk_stops_there(make_user: Callable[..., User]):
    dispatcher = make_user("technician")
    grant(dispatcher, "workorder.assign", "workorder.view_all")  # may assign, may not approve
    technician = make_user("technician")
    new = make_work_order(make_user("supervisor"), "New one")
    approved = make_work_order(make_user("supervisor"), "Approved one")
    move_to(approved, "Approved")

    assert services.assign(dispatcher, new, (technician.id,), team_id=None) == []
    assert [s.name for s in services.assign(dispatcher, approved, (technician.id,), team_id=None)] == ["Assigned"]
    db.session.commit()

    assert fresh(new).status.name == "New"  # Approve needs workorder.approve
    assert [e.kind for e in events_of(new)] == ["created", "assigned"]
    assert [u.id for u in fresh(new).assignees] == [technician.id]  # the assignment itself stands
    assert fresh(approved).status.name == "Assigned"


@pytest.mark.parametrize("status", ["In progress", "On hold", "Completed"])
def test_statuses_without_an_on_assignment_transition_do_not_move(make_user: Callable[..., User], status: str):
    supervisor, technician = make_user("supervisor"), make_user("technician")
    work_order = make_work_order(supervisor)
    move_to(work_order, status)
    assert services.assign(supervisor, work_order, (technician.id,), team_id=None) == []
    db.session.commit()
    assert fresh(work_order).status.name == status
    assert events_of(work_order, "status_changed") == []


def test_assigning_nobody_moves_nothing(make_user: Callable[..., User]):
    supervisor = make_user("supervisor")
    work_order = make_work_order(supervisor)
    assert services.assign(supervisor, work_order, (), team_id=None) == []
    db.session.commit()
    assert fresh(work_order).status.name == "New"
    assert event_kinds_of(work_order) == ["created"]


def event_kinds_of(work_order: WorkOrder) -> list[str]:
    """The kinds of a work order's events, in order."""
    return [e.kind for e in events_of(work_order)]


def test_a_failing_guard_stops_the_walk(make_user: Callable[..., User]):
    admin = make_user("admin")
    mark = transition_named("Approved", "Mark assigned")
    settings.save_transition(
        admin, mark, mark.from_status_id, mark.to_status_id, mark.name, mark.permission, ["assignee", "checklist"],
        mark.position, on_assign=True, expected_version=mark.version,
    )  # fmt: skip
    supervisor, technician = make_user("supervisor"), make_user("technician")
    work_order = make_work_order(supervisor)
    checklists.add_item(supervisor, work_order, "Permit signed", "pass_fail", True)
    db.session.commit()
    moved = services.assign(supervisor, work_order, (technician.id,), team_id=None)
    db.session.commit()
    assert [s.name for s in moved] == ["Approved"]  # Mark assigned waits for the checklist
    assert fresh(work_order).status.name == "Approved"


def test_creating_with_an_assignee_follows_the_same_rule(
    client_as: Callable[[str], FlaskClient], make_user: Callable[..., User]
):
    client = client_as("supervisor")
    lena = make_user("technician", name="Lena Krause")
    type_id, priority_id = default_ids()
    form = {"title": "Door closer", "type_id": str(type_id), "priority_id": str(priority_id)}
    response = post(client, "/work-orders/new", {**form, "assignee_ids": [str(lena.id)], "submission_key": "k1"})
    assert response.status_code == 302
    work_order = db.session.scalar(select(WorkOrder))
    assert work_order.status.name == "Assigned"
    assert event_kinds_of(work_order) == ["created", "assigned", "status_changed", "status_changed"]
    expected = f"{work_order.number} created, assigned to Lena Krause and moved to Assigned."
    assert ("success", expected) in flashes(client)


def test_creating_without_an_assignee_stays_new(client_as: Callable[[str], FlaskClient]):
    client = client_as("supervisor")
    type_id, priority_id = default_ids()
    form = {"title": "Door closer", "type_id": str(type_id), "priority_id": str(priority_id), "submission_key": "k2"}
    assert post(client, "/work-orders/new", form).status_code == 302
    work_order = db.session.scalar(select(WorkOrder))
    assert work_order.status.name == "New"
    assert ("success", f"{work_order.number} created.") in flashes(client)


# -- the setting, on the workflow admin pages ---------------------------------------------------------


def transition_form(transition: Transition, **changes: Any) -> dict[str, Any]:
    """The transition edit form as posted, with ``changes``."""
    data: dict[str, Any] = {
        "from_status_id": str(transition.from_status_id),
        "to_status_id": str(transition.to_status_id),
        "name": transition.name,
        "permission": transition.permission,
        "guards": list(transition.guards or []),
        "position": str(transition.position),
        "version": str(transition.version),
    }
    if transition.on_assign:
        data["on_assign"] = "y"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_an_admin_changes_what_assignment_does(admin_client: FlaskClient, make_user: Callable[..., User]):
    approve = transition_named("New", "Approve")
    page = admin_client.get("/admin/workflow/transitions").get_data(as_text=True)
    assert "On assignment" in page
    form = admin_client.get(f"/admin/workflow/transitions/{approve.id}/edit").get_data(as_text=True)
    checkbox = re.search(r'<input[^>]*name="on_assign"[^>]*>', form)
    assert checkbox is not None
    assert "checked" in checkbox.group(0)

    response = post(
        admin_client, f"/admin/workflow/transitions/{approve.id}/edit", transition_form(approve, on_assign=None)
    )
    assert response.status_code == 302
    assert flagged() == {("Approved", "Assigned")}
    assert audit_actions("workflow.transition.") == ["workflow.transition.updated"]
    assert "Taken on assignment" in admin_client.get("/audit").get_data(as_text=True)  # the change, in words

    supervisor, technician = make_user("supervisor"), make_user("technician")
    work_order = make_work_order(supervisor)
    assert services.assign(supervisor, work_order, (technician.id,), team_id=None) == []
    db.session.commit()
    assert fresh(work_order).status.name == "New"  # a New work order now waits for Approve

    reopen = transition_named("Cancelled", "Reopen")
    assert reopen.guards == ["reason"]
    refused = post(
        admin_client, f"/admin/workflow/transitions/{reopen.id}/edit", transition_form(reopen, on_assign="y")
    )
    assert refused.status_code == 422
    assert "cannot be taken on assignment" in refused.get_data(as_text=True)
    cancel = transition_named("Approved", "Cancel")
    data = transition_form(cancel, on_assign="y", guards=[])
    second = post(admin_client, f"/admin/workflow/transitions/{cancel.id}/edit", data)
    assert second.status_code == 422
    assert "only one transition per status" in second.get_data(as_text=True)
    db.session.expire_all()
    assert flagged() == {("Approved", "Assigned")}
    assert transition_named("Approved", "Cancel").guards == ["reason"]


@pytest.mark.parametrize("role", ["supervisor", "manager", "technician"])
def test_others_may_not_change_it(client_as: Callable[[str], FlaskClient], role: str):
    client = client_as(role)
    approve = transition_named("New", "Approve")
    url = f"/admin/workflow/transitions/{approve.id}/edit"
    assert post(client, url, transition_form(approve, on_assign=None)).status_code == 403
    with pytest.raises(NotAllowed):
        settings.save_transition(
            client.user, approve, approve.from_status_id, approve.to_status_id, approve.name,  # type: ignore[attr-defined]
            approve.permission, [], approve.position, on_assign=False,
        )  # fmt: skip
    db.session.rollback()
    assert flagged() == {("New", "Approved"), ("Approved", "Assigned")}
    assert audit_actions("workflow.") == []


def test_the_service_refuses_a_reason_guarded_transition_on_assignment(make_user: Callable[..., User]):
    admin = make_user("admin")
    reject = transition_named("New", "Reject")
    with pytest.raises(ValidationFailed, match="reason"):
        settings.save_transition(
            admin, reject, reject.from_status_id, reject.to_status_id, reject.name, reject.permission, ["reason"],
            reject.position, on_assign=True,
        )  # fmt: skip
    db.session.rollback()
    assert count(Transition, Transition.on_assign.is_(True)) == 2


def test_the_walk_never_loops(make_user: Callable[..., User]):
    admin = make_user("admin")
    back = settings.save_transition(
        admin, None, status_named("Assigned").id, status_named("New").id, "Back to new", "workorder.assign", [], 99,
        on_assign=True,
    )  # fmt: skip
    db.session.commit()
    technician = make_user("technician")
    work_order = make_work_order(admin)
    moved = services.assign(admin, work_order, (technician.id,), team_id=None)
    db.session.commit()
    assert [s.name for s in moved] == ["Approved", "Assigned"]  # not back to New: it was seen
    assert fresh(work_order).status.name == "Assigned"
    assert back.on_assign
    assert engine.assignment_transition(status_named("Assigned").id).id == back.id


# -- the migrations ---------------------------------------------------------------------------------


def test_the_migrations_mark_the_default_path_and_grant_checklist_manage(app):
    from flask_migrate import downgrade, upgrade

    from cube.users import roles as role_service

    custom = role_service.create_role(SYSTEM, "workflow-keeper", "Keeps the workflow")
    custom.grants.append(RolePermission(permission="workflow.manage"))
    role_service.create_role(SYSTEM, "helper", "Helps")
    db.session.commit()
    db.session.remove()
    downgrade(revision="b7c1d2e3f4a5")
    try:
        held = db.session.execute(
            sa.text("SELECT COUNT(*) FROM role_permissions WHERE permission = 'checklist.manage'")
        )
        assert held.scalar() == 0
    finally:
        db.session.remove()  # an open read would hold a lock that the next migrations' ALTER TABLE waits on
        upgrade()
    db.session.remove()

    assert flagged() == {("New", "Approved"), ("Approved", "Assigned")}
    query = sa.text(
        "SELECT roles.name FROM roles JOIN role_permissions ON role_permissions.role_id = roles.id"
        " WHERE role_permissions.permission = 'checklist.manage'"
    )
    holders = set(db.session.scalars(query))
    assert holders == {"admin", "manager", "supervisor", "workflow-keeper"}  # not technician, requester or helper
