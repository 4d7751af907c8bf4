"""Issue 7 sections 1, 3 and 4 for work orders and the workflow admin: one actor convention (the system
included), rules in services asked by templates through named predicates, control characters in custom
fields (issue 8 finding 13), bounded ids, and modules that import on their own."""

from __future__ import annotations

import pkgutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

import cube.workflow
import cube.workorders
from cube.actors import SYSTEM
from cube.errors import NotAllowed
from cube.extensions import db
from cube.models import AuditEvent, ChecklistItem, CustomField, Priority, Status, User, WorkOrder
from cube.workflow import settings
from cube.workorders import checklists, services
from cube.workorders.scoping import visible_work_orders
from tests.support import count, events_of, post
from tests.workorder_factories import default_ids, make_work_order, move_to

ROOT = Path(__file__).resolve().parent.parent


# -- the system actor -------------------------------------------------------------------------------


def test_the_system_creates_assigns_and_moves_a_work_order(make_user: Callable[..., User]) -> None:
    technician = make_user("technician")
    type_id, priority_id = default_ids()
    data = services.WorkOrderData(title="Monthly inspection", type_id=type_id, priority_id=priority_id)
    work_order = services.create_work_order(SYSTEM, data, assignee_ids=(technician.id,))
    services.add_comment(SYSTEM, work_order, "Opened by the schedule.")
    db.session.commit()

    assert work_order.number.startswith("WO-")
    assert work_order.requester_id is None  # no person filed it
    assert work_order.created_by_id is None
    assert [u.id for u in work_order.assignees] == [technician.id]
    assert work_order.status.name == "Assigned"  # assigning took Approve and Mark assigned
    history = events_of(work_order)
    assert [e.kind for e in history] == ["created", "assigned", "status_changed", "status_changed", "commented"]
    assert all(e.by_system and e.actor_id is None for e in history)


def test_the_system_sees_every_work_order(make_user: Callable[..., User]) -> None:
    mine = make_work_order(make_user("requester"), "One")
    theirs = make_work_order(make_user("requester"), "Two")
    seen = set(db.session.scalars(visible_work_orders(SYSTEM).with_only_columns(WorkOrder.id)))
    assert seen == {mine.id, theirs.id}


def test_the_system_changes_workflow_settings_and_the_audit_says_so() -> None:
    status = settings.save_status(SYSTEM, None, "Parked", "waiting", "info", 55)
    db.session.commit()
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "workflow.status.created"))
    assert status.id is not None
    assert audit.by_system
    assert audit.actor_id is None


def test_the_system_does_not_log_time(make_user: Callable[..., User]) -> None:
    from cube.workorders import timelogs

    work_order = make_work_order(make_user("supervisor"), "Pump")
    move_to(work_order, "In progress")
    with pytest.raises(NotAllowed):
        timelogs.start_timer(SYSTEM, work_order)
    assert not timelogs.can_log_time(SYSTEM, work_order)


# -- services check their permission themselves -------------------------------------------------------


def test_workflow_settings_need_workflow_manage_in_the_service(make_user: Callable[..., User]) -> None:
    supervisor = make_user("supervisor")
    statuses, priorities, audits = count(Status), count(Priority), count(AuditEvent)
    with pytest.raises(NotAllowed):
        settings.save_status(supervisor, None, "Parked", "waiting", "info", 55)
    with pytest.raises(NotAllowed):
        settings.save_priority(supervisor, None, "Whenever", "light", 99)
    with pytest.raises(NotAllowed):
        settings.save_custom_field(supervisor, None, "serial", "Serial", "text")
    db.session.rollback()
    assert (count(Status), count(Priority), count(AuditEvent), count(CustomField)) == (statuses, priorities, audits, 0)


def test_editing_and_archiving_need_workorder_edit_in_the_service(make_user: Callable[..., User]) -> None:
    technician = make_user("technician")
    work_order = make_work_order(technician, "Fan")
    before = (work_order.title, work_order.version, len(events_of(work_order)))
    type_id, priority_id = default_ids()
    data = services.WorkOrderData(title="Changed", type_id=type_id, priority_id=priority_id)
    with pytest.raises(NotAllowed):
        services.update_work_order(technician, work_order, data, expected_version=work_order.version)
    with pytest.raises(NotAllowed):
        services.archive(technician, work_order)
    db.session.rollback()
    db.session.expire_all()
    fresh = db.session.get(WorkOrder, work_order.id)
    assert (fresh.title, fresh.version, len(events_of(fresh))) == before
    assert fresh.archived is False


# -- one rule behind the checklist buttons and the service ------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "may_add"),
    [
        ("technician", "In progress", True),
        ("supervisor", "In progress", True),
        ("requester", "In progress", False),
        ("technician", "Completed", False),
    ],
)
def test_the_checklist_form_shows_exactly_when_the_service_allows(
    client_as: Callable[[str], FlaskClient], role: str, status: str, may_add: bool
) -> None:
    client = client_as(role)
    user: User = client.user  # type: ignore[attr-defined]
    work_order = make_work_order(user, "Chiller")
    move_to(work_order, status)
    assert checklists.can_edit_checklist(user, work_order) is may_add
    page = client.get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    assert (f'action="/work-orders/{work_order.id}/checklist/items"' in page) is may_add
    response = post(
        client, f"/work-orders/{work_order.id}/checklist/items", {"item-label": "Filter", "item-kind": "text"}
    )
    assert response.status_code in ((302,) if may_add else (302, 403))
    assert count(ChecklistItem) == (1 if may_add else 0)


# -- control characters in custom field values (issue 8, finding 13) ---------------------------------


@pytest.fixture
def serial_field() -> None:
    """One text custom field."""
    settings.save_custom_field(SYSTEM, None, "serial", "Serial number", "text")
    db.session.commit()


def test_a_nul_in_a_custom_value_is_stripped_through_the_form(client_as: Callable[[str], FlaskClient], serial_field):
    type_id, priority_id = default_ids()
    response = post(
        client_as("technician"),
        "/work-orders/new",
        {"title": "Pump", "type_id": str(type_id), "priority_id": str(priority_id), "custom_serial": "x\x00y"},
    )
    assert response.status_code == 302
    assert count(WorkOrder) == 1
    assert db.session.scalar(select(WorkOrder)).custom_values == {"serial": "xy"}


def test_a_nul_in_a_custom_value_is_stripped_by_the_service(make_user: Callable[..., User], serial_field) -> None:
    type_id, priority_id = default_ids()
    data = services.WorkOrderData(
        title="Pump", type_id=type_id, priority_id=priority_id, custom_values={"serial": "x\x00y\x1b"}
    )
    work_order = services.create_work_order(make_user("technician"), data)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(WorkOrder, work_order.id).custom_values == {"serial": "xy"}


# -- ids from input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("garbage", ["²", "١٢", "99999999999999999999", "-1", "0"])
def test_odd_ids_are_never_a_crash(client_as: Callable[[str], FlaskClient], garbage: str) -> None:
    client = client_as("supervisor")
    work_order = make_work_order(client.user, "Door")  # type: ignore[attr-defined]
    assert client.get(f"/work-orders?product={garbage}&asset={garbage}").status_code == 200
    assert client.get(f"/work-orders/board?product={garbage}").status_code == 200
    response = post(client, "/work-orders/bulk", {"ids": [garbage], "action": "priority", "priority_id": "1"})
    assert response.status_code == 400
    assert db.session.get(WorkOrder, work_order.id).version == work_order.version


# -- layout -----------------------------------------------------------------------------------------


def _modules(package: object) -> list[str]:
    """Every module of a package, by dotted name."""
    return [name for _, name, _ in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]  # type: ignore[attr-defined]


def test_no_view_module_imports_another() -> None:
    views = [name for name in _modules(cube.workorders) + _modules(cube.workflow) if name.endswith("routes")]
    for name in views:
        source = (ROOT / (name.replace(".", "/") + ".py")).read_text()
        for other in views:
            if other != name:
                assert f"import {other.rsplit('.', 1)[1]}" not in source, (name, other)
                assert f"from {other} " not in source, (name, other)
