"""Workflow configuration: statuses, transitions, priorities, types and custom fields, by service and by page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from cube.actors import SYSTEM
from cube.errors import Conflict, ValidationFailed
from cube.extensions import db
from cube.models import AuditEvent, CustomField, Priority, Status, Transition, User, WorkOrder, WorkOrderType
from cube.workflow import engine, settings
from tests.support import QueryCounter, audit_events, count, post
from tests.workorder_factories import make_work_order, move_to, status_named, transition_named


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("admin")


def workflow_audit() -> list[AuditEvent]:
    return audit_events("workflow.")


def refused(call: Callable[[], Any], field: str | None) -> ValidationFailed:
    """Run a service call that must be refused on ``field``; roll the unit of work back like a view does."""
    with pytest.raises(ValidationFailed) as caught:
        call()
    db.session.rollback()
    assert caught.value.field == field, caught.value.message
    return caught.value


def initial_names() -> list[str]:
    return list(db.session.scalars(select(Status.name).where(Status.is_initial.is_(True))))


# Statuses ----------------------------------------------------------------------------------------


def test_a_status_is_added_with_its_category_and_audited(admin):
    status = settings.save_status(admin, None, "Waiting for parts", "waiting", "warning", 55)
    db.session.commit()
    assert (status.category, status.color, status.position, status.is_initial, status.active) == (
        "waiting",
        "warning",
        55,
        False,
        True,
    )
    [event] = workflow_audit()
    assert event.action == "workflow.status.created"
    assert event.actor_id == admin.id
    assert event.target_id == status.id
    assert event.details["values"]["category"] == "waiting"


@pytest.mark.parametrize("name", ["new", "  NEW ", "Approved"])
def test_status_names_are_unique_ignoring_case(admin, name):
    before = count(Status)
    refused(lambda: settings.save_status(admin, None, name, "open", "info"), "name")
    assert count(Status) == before
    assert workflow_audit() == []


def test_renaming_a_status_onto_another_name_is_refused_but_keeping_its_own_is_fine(admin):
    approved = status_named("Approved")
    refused(lambda: settings.save_status(admin, approved, "assigned", "open", "primary", 20), "name")
    settings.save_status(admin, approved, "APPROVED", "open", "primary", 20)
    db.session.commit()
    assert status_named("APPROVED") is not None


@pytest.mark.parametrize(
    ("category", "color", "field"),
    [
        ("later", "info", "category"),
        ("Open", "info", "category"),
        ("open", "pink", "color"),
        ("open", "text-bg-info", "color"),
        ("open", 'info" onclick="x', "color"),
        ("open", "", "color"),
    ],
)
def test_status_category_and_colour_come_from_fixed_lists(admin, category, color, field):
    before = count(Status)
    refused(lambda: settings.save_status(admin, None, "Parked", category, color), field)
    assert count(Status) == before


@pytest.mark.parametrize("position", [-1, 100_001, "ten"])
def test_status_order_must_be_a_small_whole_number(admin, position):
    refused(lambda: settings.save_status(admin, None, "Parked", "waiting", "info", position), "position")


def test_making_a_status_initial_unsets_the_old_one(admin):
    triage = settings.save_status(admin, None, "Triage", "open", "info", 5, is_initial=True)
    db.session.commit()
    assert initial_names() == ["Triage"]
    assert engine.initial_status().id == triage.id
    assert workflow_audit()[-1].details["initial_unset"] == ["New"]


@pytest.mark.parametrize(
    ("is_initial", "active", "field"),
    [(False, True, "is_initial"), (True, False, "active"), (False, False, "is_initial")],
)
def test_the_initial_status_cannot_be_unset_or_deactivated(admin, is_initial, active, field):
    new = status_named("New")
    refused(lambda: settings.save_status(admin, new, "New", "open", "info", 10, is_initial, active), field)
    assert initial_names() == ["New"]
    assert status_named("New").active is True


def test_an_inactive_status_cannot_become_initial(admin):
    refused(lambda: settings.save_status(admin, None, "Triage", "open", "info", 5, True, False), "active")
    assert initial_names() == ["New"]


def test_a_status_that_work_orders_are_in_cannot_be_deactivated(admin):
    work_order = make_work_order(admin)
    move_to(work_order, "On hold")
    on_hold = status_named("On hold")
    error = refused(
        lambda: settings.save_status(admin, on_hold, "On hold", "waiting", "secondary", 50, False, False), "active"
    )
    assert "1 work order" in error.message
    assert status_named("On hold").active is True


def test_a_status_transitions_lead_into_is_deactivated_only_once_they_are_gone(admin):
    rejected = status_named("Rejected")
    args = ("Rejected", "cancelled", "danger", 90, False, False)
    refused(lambda: settings.save_status(admin, rejected, *args), "active")
    assert status_named("Rejected").active is True
    settings.delete_transition(admin, transition_named("New", "Reject"))
    settings.save_status(admin, status_named("Rejected"), *args)
    db.session.commit()
    assert status_named("Rejected").active is False
    assert workflow_audit()[-1].details["changes"] == {"active": [True, False]}


def test_renaming_a_status_keeps_category_rules_working(admin, make_user):
    """Closing reads the done category: renaming Completed and Closed changes nothing."""
    settings.save_status(admin, status_named("Completed"), "Finished", "done", "success", 60)
    settings.save_status(admin, status_named("Closed"), "Signed off", "done", "dark", 70)
    db.session.commit()
    work_order = make_work_order(admin)
    move_to(work_order, "Finished")
    supervisor = make_user("supervisor")
    close = transition_named("Finished", "Review and close")
    status = engine.apply_transition(supervisor, work_order, close.id)
    db.session.commit()
    assert status.name == "Signed off"
    assert work_order.closed_at is not None
    reopen = transition_named("Signed off", "Reopen")
    engine.apply_transition(supervisor, work_order, reopen.id, "Not fixed")
    db.session.commit()
    assert work_order.closed_at is None


# Transitions -------------------------------------------------------------------------------------


def ids(*names: str) -> list[int | None]:
    return [status_named(name).id if status_named(name) else None for name in names]


@pytest.mark.parametrize(
    ("source", "target", "name", "permission", "guards", "field"),
    [
        ("New", "New", "Loop", "workorder.approve", [], "to_status_id"),
        ("New", "Approved", "Approve again", "workorder.approve", [], "to_status_id"),
        ("Missing", "Approved", "Approve", "workorder.approve", [], "from_status_id"),
        ("On hold", "Missing", "Finish", "workorder.work", [], "to_status_id"),
        ("On hold", "Completed", "", "workorder.work", [], "name"),
        ("On hold", "Completed", "x" * 65, "workorder.work", [], "name"),
        ("On hold", "Completed", "Finish", "user.manage", [], "permission"),
        ("On hold", "Completed", "Finish", "workorder.fly", [], "permission"),
        ("On hold", "Completed", "Finish", "workflow.manage", [], "permission"),
        ("On hold", "Completed", "Finish", "workorder.work", ["reason", "magic"], "guards"),
    ],
)
def test_transition_rules(admin, source, target, name, permission, guards, field):
    before = count(Transition)
    from_id, to_id = ids(source, target)
    refused(
        lambda: settings.save_transition(admin, None, from_id, to_id, name, permission, guards),
        field,
    )
    assert count(Transition) == before
    assert workflow_audit() == []


def test_a_transition_cannot_lead_into_a_deactivated_status(admin):
    parked = settings.save_status(admin, None, "Parked", "waiting", "info", 55, False, False)
    db.session.commit()
    refused(
        lambda: settings.save_transition(admin, None, status_named("On hold").id, parked.id, "Park", "workorder.work"),
        "to_status_id",
    )


def test_a_new_transition_is_offered_to_holders_of_its_permission(admin, make_user):
    supervisor, technician = make_user("supervisor"), make_user("technician")
    work_order = make_work_order(admin)
    move_to(work_order, "On hold")
    assert "Finish from hold" not in [t.name for t in engine.available_transitions(supervisor, work_order)]
    created = settings.save_transition(
        admin,
        None,
        status_named("On hold").id,
        status_named("Completed").id,
        "Finish from hold",
        "workorder.review",
        ["reason", "reason"],
        position=99,
    )
    db.session.commit()
    assert created.guards == ["reason"]
    assert "Finish from hold" in [t.name for t in engine.available_transitions(supervisor, work_order)]
    assert "Finish from hold" not in [t.name for t in engine.available_transitions(technician, work_order)]
    with pytest.raises(ValidationFailed):
        engine.apply_transition(supervisor, work_order, created.id, "")
    db.session.rollback()
    status = engine.apply_transition(supervisor, work_order, created.id, "Parts arrived and fitted")
    db.session.commit()
    assert status.name == "Completed"
    assert work_order.completed_at is not None
    event = workflow_audit()[-1]
    assert event.action == "workflow.transition.created"
    assert (event.details["from"], event.details["to"], event.details["permission"]) == (
        "On hold",
        "Completed",
        "workorder.review",
    )


def test_editing_a_transition_changes_who_may_take_it(admin, make_user):
    technician = make_user("technician")
    work_order = make_work_order(admin)
    move_to(work_order, "In progress")
    pause = transition_named("In progress", "Pause")
    assert pause in engine.available_transitions(technician, work_order)
    settings.save_transition(
        admin,
        pause,
        pause.from_status_id,
        pause.to_status_id,
        "Pause",
        "workorder.review",
        ["checklist", "reason"],
        pause.position,
    )
    db.session.commit()
    assert pause not in engine.available_transitions(technician, work_order)
    assert pause.guards == ["reason", "checklist"]
    changes = workflow_audit()[-1].details["changes"]
    assert changes["permission"] == ["workorder.work", "workorder.review"]


def test_deleting_a_transition_removes_the_button_and_is_audited(admin):
    work_order = make_work_order(admin)
    approve = transition_named("New", "Approve")
    settings.delete_transition(admin, approve)
    db.session.commit()
    assert "Approve" not in [t.name for t in engine.available_transitions(admin, work_order)]
    event = workflow_audit()[-1]
    assert (event.action, event.details["from"], event.details["to"]) == (
        "workflow.transition.deleted",
        "New",
        "Approved",
    )


# Priorities and types ----------------------------------------------------------------------------


def priority_named(name: str) -> Priority:
    return db.session.scalar(select(Priority).where(Priority.name == name))


def type_named(name: str) -> WorkOrderType:
    return db.session.scalar(select(WorkOrderType).where(WorkOrderType.name == name))


def default_priorities() -> list[str]:
    return list(db.session.scalars(select(Priority.name).where(Priority.is_default.is_(True))))


def test_a_new_default_priority_replaces_the_old_one(admin):
    settings.save_priority(admin, None, "Critical", "danger", 5, is_default=True)
    db.session.commit()
    assert default_priorities() == ["Critical"]
    event = workflow_audit()[-1]
    assert (event.action, event.details["default_unset"]) == ("workflow.priority.created", ["Normal"])


@pytest.mark.parametrize(
    ("name", "color", "position", "is_default", "active", "field"),
    [
        ("urgent", "danger", 5, False, True, "name"),
        ("", "danger", 5, False, True, "name"),
        ("Critical", "crimson", 5, False, True, "color"),
        ("Critical", "danger", -5, False, True, "position"),
        ("Critical", "danger", 5, True, False, "active"),
    ],
)
def test_priority_rules(admin, name, color, position, is_default, active, field):
    before = count(Priority)
    refused(lambda: settings.save_priority(admin, None, name, color, position, is_default, active), field)
    assert count(Priority) == before
    assert default_priorities() == ["Normal"]


@pytest.mark.parametrize(("is_default", "active", "field"), [(False, True, "is_default"), (True, False, "active")])
def test_the_default_priority_cannot_be_unset_or_deactivated(admin, is_default, active, field):
    normal = priority_named("Normal")
    refused(lambda: settings.save_priority(admin, normal, "Normal", "primary", 30, is_default, active), field)
    assert default_priorities() == ["Normal"]
    assert priority_named("Normal").active is True


def test_priority_colour_and_order_are_saved(admin):
    low = priority_named("Low")
    settings.save_priority(admin, low, "Low", "light", 99)
    db.session.commit()
    assert (low.color, low.position) == ("light", 99)
    assert workflow_audit()[-1].details["changes"] == {"color": ["secondary", "light"], "position": [40, 99]}


def test_admins_add_types_with_unique_names(admin):
    calibration = settings.save_type(admin, None, "Calibration")
    db.session.commit()
    assert type_named("Calibration").active is True
    assert workflow_audit()[-1].action == "workflow.type.created"
    refused(lambda: settings.save_type(admin, None, "corrective"), "name")
    refused(lambda: settings.save_type(admin, calibration, "Inspection"), "name")
    settings.save_type(admin, calibration, "Calibration", active=False)
    db.session.commit()
    assert type_named("Calibration").active is False
    assert workflow_audit()[-1].details["changes"] == {"active": [True, False]}


def test_the_last_active_type_cannot_be_deactivated(admin):
    *others, last = settings.work_order_types()
    for work_order_type in others:
        settings.save_type(admin, work_order_type, work_order_type.name, active=False)
    db.session.commit()
    refused(lambda: settings.save_type(admin, last, last.name, active=False), "active")
    assert type_named(last.name).active is True


# Custom fields -----------------------------------------------------------------------------------


def test_a_custom_field_is_added_and_audited(admin):
    custom = settings.save_custom_field(admin, None, " Serial_No ", "Serial number", "text", ["ignored"], True, 3)
    db.session.commit()
    assert (custom.key, custom.label, custom.kind, custom.choices, custom.required, custom.position) == (
        "serial_no",
        "Serial number",
        "text",
        [],
        True,
        3,
    )
    event = workflow_audit()[-1]
    assert (event.action, event.details["key"]) == ("workflow.custom_field.created", "serial_no")


@pytest.mark.parametrize("key", ["", "serial no", "1st_check", "_x", "serial-no", "clé", "a" * 41, "x;drop"])
def test_custom_field_keys_are_lower_case_slugs(admin, key):
    refused(lambda: settings.save_custom_field(admin, None, key, "Label", "text"), "key")
    assert count(CustomField) == 0


def test_custom_field_keys_are_unique_and_never_change(admin):
    custom = settings.save_custom_field(admin, None, "serial", "Serial", "text")
    db.session.commit()
    refused(lambda: settings.save_custom_field(admin, None, "serial", "Other", "number"), "key")
    refused(lambda: settings.save_custom_field(admin, custom, "serial2", "Serial", "text"), "key")
    settings.save_custom_field(admin, custom, "serial", "Serial no.", "text", required=True)
    db.session.commit()
    assert (custom.key, custom.label, custom.required) == ("serial", "Serial no.", True)
    assert workflow_audit()[-1].details["changes"] == {"label": ["Serial", "Serial no."], "required": [False, True]}


@pytest.mark.parametrize(
    ("label", "kind", "choices", "field"),
    [
        ("", "text", [], "label"),
        ("x" * 81, "text", [], "label"),
        ("Shift", "colour", [], "kind"),
        ("Shift", "choice", [], "choices"),
        ("Shift", "choice", ["", "  "], "choices"),
        ("Shift", "choice", ["Early", "x" * 81], "choices"),
        ("Shift", "choice", ["Early", "Early"], "choices"),
        ("Shift", "choice", [f"c{i}" for i in range(101)], "choices"),
    ],
)
def test_custom_field_rules(admin, label, kind, choices, field):
    refused(lambda: settings.save_custom_field(admin, None, "shift", label, kind, choices), field)
    assert count(CustomField) == 0


def test_choice_fields_keep_their_trimmed_choices(admin):
    custom = settings.save_custom_field(admin, None, "shift", "Shift", "choice", [" Early ", "", "x" * 80])
    db.session.commit()
    assert custom.choices == ["Early", "x" * 80]


# Pages -------------------------------------------------------------------------------------------

PAGES = {
    "/admin/workflow/statuses": "In progress",
    "/admin/workflow/transitions": "Review and close",
    "/admin/workflow/priorities": "Urgent",
    "/admin/workflow/types": "Installation",
    "/admin/workflow/custom-fields": "No custom fields yet.",
    "/admin/workflow/statuses/new": "Add a status",
    "/admin/workflow/transitions/new": "Add a transition",
    "/admin/workflow/priorities/new": "Add a priority",
    "/admin/workflow/types/new": "Add a type",
    "/admin/workflow/custom-fields/new": "Add a custom field",
}


@pytest.mark.parametrize(("url", "text"), PAGES.items())
def test_admin_sees_every_page(admin_client, url, text):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert text in response.get_data(as_text=True)


def test_edit_pages_show_the_current_values(admin_client):
    custom = settings.save_custom_field(SYSTEM, None, "shift", "Shift", "choice", ["Early", "Late"])
    db.session.commit()
    pages = {
        f"/admin/workflow/statuses/{status_named('On hold').id}/edit": 'value="On hold"',
        f"/admin/workflow/transitions/{transition_named('New', 'Reject').id}/edit": "Reason: a reason must be given",
        f"/admin/workflow/priorities/{priority_named('Urgent').id}/edit": 'value="Urgent"',
        f"/admin/workflow/types/{type_named('Emergency').id}/edit": 'value="Emergency"',
        f"/admin/workflow/custom-fields/{custom.id}/edit": "Early\nLate",
    }
    for url, text in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert text in response.get_data(as_text=True), url
    assert "readonly" in admin_client.get(f"/admin/workflow/custom-fields/{custom.id}/edit").get_data(as_text=True)
    reject = admin_client.get(f"/admin/workflow/transitions/{transition_named('New', 'Reject').id}/edit")
    checked = re.findall(r'<input checked[^>]*value="(\w+)"', reject.get_data(as_text=True))
    assert checked == ["reason"]


def test_unknown_ids_are_404(admin_client):
    for url in ("/admin/workflow/statuses/999999/edit", "/admin/workflow/custom-fields/999999/edit"):
        assert admin_client.get(url).status_code == 404
    assert post(admin_client, "/admin/workflow/transitions/999999/delete").status_code == 404


STATUS_FORM = {"name": "Waiting for parts", "category": "waiting", "color": "warning", "position": "55", "active": "y"}


def test_adding_a_status_through_the_form(admin_client):
    response = post(admin_client, "/admin/workflow/statuses/new", STATUS_FORM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/workflow/statuses")
    status = status_named("Waiting for parts")
    assert (status.category, status.color, status.position, status.active) == ("waiting", "warning", 55, True)
    assert [e.action for e in workflow_audit()] == ["workflow.status.created"]
    assert "Waiting for parts" in admin_client.get("/admin/workflow/statuses").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "x" * 65}, "Field cannot be longer than 64 characters."),
        ({"name": "NEW"}, "Another status has this name."),
        ({"category": "later"}, "Not a valid choice."),
        ({"color": "pink"}, "Not a valid choice."),
        ({"position": "abc"}, "Not a valid integer value."),
        ({"position": "99999999999999999999"}, "Number must be between 0 and 100000."),
        ({"is_initial": "y", "active": ""}, "An inactive status cannot be the initial one."),
    ],
)
def test_bad_status_input_gives_form_errors_and_changes_nothing(admin_client, changes, message):
    before = count(Status)
    data = {key: value for key, value in {**STATUS_FORM, **changes}.items() if value != ""}
    response = post(admin_client, "/admin/workflow/statuses/new", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(Status) == before
    assert initial_names() == ["New"]
    assert workflow_audit() == []


def test_unsetting_the_initial_status_through_the_form_is_refused(admin_client):
    new = status_named("New")
    data = {"name": "New", "category": "open", "color": "info", "position": "10", "active": "y"}
    response = post(admin_client, f"/admin/workflow/statuses/{new.id}/edit", data)
    assert response.status_code == 422
    assert "make another status initial instead" in response.get_data(as_text=True)
    db.session.expire_all()
    assert initial_names() == ["New"]


def test_a_status_renamed_through_the_form_still_closes_by_category(admin_client, make_user):
    closed = status_named("Closed")
    data = {"name": "Archived & signed", "category": "done", "color": "dark", "position": "70", "active": "y"}
    assert post(admin_client, f"/admin/workflow/statuses/{closed.id}/edit", data).status_code == 302
    db.session.expire_all()
    assert status_named("Closed") is None
    work_order = make_work_order(admin_client.user)
    move_to(work_order, "Completed")
    close = transition_named("Completed", "Review and close")
    engine.apply_transition(make_user("manager"), work_order, close.id)
    db.session.commit()
    assert work_order.status.name == "Archived & signed"
    assert work_order.closed_at is not None
    assert "Archived &amp; signed" in admin_client.get("/admin/workflow/transitions").get_data(as_text=True)


TRANSITION_FORM = {"name": "Finish from hold", "permission": "workorder.review", "guards": ["reason"], "position": "9"}


def test_adding_editing_and_deleting_a_transition_through_the_forms(admin_client):
    data = {
        **TRANSITION_FORM,
        "from_status_id": str(status_named("On hold").id),
        "to_status_id": str(status_named("Completed").id),
    }
    assert post(admin_client, "/admin/workflow/transitions/new", data).status_code == 302
    created = transition_named("On hold", "Finish from hold")
    assert (created.to_status.name, created.permission, created.guards) == ("Completed", "workorder.review", ["reason"])
    page = admin_client.get("/admin/workflow/transitions").get_data(as_text=True)
    assert "Finish from hold" in page
    assert f"/admin/workflow/transitions/{created.id}/delete" in page

    data = {**data, "guards": ["assignee", "checklist"], "permission": "workorder.work"}
    assert post(admin_client, f"/admin/workflow/transitions/{created.id}/edit", data).status_code == 302
    db.session.expire_all()
    created = transition_named("On hold", "Finish from hold")
    assert (created.permission, created.guards) == ("workorder.work", ["checklist", "assignee"])

    response = post(admin_client, f"/admin/workflow/transitions/{created.id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert transition_named("On hold", "Finish from hold") is None
    actions = [e.action for e in workflow_audit()]
    assert actions == ["workflow.transition.created", "workflow.transition.updated", "workflow.transition.deleted"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"to_status_id": "{On hold}"}, "A transition must lead to a different status."),
        ({"to_status_id": "{In progress}"}, "There is already a transition from On hold to In progress."),
        ({"to_status_id": "abc"}, "This field is required."),
        ({"to_status_id": "999999"}, "Not a valid choice."),
        ({"from_status_id": "-1"}, "This field is required."),
        ({"permission": "user.manage"}, "Not a valid choice."),
        ({"guards": ["reason", "magic"]}, "not a valid choice"),
        ({"name": ""}, "This field is required."),
        ({"position": "1e3"}, "Not a valid integer value."),
    ],
)
def test_bad_transition_input_gives_form_errors_and_changes_nothing(admin_client, changes, message):
    before = count(Transition)
    data: dict[str, Any] = {
        **TRANSITION_FORM,
        "from_status_id": str(status_named("On hold").id),
        "to_status_id": str(status_named("Completed").id),
    }
    for key, value in changes.items():
        if isinstance(value, str) and value.startswith("{"):
            value = str(status_named(value[1:-1]).id)
        data[key] = value
    response = post(admin_client, "/admin/workflow/transitions/new", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(Transition) == before
    assert workflow_audit() == []


def test_priorities_and_types_through_the_forms(admin_client):
    data = {"name": "Critical", "color": "danger", "position": "1", "is_default": "y", "active": "y"}
    assert post(admin_client, "/admin/workflow/priorities/new", data).status_code == 302
    assert default_priorities() == ["Critical"]
    response = post(admin_client, "/admin/workflow/priorities/new", {**data, "name": "Later", "color": "rainbow"})
    assert response.status_code == 422
    assert "Not a valid choice." in response.get_data(as_text=True)

    assert post(admin_client, "/admin/workflow/types/new", {"name": "Calibration", "active": "y"}).status_code == 302
    assert type_named("Calibration").active is True
    response = post(admin_client, "/admin/workflow/types/new", {"name": "EMERGENCY", "active": "y"})
    assert response.status_code == 422
    assert "Another type has this name." in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(Priority) == 5
    assert count(WorkOrderType) == 6
    form = admin_client.get("/work-orders/new").get_data(as_text=True)
    assert "Calibration" in form


def test_custom_fields_through_the_forms(admin_client):
    data = {"key": "shift", "label": "Shift", "kind": "choice", "choices": "Early\r\nLate\r\n", "active": "y"}
    assert post(admin_client, "/admin/workflow/custom-fields/new", data).status_code == 302
    custom = db.session.scalar(select(CustomField).where(CustomField.key == "shift"))
    assert custom.choices == ["Early", "Late"]

    response = post(admin_client, f"/admin/workflow/custom-fields/{custom.id}/edit", {**data, "key": "period"})
    assert response.status_code == 422
    assert "The key cannot change" in response.get_data(as_text=True)
    response = post(admin_client, "/admin/workflow/custom-fields/new", {**data, "key": "crew", "choices": ""})
    assert response.status_code == 422
    assert "List the choices, one per line." in response.get_data(as_text=True)
    response = post(admin_client, "/admin/workflow/custom-fields/new", {**data, "key": "Crew Size", "kind": "number"})
    assert response.status_code == 422
    assert "lower-case letters" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(CustomField.key)).all() == ["shift"]


# Access ------------------------------------------------------------------------------------------


def admin_endpoints() -> list[tuple[str, str]]:
    """Every page and action of the workflow blueprint, with real ids."""
    custom = settings.save_custom_field(SYSTEM, None, "shift", "Shift", "text")
    db.session.commit()
    status = status_named("On hold").id
    transition = transition_named("New", "Approve").id
    priority = priority_named("Low").id
    type_id = type_named("Inspection").id
    urls = [
        "/admin/workflow/statuses",
        "/admin/workflow/statuses/new",
        f"/admin/workflow/statuses/{status}/edit",
        "/admin/workflow/transitions",
        "/admin/workflow/transitions/new",
        f"/admin/workflow/transitions/{transition}/edit",
        "/admin/workflow/priorities",
        "/admin/workflow/priorities/new",
        f"/admin/workflow/priorities/{priority}/edit",
        "/admin/workflow/types",
        "/admin/workflow/types/new",
        f"/admin/workflow/types/{type_id}/edit",
        "/admin/workflow/custom-fields",
        "/admin/workflow/custom-fields/new",
        f"/admin/workflow/custom-fields/{custom.id}/edit",
    ]
    actions = [url for url in urls if url.endswith(("/new", "/edit"))]
    actions.append(f"/admin/workflow/transitions/{transition}/delete")
    return [("GET", url) for url in urls] + [("POST", url) for url in actions]


POST_DATA = {"name": "Hacked", "category": "open", "color": "info", "active": "y", "key": "shift", "label": "X"}


def test_every_workflow_endpoint_is_covered_here(app):
    rules = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("workflow.")}
    assert rules == {
        "workflow.list_statuses",
        "workflow.edit_status",
        "workflow.list_transitions",
        "workflow.edit_transition",
        "workflow.delete_transition",
        "workflow.list_priorities",
        "workflow.edit_priority",
        "workflow.list_types",
        "workflow.edit_type",
        "workflow.list_custom_fields",
        "workflow.edit_custom_field",
    }
    for endpoint in rules:
        assert app.view_functions[endpoint].access_rule == "permission:workflow.manage"


def snapshot() -> tuple[int, ...]:
    db.session.expire_all()
    return (count(Status), count(Transition), count(Priority), count(WorkOrderType), count(AuditEvent))


@pytest.mark.parametrize("role", ["manager", "supervisor", "technician", "requester"])
def test_roles_without_workflow_manage_get_403(client_as, role):
    client = client_as(role)
    endpoints = admin_endpoints()
    before = snapshot()
    for method, url in endpoints:
        response = client.get(url) if method == "GET" else post(client, url, POST_DATA)
        assert response.status_code == 403, (method, url)
    assert snapshot() == before
    assert status_named("On hold").name == "On hold"


def test_anonymous_users_are_sent_to_sign_in(client):
    before = None
    for method, url in admin_endpoints():
        before = before or snapshot()
        response = client.get(url) if method == "GET" else post(client, url, POST_DATA)
        assert response.status_code == 302, (method, url)
        assert "/auth/login" in response.headers["Location"], url
    assert snapshot() == before


def test_posts_without_a_csrf_token_are_refused(admin_client):
    endpoints = [url for method, url in admin_endpoints() if method == "POST"]
    before = snapshot()
    for url in endpoints:
        assert admin_client.post(url, data=POST_DATA).status_code == 400, url
        assert admin_client.post(url, data={**POST_DATA, "csrf_token": "forged"}).status_code == 400, url
    assert snapshot() == before
    assert transition_named("New", "Approve") is not None


def test_the_status_list_counts_work_orders_per_status(admin_client, admin):
    """The status list counts work orders per status in one grouped query (archived ones too)."""
    for _ in range(3):
        make_work_order(admin)
    page = admin_client.get("/admin/workflow/statuses").get_data(as_text=True)
    assert settings.status_usage() == {status_named("New").id: 3}
    assert "<td>3</td>" in page
    assert count(WorkOrder) == 3


HOSTILE = [
    " ",
    "x" * 10_000,
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "'; DROP TABLE statuses; --",
    "%_\\",
    "名前テスト",
    "🚀🔧💥",
    "\u202eعربي עברית",
    "\x00nul",
    "-1",
    "2147483648",
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_every_admin_field_survives_hostile_values(admin_client, value):
    """Form errors, or stored and shown escaped; never a 500."""
    on_hold, completed = str(status_named("On hold").id), str(status_named("Completed").id)
    forms = [
        ("/admin/workflow/statuses/new", STATUS_FORM),
        ("/admin/workflow/transitions/new", {**TRANSITION_FORM, "from_status_id": on_hold, "to_status_id": completed}),
        ("/admin/workflow/priorities/new", {"name": "Critical", "color": "danger", "position": "1", "active": "y"}),
        ("/admin/workflow/types/new", {"name": "Calibration", "active": "y"}),
        (
            "/admin/workflow/custom-fields/new",
            {"key": "k", "label": "K", "kind": "choice", "choices": "A", "active": "y"},
        ),
    ]
    for index, (url, base) in enumerate(forms):
        for field in base:
            data = {**base, field: value}
            if "key" in data and field != "key":
                data["key"] = f"k{index}_{field}"
            response = post(admin_client, url, data)
            assert response.status_code in (302, 422), (url, field, response.status_code)
            body = response.get_data(as_text=True)
            assert "<script>alert" not in body
            assert "<img src=x" not in body
    for url in ("/admin/workflow/statuses", "/admin/workflow/transitions", "/admin/workflow/custom-fields"):
        body = admin_client.get(url).get_data(as_text=True)
        assert "<script>alert" not in body
        assert "<img src=x" not in body


@pytest.mark.parametrize(
    "url", ["/admin/workflow/statuses", "/admin/workflow/transitions", "/admin/workflow/custom-fields"]
)
def test_list_pages_use_a_fixed_number_of_queries(admin_client, admin, url):
    admin_client.get(url)
    with QueryCounter(db.engine) as few:
        admin_client.get(url)
    for number in range(6):
        status = settings.save_status(admin, None, f"Extra {number}", "waiting", "info", 100 + number)
        settings.save_transition(admin, None, status.id, status_named("On hold").id, "Go", "workorder.work")
        settings.save_custom_field(admin, None, f"extra_{number}", f"Extra {number}", "text")
        make_work_order(admin)
    db.session.commit()
    with QueryCounter(db.engine) as many:
        response = admin_client.get(url)
    assert "Extra 5" in response.get_data(as_text=True)
    assert many.count == few.count


def test_a_clash_that_slips_past_the_checks_is_a_conflict_not_a_500(admin_client, admin, monkeypatch):
    """Two admins saving the same name at once: the unique index decides, and the loser sees a message."""
    monkeypatch.setattr(settings, "_unique_name", lambda *args: None)
    with pytest.raises(Conflict):
        settings.save_status(admin, None, "New", "open", "info")
    db.session.rollback()
    response = post(admin_client, "/admin/workflow/types/new", {"name": "Corrective", "active": "y"})
    assert response.status_code == 422
    assert "Someone else saved a clashing entry" in response.get_data(as_text=True)
    assert count(Status) == 9
    assert count(WorkOrderType) == 5
