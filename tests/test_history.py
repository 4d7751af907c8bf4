"""History as data: status periods by category, kept milestones, and KPIs computed in SQL.

The clock is controlled: transitions run with a patched ``workflow.utcnow`` and
fixtures set period timestamps explicitly, so every figure below is computed by
hand. Whole seconds only, as MariaDB's DATETIME keeps no fractions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from cube.extensions import db
from cube.models import (
    StatusCategory,
    User,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderStatusPeriod,
)
from cube.workflow import engine as workflow
from cube.workflow import settings as configuration
from cube.workorders import history, timeline
from tests.workorder_factories import make_work_order, status_named, transition_named

T0 = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)
HOUR = 3600

# (hours after creation, from status, button, reason): a full life with a pause, a close and a reopen.
LIFE = [
    (1, "New", "Approve", ""),
    (2, "Approved", "Mark assigned", ""),
    (3, "Assigned", "Start work", ""),
    (5, "In progress", "Pause", "Waiting for a seal"),
    (8, "On hold", "Resume", ""),
    (10, "In progress", "Complete", ""),
    (11, "Completed", "Review and close", ""),
    (20, "Closed", "Reopen", "Leaking again"),
    (21, "Assigned", "Start work", ""),
    (23, "In progress", "Complete", ""),
    (24, "Completed", "Review and close", ""),
]
EXPECTED_PERIODS = [
    # status, category, from hour, to hour (None: still open)
    ("New", "open", 0, 1),
    ("Approved", "open", 1, 2),
    ("Assigned", "open", 2, 3),
    ("In progress", "active", 3, 5),
    ("On hold", "waiting", 5, 8),
    ("In progress", "active", 8, 10),
    ("Completed", "done", 10, 11),
    ("Closed", "done", 11, 20),
    ("Assigned", "open", 20, 21),
    ("In progress", "active", 21, 23),
    ("Completed", "done", 23, 24),
    ("Closed", "done", 24, None),
]
NOW = T0 + timedelta(hours=30)
# Open 0-3 and 20-21; active 3-5, 8-10 and 21-23; waiting 5-8; done 10-20 and 23-30 (now).
EXPECTED_SECONDS = {"open": 4 * HOUR, "active": 6 * HOUR, "waiting": 3 * HOUR, "done": 17 * HOUR}


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("admin", name="Ada Admin")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """Set ``clock[0]`` to the time the next transition happens at."""
    now = [T0]
    monkeypatch.setattr(workflow, "utcnow", lambda: now[0])
    return now


def created_at(work_order: WorkOrder, when: datetime) -> None:
    """Backdate a new work order and its first period (test set-up)."""
    work_order.created_at = when
    db.session.execute(
        WorkOrderStatusPeriod.__table__.update()
        .where(WorkOrderStatusPeriod.work_order_id == work_order.id)
        .values(started_at=when)
    )
    db.session.commit()


def live(admin: User, work_order: WorkOrder, clock: list[datetime], steps: list[tuple[Any, ...]]) -> None:
    for hours, source, button, reason in steps:
        clock[0] = at(hours)
        workflow.apply_transition(admin, work_order, transition_named(source, button).id, reason)
        db.session.commit()


def periods(work_order: WorkOrder) -> list[tuple[int, str, datetime, datetime | None]]:
    return [(p.status_id, p.category, p.started_at, p.ended_at) for p in history.periods_of(work_order)]


def kpis(work_order_ids: list[int]) -> dict[str, dict[int, int]]:
    return {category.value: history.time_in_category(work_order_ids, category, now=NOW) for category in StatusCategory}


@pytest.fixture
def lived(admin: User, make_user: Callable[..., User], clock: list[datetime]) -> WorkOrder:
    """A work order taken through LIFE on the controlled clock."""
    technician = make_user("technician", name="Tess Tech")
    work_order = make_work_order(admin, "Leaking pump", assignees=(technician,))
    created_at(work_order, T0)
    live(admin, work_order, clock, LIFE)
    return work_order


# -- periods and milestones ---------------------------------------------------------------------


def test_a_new_work_order_has_one_open_period_in_its_initial_status(admin):
    work_order = make_work_order(admin)
    [period] = history.periods_of(work_order)
    assert (period.status_id, period.category, period.ended_at) == (status_named("New").id, "open", None)
    assert period.started_at == work_order.created_at


def test_periods_are_contiguous_and_closed_through_a_full_life(lived):
    found = history.periods_of(lived)
    expected = [
        (status_named(name).id, category, at(start), None if end is None else at(end))
        for name, category, start, end in EXPECTED_PERIODS
    ]
    assert periods(lived) == expected
    assert all(a.ended_at == b.started_at for a, b in pairwise(found))
    assert [p.ended_at is None for p in found].count(True) == 1
    assert found[-1].status_id == lived.status_id
    assert db.session.scalar(select(func.count()).select_from(WorkOrderStatusPeriod)) == len(EXPECTED_PERIODS)


def test_milestones_through_a_full_life(lived):
    assert lived.started_at == at(3)
    assert lived.first_completed_at == at(10)
    assert lived.completed_at == at(23)
    assert lived.closed_at == at(24)


def test_a_reopen_keeps_the_first_and_the_last_completion_and_clears_the_close(admin, make_user, clock):
    work_order = make_work_order(admin, assignees=(make_user("technician"),))
    live(admin, work_order, clock, LIFE[:8])  # up to the reopen
    db.session.expire_all()
    work_order = db.session.get(WorkOrder, work_order.id)
    assert work_order.status.name == "Assigned"
    assert work_order.first_completed_at == at(10)
    assert work_order.completed_at == at(10)
    assert work_order.closed_at is None
    live(admin, work_order, clock, LIFE[8:10])  # completed a second time
    assert work_order.first_completed_at == at(10)
    assert work_order.completed_at == at(23)


def test_sending_back_from_completed_keeps_the_first_completion(admin, make_user, clock):
    work_order = make_work_order(admin, assignees=(make_user("technician"),))
    live(admin, work_order, clock, LIFE[:6])
    live(admin, work_order, clock, [(12, "Completed", "Send back", "Photos missing")])
    assert (work_order.first_completed_at, work_order.completed_at, work_order.closed_at) == (at(10), at(10), None)
    assert [p.category for p in history.periods_of(work_order)][-2:] == ["done", "active"]


def test_a_refused_transition_writes_no_period(admin, clock):
    work_order = make_work_order(admin)  # no assignee: "Mark assigned" is refused
    live(admin, work_order, clock, LIFE[:1])
    before = periods(work_order)
    with pytest.raises(Exception, match="Assign someone"):
        workflow.apply_transition(admin, work_order, transition_named("Approved", "Mark assigned").id)
    db.session.rollback()
    assert periods(work_order) == before
    assert work_order.status.name == "Approved"


def test_a_status_change_event_holds_ids_categories_and_the_transition(lived):
    query = (
        select(WorkOrderEvent)
        .where(WorkOrderEvent.work_order_id == lived.id, WorkOrderEvent.kind == "status_changed")
        .order_by(WorkOrderEvent.id)
    )
    pause = db.session.scalars(query).all()[3]
    assert pause.data == {
        "from_status_id": status_named("In progress").id,
        "from_category": "active",
        "to_status_id": status_named("On hold").id,
        "to_category": "waiting",
        "transition_id": transition_named("In progress", "Pause").id,
        "reason": "Waiting for a seal",
    }


# -- KPIs in SQL --------------------------------------------------------------------------------


def test_time_in_each_category_through_a_full_life(lived):
    assert kpis([lived.id]) == {key: {lived.id: seconds} for key, seconds in EXPECTED_SECONDS.items()} | {
        "cancelled": {}
    }
    assert history.first_response_at([lived.id]) == {lived.id: (at(3), 3 * HOUR)}


def test_renaming_statuses_changes_no_history_and_no_kpi(admin, lived):
    events_before = [
        (e.kind, e.data)
        for e in db.session.scalars(select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == lived.id))
    ]
    periods_before, kpis_before = periods(lived), kpis([lived.id])
    response_before = history.first_response_at([lived.id])

    configuration.save_status(admin, status_named("On hold"), "Waiting for parts", "waiting", "secondary", 50)
    configuration.save_status(admin, status_named("Completed"), "Finished", "done", "success", 60)
    # A category changed later does not rewrite the past either: the period kept the category of its time.
    configuration.save_status(admin, status_named("Approved"), "Vetted", "waiting", "primary", 20)
    db.session.commit()
    db.session.expire_all()

    events_after = [
        (e.kind, e.data)
        for e in db.session.scalars(select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == lived.id))
    ]
    assert events_after == events_before
    assert periods(lived) == periods_before
    assert kpis([lived.id]) == kpis_before
    assert history.first_response_at([lived.id]) == response_before
    # The timeline says what the statuses are called now (the ids say which they were).
    texts = [entry.text for entry in timeline.timeline(lived, admin)]
    assert "Pause: In progress → Waiting for parts" in texts
    assert "Complete: In progress → Finished" in texts
    assert "Approve: New → Vetted" in texts


@pytest.fixture
def measured(admin: User) -> dict[str, WorkOrder]:
    """Three work orders whose periods are set by hand.

    a: open 0-2 h, active 2-3, waiting 3-7, active 7-8, done from 8 (still open at 10)
    b: created at 1 h; open 1-1.5, waiting from 1.5 (still open at 10)
    c: open from 0, never responded to
    """
    orders = {name: make_work_order(admin, f"KPI {name}") for name in "abc"}
    other = make_work_order(admin, "Not measured")
    db.session.execute(delete(WorkOrderStatusPeriod))
    ids = {name: status_named(name).id for name in ("New", "In progress", "On hold", "Completed")}
    rows = {
        "a": [
            ("New", 0, 2),
            ("In progress", 2, 3),
            ("On hold", 3, 7),
            ("In progress", 7, 8),
            ("Completed", 8, None),
        ],
        "b": [("New", 1, 1.5), ("On hold", 1.5, None)],
        "c": [("New", 0, None)],
    }
    for name, spans in rows.items():
        orders[name].created_at = at(spans[0][1])
        for status, start, end in spans:
            db.session.add(
                WorkOrderStatusPeriod(
                    work_order_id=orders[name].id,
                    status_id=ids[status],
                    category=status_named(status).category,
                    started_at=at(start),
                    ended_at=None if end is None else at(end),
                )
            )
    db.session.add(
        WorkOrderStatusPeriod(
            work_order_id=other.id, status_id=ids["On hold"], category="waiting", started_at=at(0), ended_at=at(9)
        )
    )
    db.session.commit()
    return orders


def test_time_in_category_against_hand_computed_values(measured):
    a, b, c = (measured[name].id for name in "abc")
    now = at(10)
    assert history.time_in_category([a, b, c], StatusCategory.WAITING, now=now) == {a: 4 * HOUR, b: 8.5 * HOUR}
    assert history.time_in_category([a, b, c], StatusCategory.OPEN, now=now) == {a: 2 * HOUR, b: 1800, c: 10 * HOUR}
    assert history.time_in_category([a, b, c], StatusCategory.ACTIVE, now=now) == {a: 2 * HOUR}
    assert history.time_in_category([a, b, c], "done", now=now) == {a: 2 * HOUR}
    assert history.time_in_category([a, b, c], StatusCategory.CANCELLED, now=now) == {}
    # An open period keeps counting: two hours later, b has waited two hours more.
    assert history.time_in_category([b], StatusCategory.WAITING, now=at(12)) == {b: 10.5 * HOUR}


def test_time_in_category_takes_a_select_of_work_orders(measured):
    a, b = measured["a"].id, measured["b"].id
    kpi_orders = select(WorkOrder.id).where(WorkOrder.title.like("KPI %"))
    assert history.time_in_category(kpi_orders, StatusCategory.WAITING, now=at(10)) == {a: 4 * HOUR, b: 8.5 * HOUR}


def test_first_response_against_hand_computed_values(measured):
    a, b, c = (measured[name].id for name in "abc")
    found = history.first_response_at([a, b, c])
    assert found == {a: (at(2), 2 * HOUR), b: (at(1.5), 1800)}  # c has had no response yet
    kpi_orders = select(WorkOrder.id).where(WorkOrder.title.like("KPI %"))
    assert history.first_response_at(kpi_orders) == found


def test_kpis_are_one_statement_whatever_the_number_of_work_orders(measured):
    from tests.support import QueryCounter

    ids = [work_order.id for work_order in measured.values()]
    with QueryCounter(db.engine) as counter:
        history.time_in_category(ids, StatusCategory.WAITING, now=at(10))
        history.first_response_at(ids)
    assert counter.count == 2
