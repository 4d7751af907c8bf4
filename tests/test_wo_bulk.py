"""Bulk changes from the list: every item checked against the user's rights and reported, the rest done."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, select

from cube.errors import Conflict
from cube.extensions import db
from cube.models import Priority, Team, User, WorkOrder, WorkOrderEvent
from cube.workorders import bulk
from tests.support import csrf_token, events_of, fresh, post
from tests.workorder_factories import make_work_order, move_to, status_named

ROW = re.compile(
    r'<tr data-work-order-id="(?P<id>\d+)" data-result="(?P<result>done|refused)">.*?</td>\s*<td>.*?</td>\s*'
    r"<td>(?P<message>.*?)</td>",
    re.S,
)


def report(response: Any) -> dict[int, tuple[str, str]]:
    """{work order id: (done|refused, message)} from the result page."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    page = response.get_data(as_text=True)
    return {int(m["id"]): (m["result"], m["message"]) for m in ROW.finditer(page)}


def ids_in_page_order(response: Any) -> list[int]:
    return [int(m["id"]) for m in ROW.finditer(response.get_data(as_text=True))]


def priority(name: str) -> Priority:
    return db.session.scalar(select(Priority).where(Priority.name == name))


def bulk_post(client: FlaskClient, ids: list[Any], **fields: Any) -> Any:
    return post(client, "/work-orders/bulk", {"ids": [str(i) for i in ids], **fields})


@contextmanager
def counting_commits() -> Iterator[list[int]]:
    """Count the database COMMITs (not savepoint releases) made while the block runs."""
    commits: list[int] = []

    def count(_connection: Any) -> None:
        commits.append(1)

    event.listen(db.engine, "commit", count)
    try:
        yield commits
    finally:
        event.remove(db.engine, "commit", count)


@pytest.fixture
def setup(make_user: Callable[..., User], make_team: Callable[..., Team]) -> dict[str, Any]:
    """A supervisor's team with two work orders, and one work order of another team."""
    manager = make_user("manager")
    supervisor = make_user("supervisor")
    technician = make_user("technician")
    team = make_team("Facilities", supervisor=supervisor, members=(technician,))
    other_team = make_team("Fleet")
    ours_a = make_work_order(manager, "Door", team_id=team.id)
    ours_b = make_work_order(manager, "Window", team_id=team.id)
    theirs = make_work_order(manager, "Truck", team_id=other_team.id)
    return {
        "manager": manager,
        "supervisor": supervisor,
        "technician": technician,
        "team": team,
        "other_team": other_team,
        "a": ours_a,
        "b": ours_b,
        "theirs": theirs,
    }


def client_for(app: Any, user: User) -> FlaskClient:
    from tests.support import sign_in

    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


# --- mixed selections ---------------------------------------------------------------------------------------------


def test_priority_on_a_mix_of_visible_and_invisible_ids(app, setup):
    supervisor = client_for(app, setup["supervisor"])
    a, b, theirs = setup["a"], setup["b"], setup["theirs"]
    high = priority("High")
    before_theirs = (theirs.priority_id, theirs.version)
    token = csrf_token(supervisor)

    with counting_commits() as commits:
        response = supervisor.post(
            "/work-orders/bulk",
            data={
                "csrf_token": token,
                "ids": [str(theirs.id), str(a.id), "987654", str(b.id), str(a.id)],
                "action": "priority",
                "priority_id": str(high.id),
            },
        )

    result = report(response)
    assert ids_in_page_order(response) == [theirs.id, a.id, 987654, b.id]  # as selected, duplicates once
    assert result[a.id] == ("done", "Priority set to High.")
    assert result[b.id] == ("done", "Priority set to High.")
    assert result[theirs.id] == ("refused", bulk.NOT_FOUND)
    assert result[987654] == ("refused", bulk.NOT_FOUND)
    page = response.get_data(as_text=True)
    assert theirs.number not in page  # an invisible work order's number is not revealed
    assert "2 done, 2 refused." in page
    assert len(commits) == 1
    assert fresh(a).priority_id == high.id
    assert fresh(b).priority_id == high.id
    theirs_now = fresh(theirs)
    assert (theirs_now.priority_id, theirs_now.version) == before_theirs
    assert len(events_of(a, "edited")) == 1
    assert len(events_of(theirs, "edited")) == 0


def test_not_allowed_items_are_refused_and_the_rest_done(app, setup):
    """A technician may start assigned work but not send completed work back: each item gets its own answer."""
    technician = setup["technician"]
    manager = setup["manager"]
    assigned = make_work_order(manager, "Assigned", assignees=(technician,))
    move_to(assigned, "Assigned")
    paused = make_work_order(manager, "Paused", assignees=(technician,))
    move_to(paused, "On hold")
    completed = make_work_order(manager, "Completed", assignees=(technician,))
    move_to(completed, "Completed")
    new = make_work_order(manager, "New", assignees=(technician,))
    hidden = setup["theirs"]
    client = client_for(app, technician)
    in_progress = status_named("In progress")

    response = bulk_post(
        client,
        [assigned.id, paused.id, completed.id, new.id, hidden.id],
        action="transition",
        status_id=str(in_progress.id),
    )

    result = report(response)
    assert result[assigned.id] == ("done", "Now In progress.")
    assert result[paused.id] == ("done", "Now In progress.")
    assert result[completed.id] == ("refused", "You may not send back this work order.")
    assert result[new.id] == ("refused", "It cannot move from New to In progress.")
    assert result[hidden.id] == ("refused", bulk.NOT_FOUND)
    assert fresh(assigned).status.name == "In progress"
    assert fresh(paused).status.name == "In progress"
    assert fresh(completed).status.name == "Completed"
    assert fresh(new).status.name == "New"
    assert len(events_of(completed, "status_changed")) == 0
    assert len(events_of(assigned, "status_changed")) == 1


def test_transition_guards_are_checked_per_item(app, setup):
    supervisor = client_for(app, setup["supervisor"])
    a, b = setup["a"], setup["b"]
    move_to(a, "Approved")
    move_to(b, "Approved")
    a.assignees = [setup["technician"]]
    db.session.commit()
    assigned = status_named("Assigned")

    result = report(bulk_post(supervisor, [a.id, b.id], action="transition", status_id=str(assigned.id)))

    assert result[a.id] == ("done", "Now Assigned.")
    assert result[b.id] == ("refused", "Assign someone first.")
    assert fresh(a).status.name == "Assigned"
    assert fresh(b).status.name == "Approved"


def test_a_reason_is_required_where_the_transition_asks_for_one(app, setup):
    supervisor = client_for(app, setup["supervisor"])
    a, b = setup["a"], setup["b"]
    move_to(b, "Approved")
    cancelled = status_named("Cancelled")

    without = report(bulk_post(supervisor, [a.id, b.id], action="transition", status_id=str(cancelled.id)))

    assert without == {a.id: ("refused", "Give a reason to cancel."), b.id: ("refused", "Give a reason to cancel.")}
    assert fresh(a).status.name == "New"

    with_reason = report(
        bulk_post(supervisor, [a.id, b.id], action="transition", status_id=str(cancelled.id), reason="Duplicate")
    )

    assert with_reason == {a.id: ("done", "Now Cancelled."), b.id: ("done", "Now Cancelled.")}
    event_row = db.session.scalars(
        select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == b.id, WorkOrderEvent.kind == "status_changed")
    ).one()
    data = event_row.data
    assert (data["from_status_id"], data["to_status_id"], data["reason"]) == (
        status_named("Approved").id,
        cancelled.id,
        "Duplicate",
    )


def test_already_in_the_target_status_is_reported_not_changed(app, setup):
    supervisor = client_for(app, setup["supervisor"])
    a = setup["a"]
    version = a.version

    result = report(bulk_post(supervisor, [a.id], action="transition", status_id=str(a.status_id)))

    assert result[a.id] == ("done", "Already New.")
    assert fresh(a).version == version


def test_an_item_refused_after_writing_leaves_no_trace(setup, monkeypatch):
    """Each item runs in its own savepoint: a failure part-way through undoes only that item."""
    a, b, manager = setup["a"], setup["b"], setup["manager"]
    high = priority("High")
    real = bulk.set_priority

    def fails_after_writing(actor: User, work_order: WorkOrder, chosen: Priority) -> bool:
        changed = real(actor, work_order, chosen)
        if work_order.id == b.id:
            raise Conflict("Broke after writing.")
        return changed

    monkeypatch.setattr(bulk, "set_priority", fails_after_writing)

    result = bulk.apply_bulk(manager, [a.id, b.id], bulk.BulkChange(bulk.BulkAction.PRIORITY, priority_id=high.id))
    db.session.commit()

    assert [(item.work_order_id, item.done, item.message) for item in result.items] == [
        (a.id, True, "Priority set to High."),
        (b.id, False, "Broke after writing."),
    ]
    assert fresh(a).priority.name == "High"
    assert fresh(b).priority.name == "Normal"
    assert len(events_of(a, "edited")) == 1
    assert len(events_of(b, "edited")) == 0


# --- assigning ---------------------------------------------------------------------------------------------------


def test_assign_sets_people_and_keeps_each_team(app, setup):
    supervisor = client_for(app, setup["supervisor"])
    a, theirs, technician = setup["a"], setup["theirs"], setup["technician"]

    result = report(bulk_post(supervisor, [a.id, theirs.id], action="assign", assignee_ids=[str(technician.id)]))

    assert result[a.id] == ("done", f"Assigned to {technician.name}, team Facilities. Moved to Assigned.")
    assert fresh(a).status.name == "Assigned"  # the workflow's on-assignment transitions (New → Approved → Assigned)
    assert result[theirs.id] == ("refused", bulk.NOT_FOUND)
    assert [u.id for u in fresh(a).assignees] == [technician.id]
    assert fresh(a).team_id == setup["team"].id
    assert fresh(theirs).assignees == []
    assert len(events_of(a, "assigned")) == 1


def test_assign_a_team_keeps_the_people(app, setup):
    manager = client_for(app, setup["manager"])
    a, technician = setup["a"], setup["technician"]
    a.assignees = [technician]
    db.session.commit()

    result = report(bulk_post(manager, [a.id], action="assign", team_id=str(setup["other_team"].id)))

    # Only the team changed around the same person: the work does not move (no approval as a side effect).
    assert result[a.id] == ("done", f"Assigned to {technician.name}, team Fleet.")
    assert fresh(a).team_id == setup["other_team"].id
    assert [u.id for u in fresh(a).assignees] == [technician.id]
    assert fresh(a).status.name == "New"


def test_without_the_permission_every_item_is_refused(app, setup):
    technician = setup["technician"]
    client = client_for(app, technician)
    a, b = setup["a"], setup["b"]  # visible to the technician through the team

    assigned = report(bulk_post(client, [a.id, b.id], action="assign", assignee_ids=[str(technician.id)]))
    prioritised = report(bulk_post(client, [a.id], action="priority", priority_id=str(priority("Urgent").id)))

    assert assigned == {a.id: ("refused", "You may not assign work orders."), b.id: assigned[a.id]}
    assert prioritised == {a.id: ("refused", "You may not change the priority of work orders.")}
    assert fresh(a).assignees == []
    assert fresh(a).priority.name == "Normal"


def test_inactive_assignee_is_a_bad_request(app, setup, make_user):
    gone = make_user("technician")
    gone.active = False
    db.session.commit()
    manager = client_for(app, setup["manager"])

    response = bulk_post(manager, [setup["a"].id], action="assign", assignee_ids=[str(gone.id)])

    assert response.status_code == 400
    assert fresh(setup["a"]).assignees == []


# --- bad requests ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"ids": ["abc"], "action": "priority"},
        {"ids": ["-1"], "action": "priority"},
        {"ids": ["1e3"], "action": "priority"},
        {"ids": ["99999999999999999999"], "action": "priority"},
        {"ids": ["١٢"], "action": "priority"},  # Arabic-Indic digits: isdigit() but no id
        {"ids": ["{a}"], "action": "delete"},
        {"ids": ["{a}"]},
        {"ids": ["{a}"], "action": "priority"},  # no priority chosen
        {"ids": ["{a}"], "action": "priority", "priority_id": "x"},
        {"ids": ["{a}"], "action": "priority", "priority_id": "987654"},
        {"ids": ["{a}"], "action": "transition"},
        {"ids": ["{a}"], "action": "transition", "status_id": "987654"},
        {"ids": ["{a}"], "action": "assign"},  # neither people nor team
        {"ids": ["{a}"], "action": "assign", "assignee_ids": ["x"]},
        {"ids": ["{a}"], "action": "assign", "team_id": "987654"},
        {"ids": ["{a}"], "action": "transition", "status_id": "{new}", "reason": "x" * 2001},
    ],
)
def test_garbage_is_a_bad_request_never_a_crash(app, setup, fields):
    manager = client_for(app, setup["manager"])
    a = setup["a"]
    fields = {
        key: [v.format(a=a.id) for v in value] if isinstance(value, list) else value.format(new=a.status_id)
        for key, value in fields.items()
    }
    version = a.version

    response = post(manager, "/work-orders/bulk", fields)

    assert response.status_code == 400
    assert fresh(a).version == version


def test_too_many_ids_is_a_bad_request(app, setup):
    manager = client_for(app, setup["manager"])
    ids = [setup["a"].id, setup["b"].id, *range(1_000_000, 1_000_000 + bulk.MAX_ITEMS)]
    response = bulk_post(manager, ids, action="priority", priority_id=str(priority("High").id))
    assert response.status_code == 400
    for work_order in (setup["a"], setup["b"]):
        assert fresh(work_order).priority.name != "High"
        assert len(events_of(work_order)) == 1  # only "created"


def test_nothing_selected_goes_back_to_the_list(app, setup):
    manager = client_for(app, setup["manager"])

    response = post(manager, "/work-orders/bulk", {"action": "priority", "next": "/work-orders?view=my"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/work-orders?view=my")
    with manager.session_transaction() as session:
        assert ("warning", "Select at least one work order.") in session["_flashes"]


def test_an_outside_next_address_is_ignored(app, setup):
    manager = client_for(app, setup["manager"])
    response = post(manager, "/work-orders/bulk", {"action": "priority", "next": "https://evil.example/"})
    assert response.headers["Location"].endswith("/work-orders")


def test_missing_csrf_token_is_refused_and_nothing_changes(app, setup):
    manager = client_for(app, setup["manager"])
    a = setup["a"]

    response = manager.post(
        "/work-orders/bulk", data={"ids": [str(a.id)], "action": "priority", "priority_id": str(priority("High").id)}
    )

    assert response.status_code == 400
    assert fresh(a).priority.name == "Normal"


def test_signed_out_users_are_sent_to_sign_in(client, setup):
    response = post(client, "/work-orders/bulk", {"ids": [str(setup["a"].id)], "action": "priority"})
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert fresh(setup["a"]).priority.name == "Normal"


# --- the list page -----------------------------------------------------------------------------------------------


def test_list_has_checkboxes_and_the_bulk_form(app, setup):
    manager = client_for(app, setup["manager"])
    page = manager.get("/work-orders").get_data(as_text=True)

    assert 'action="/work-orders/bulk"' in page
    assert f'name="ids" value="{setup["a"].id}"' in page
    assert f'<label class="visually-hidden" for="select-{setup["a"].id}">' in page
    assert '<option value="assign">' in page
    assert '<option value="priority">Set priority' in page
    assert "/static/js/bulk.js" in page
    assert "<script>" not in page  # no inline script (strict CSP)


def test_list_shows_only_the_actions_the_user_may_take(app, setup):
    technician = client_for(app, setup["technician"])
    page = technician.get("/work-orders").get_data(as_text=True)

    assert 'action="/work-orders/bulk"' in page
    assert '<option value="transition">' in page
    assert '<option value="assign">' not in page
    assert '<option value="priority">Set priority' not in page


def test_requesters_get_no_bulk_form(app, client_as):
    requester = client_as("requester")
    make_work_order(requester.user, "My request")

    page = requester.get("/work-orders").get_data(as_text=True)

    assert "My request" in page
    assert 'action="/work-orders/bulk"' not in page
    assert 'name="ids"' not in page


def test_requester_posting_anyway_is_refused_per_item(app, client_as):
    requester = client_as("requester")
    own = make_work_order(requester.user, "My request")

    result = report(bulk_post(requester, [own.id], action="priority", priority_id=str(priority("Urgent").id)))

    assert result == {own.id: ("refused", "You may not change the priority of work orders.")}
    assert fresh(own).priority.name == "Normal"
