"""Issue 8, finding 11: a requester cannot file in someone else's name or choose team, supervisor,
assignees or estimated cost; the service ignores what their role may not set, and the form hides it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from cube.extensions import db
from cube.models import Role, RolePermission, Team, User, WorkOrder, WorkOrderEvent
from cube.workorders import services
from tests.support import count, event_kinds, post
from tests.workorder_factories import default_ids, make_work_order

GUARDED = ("requester_id", "team_id", "supervisor_id", "assignee_ids", "estimated_cost")


@pytest.fixture
def others(make_user: Callable[..., User], make_team: Callable[..., Team]) -> dict[str, Any]:
    """An admin to impersonate, a supervisor, a technician to assign and a team."""
    admin = make_user("admin")
    supervisor = make_user("supervisor")
    technician = make_user("technician")
    team = make_team("Night shift", supervisor=supervisor)
    return {"admin": admin, "supervisor": supervisor, "technician": technician, "team": team}


def forged(others: dict[str, Any], title: str) -> dict[str, Any]:
    """A work order form that names another requester, a team, a supervisor, an assignee and a cost."""
    type_id, priority_id = default_ids()
    return {
        "title": title,
        "type_id": str(type_id),
        "priority_id": str(priority_id),
        "requester_id": str(others["admin"].id),
        "team_id": str(others["team"].id),
        "supervisor_id": str(others["supervisor"].id),
        "assignee_ids": [str(others["technician"].id)],
        "estimated_cost": "999.00",
    }


def test_a_requester_posting_guarded_fields_files_in_their_own_name_only(
    client_as: Callable[[str], FlaskClient], others: dict[str, Any]
) -> None:
    client = client_as("requester")
    me: User = client.user  # type: ignore[attr-defined]
    response = post(client, "/work-orders/new", forged(others, "Leaking tap"))
    assert response.status_code == 302
    assert count(WorkOrder) == 1
    work_order = db.session.scalar(select(WorkOrder))
    assert work_order.title == "Leaking tap"
    assert work_order.requester_id == me.id  # not the admin
    assert work_order.created_by_id == me.id
    assert work_order.team_id is None
    assert work_order.supervisor_id is None
    assert work_order.assignees == []
    assert work_order.estimated_cost is None
    assert event_kinds(work_order) == ["created"]  # no assignment happened
    # The admin, who was named as requester, does not see it as theirs and nothing else was written.
    assert count(WorkOrderEvent) == 1


def test_the_requester_form_does_not_offer_the_guarded_fields(client_as: Callable[[str], FlaskClient]) -> None:
    html = client_as("requester").get("/work-orders/new").get_data(as_text=True)
    assert 'name="title"' in html  # the form is there
    for name in GUARDED:
        assert f'name="{name}"' not in html, name


def test_a_supervisor_sees_and_sets_the_guarded_fields(
    client_as: Callable[[str], FlaskClient], others: dict[str, Any]
) -> None:
    client = client_as("supervisor")
    html = client.get("/work-orders/new").get_data(as_text=True)
    for name in GUARDED:
        assert f'name="{name}"' in html, name
    response = post(client, "/work-orders/new", forged(others, "Broken door"))
    assert response.status_code == 302
    work_order = db.session.scalar(select(WorkOrder))
    assert work_order.requester_id == others["admin"].id
    assert work_order.team_id == others["team"].id
    assert work_order.supervisor_id == others["supervisor"].id
    assert [u.id for u in work_order.assignees] == [others["technician"].id]
    assert work_order.estimated_cost == Decimal("999.00")
    # Created with an assignee by someone who may approve and assign: the workflow moves it to Assigned.
    assert event_kinds(work_order) == ["created", "assigned", "status_changed", "status_changed"]
    assert work_order.status.name == "Assigned"


def test_the_service_ignores_guarded_fields_for_any_caller(make_user: Callable[..., User], others) -> None:
    """The rule holds without the form: the service, not the page, decides."""
    requester = make_user("requester")
    type_id, priority_id = default_ids()
    data = services.WorkOrderData(
        title="Flickering light",
        type_id=type_id,
        priority_id=priority_id,
        requester_id=others["admin"].id,
        team_id=others["team"].id,
        supervisor_id=others["supervisor"].id,
        estimated_cost=Decimal("5"),
    )
    work_order = services.create_work_order(requester, data, assignee_ids=(others["technician"].id,))
    db.session.commit()
    assert (work_order.requester_id, work_order.team_id, work_order.supervisor_id) == (requester.id, None, None)
    assert work_order.assignees == []
    assert work_order.estimated_cost is None
    assert event_kinds(work_order) == ["created"]


def test_an_editor_without_assign_keeps_team_supervisor_and_requester(
    client_as: Callable[[str], FlaskClient], others: dict[str, Any], make_user: Callable[..., User]
) -> None:
    """Editing is not assigning: without workorder.assign the guarded fields keep their values."""
    manager_role = db.session.scalar(select(Role).where(Role.name == "manager"))
    db.session.execute(
        delete(RolePermission).where(
            RolePermission.role_id == manager_role.id, RolePermission.permission == "workorder.assign"
        )
    )
    db.session.commit()
    client = client_as("manager")
    requester = make_user("requester")
    work_order = make_work_order(requester, "Squeaky hinge")
    work_order.team_id = others["team"].id
    work_order.supervisor_id = others["supervisor"].id
    db.session.commit()
    html = client.get(f"/work-orders/{work_order.id}/edit").get_data(as_text=True)
    for name in ("requester_id", "team_id", "supervisor_id"):
        assert f'name="{name}"' not in html, name
    data = forged(others, "Squeaky hinge, oiled")
    data.update(version=str(work_order.version), team_id="", supervisor_id="")
    response = post(client, f"/work-orders/{work_order.id}/edit", data)
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(WorkOrder, work_order.id)
    assert edited.title == "Squeaky hinge, oiled"
    assert edited.requester_id == requester.id
    assert edited.team_id == others["team"].id
    assert edited.supervisor_id == others["supervisor"].id
    assert edited.estimated_cost == Decimal("999.00")  # a manager may still set the cost (workorder.edit)
