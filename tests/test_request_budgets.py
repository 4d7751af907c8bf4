"""Statement budgets: the home page per role and the two busiest posts send a fixed, small number of statements.

Each budget counts what a request sends today and names what is in it, so a change that adds a
statement (a lookup repeated, a collection loaded to append one row) fails here first.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cube.extensions import db
from cube.models import WorkOrder, WorkOrderStatusPeriod
from tests.support import QueryCounter, csrf_token, statements_for
from tests.workorder_factories import default_ids, make_work_order, status_named, transition_named

# Every page: the signed-in user and their permissions, the site settings, and the user's teams (header).
HOME = {
    "admin": 8,  # + the figures (one statement), the recent audit rows, the names of the people and roles they name
    "manager": 8,
    "supervisor": 5,  # + the figures
    "technician": 4,
    "requester": 4,
}


@pytest.mark.parametrize("role", sorted(HOME))
def test_home_page_budget_per_role(client_as, make_user, role):
    client = client_as(role)
    few = statements_for(client, "/")
    for _ in range(12):  # audit rows about more people: the admin's recent entries stay bounded
        make_user("technician")
    many = statements_for(client, "/")
    assert many == few, (few, many)
    assert few <= HOME[role], few


def posted(client, url: str, data: dict[str, object]) -> tuple[int, object]:
    """How many statements a form post sends (the CSRF token read beforehand), and the response."""
    token = csrf_token(client, "/profile")
    with QueryCounter(db.engine) as counter:
        response = client.post(url, data={"csrf_token": token, **data})
    return counter.count, response


def test_creating_a_work_order_budget(client_as):
    manager = client_as("manager")
    make_work_order(manager.user, "The year's first")  # the year's counter exists (made once a year)
    type_id, priority_id = default_ids()

    count, response = posted(
        manager, "/work-orders/new", {"title": "Budget", "type_id": type_id, "priority_id": priority_id}
    )

    assert response.status_code == 302
    created = db.session.scalar(select(WorkOrder).where(WorkOrder.title == "Budget"))
    assert created is not None
    assert response.headers["Location"].endswith(f"/work-orders/{created.id}")
    # The user, their permissions, the settings and the form's custom fields and option lists (10); then the
    # referenced ids (one statement), the custom fields, the number (one statement), the initial status, the
    # work order, its event and its first period; the user read again after the commit (2).
    assert count <= 21, count


def test_moving_a_work_order_budget(client_as):
    manager = client_as("manager")
    work_order = make_work_order(manager.user, "Budget move")
    approve = transition_named("New", "Approve")

    count, response = posted(manager, f"/work-orders/{work_order.id}/transition", {"transition_id": approve.id})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(WorkOrder, work_order.id).status_id == status_named("Approved").id
    periods = db.session.scalars(
        select(WorkOrderStatusPeriod).where(WorkOrderStatusPeriod.work_order_id == work_order.id)
    ).all()
    assert [p.ended_at is None for p in sorted(periods, key=lambda p: p.id)] == [False, True]
    # The user, their permissions, the work order, the settings, the transition; the work order, the closed
    # and the new period, the event; the user read again after the commit (2).
    assert count <= 11, count
