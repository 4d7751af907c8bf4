"""The history migration backfills periods and first completions from rows written before it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from cube.extensions import db
from cube.models import User, UTCDateTime, WorkOrder, WorkOrderEvent
from cube.workorders import history, timeline
from tests.workorder_factories import default_ids

BEFORE = "af415355e7fd"
T0 = datetime(2030, 5, 6, 7, 0, tzinfo=UTC)

# The tables as they were before the migration (no first_completed_at, no periods).
OLD_WORK_ORDERS = sa.table(
    "work_orders",
    sa.column("id", sa.Integer),
    sa.column("number", sa.String),
    sa.column("title", sa.String),
    sa.column("description", sa.Text),
    sa.column("type_id", sa.Integer),
    sa.column("priority_id", sa.Integer),
    sa.column("status_id", sa.Integer),
    sa.column("actual_hours", sa.Numeric),
    sa.column("actual_cost", sa.Numeric),
    sa.column("custom_values", sa.JSON),
    sa.column("archived", sa.Boolean),
    sa.column("version", sa.Integer),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
    sa.column("completed_at", UTCDateTime()),
    sa.column("closed_at", UTCDateTime()),
)
OLD_EVENTS = sa.table(
    "work_order_events",
    sa.column("work_order_id", sa.Integer),
    sa.column("actor_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("data", sa.JSON),
    sa.column("created_at", UTCDateTime()),
    sa.column("by_system", sa.Boolean),
)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def change(old: str, new: str, label: str, reason: str = "") -> dict[str, str]:
    return {"old": old, "new": new, "transition": label, "reason": reason}


# number: (current status, completed_at, [(hours, status_changed payload)])
ROWS: dict[str, tuple[str, float | None, list[tuple[float, dict[str, str]]]]] = {
    # Every name resolves: periods follow the events, and the completion a reopen erased comes back.
    "WO-2030-000001": (
        "Assigned",
        None,
        [
            (1, change("New", "Approved", "Approve")),
            (2, change("Approved", "Assigned", "Mark assigned")),
            (3, change("Assigned", "In progress", "Start work")),
            (5, change("In progress", "Completed", "Complete")),
            (6, change("Completed", "Closed", "Review and close")),
            (9, change("Closed", "Assigned", "Reopen", "Leaks")),
        ],
    ),
    # A name no status has any more: one open period in the current status, since the last change.
    "WO-2030-000002": ("In progress", None, [(1, change("Nieuw", "In progress", "Begin"))]),
    # No status change at all: in its first status since creation.
    "WO-2030-000003": ("New", None, []),
    # Completed with an unknown history: the first completion is the completion we know.
    "WO-2030-000004": ("Completed", 4, [(4, change("Bezig", "Completed", "Klaar"))]),
    # Names resolve but do not end in the current status (moved outside the workflow): one open period.
    "WO-2030-000005": ("On hold", None, [(2, change("New", "Approved", "Approve"))]),
}


def seed_old_rows(actor_id: int) -> dict[str, int]:
    """Work orders and events as the code before the migration wrote them; their ids by number."""
    type_id, priority_id = default_ids()
    ids: dict[str, int] = {}
    with db.engine.begin() as conn:
        for number, (status, completed, changes) in ROWS.items():
            status_id = conn.scalar(sa.text("SELECT id FROM statuses WHERE name = :name"), {"name": status})
            conn.execute(
                OLD_WORK_ORDERS.insert().values(
                    number=number,
                    title=f"Old {number}",
                    description="",
                    type_id=type_id,
                    priority_id=priority_id,
                    status_id=status_id,
                    actual_hours=0,
                    actual_cost=0,
                    custom_values={},
                    archived=False,
                    version=1,
                    created_at=T0,
                    updated_at=at(20),
                    completed_at=None if completed is None else at(completed),
                    closed_at=None,
                )
            )
            ids[number] = conn.scalar(sa.select(OLD_WORK_ORDERS.c.id).where(OLD_WORK_ORDERS.c.number == number))
            events = [(0, "created", {"number": number, "title": f"Old {number}"})]
            events += [(hours, "status_changed", data) for hours, data in changes]
            for hours, kind, data in events:
                conn.execute(
                    OLD_EVENTS.insert().values(
                        work_order_id=ids[number],
                        actor_id=actor_id,
                        kind=kind,
                        data=data,
                        created_at=at(hours),
                        by_system=False,
                    )
                )
    return ids


def spans(work_order_id: int) -> list[tuple[str, str, datetime, datetime | None]]:
    work_order = db.session.get(WorkOrder, work_order_id)
    return [(status_name(p.status_id), p.category, p.started_at, p.ended_at) for p in history.periods_of(work_order)]


def status_name(status_id: int) -> str:
    return db.session.scalar(sa.text("SELECT name FROM statuses WHERE id = :id"), {"id": status_id})


def test_the_migration_backfills_periods_and_first_completions(app, make_user: Callable[..., User]):
    actor_id = make_user("supervisor", name="Sam Super").id
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        ids = seed_old_rows(actor_id)
    finally:
        db.session.remove()  # an open read would hold a lock that the next migrations' ALTER TABLE waits on
        upgrade()
    db.session.remove()

    assert spans(ids["WO-2030-000001"]) == [
        ("New", "open", at(0), at(1)),
        ("Approved", "open", at(1), at(2)),
        ("Assigned", "open", at(2), at(3)),
        ("In progress", "active", at(3), at(5)),
        ("Completed", "done", at(5), at(6)),
        ("Closed", "done", at(6), at(9)),
        ("Assigned", "open", at(9), None),
    ]
    assert spans(ids["WO-2030-000002"]) == [("In progress", "active", at(1), None)]
    assert spans(ids["WO-2030-000003"]) == [("New", "open", at(0), None)]
    assert spans(ids["WO-2030-000004"]) == [("Completed", "done", at(4), None)]
    assert spans(ids["WO-2030-000005"]) == [("On hold", "waiting", at(2), None)]

    completions = {
        number: (
            db.session.get(WorkOrder, work_order_id).first_completed_at,
            db.session.get(WorkOrder, work_order_id).completed_at,
        )
        for number, work_order_id in ids.items()
    }
    assert completions == {
        "WO-2030-000001": (at(5), at(5)),
        "WO-2030-000002": (None, None),
        "WO-2030-000003": (None, None),
        "WO-2030-000004": (at(4), at(4)),
        "WO-2030-000005": (None, None),
    }
    # The KPIs read the backfilled periods; the old events are left as they were and still read well.
    assert history.time_in_category([ids["WO-2030-000001"]], "open", now=at(10)) == {ids["WO-2030-000001"]: 4 * 3600}
    old_events = db.session.scalars(
        sa.select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == ids["WO-2030-000001"])
    ).all()
    assert old_events[-1].data == change("Closed", "Assigned", "Reopen", "Leaks")
    entries = timeline.timeline(db.session.get(WorkOrder, ids["WO-2030-000001"]), None)
    assert [(entry.who, entry.text, entry.quote) for entry in entries][-1] == (
        "Sam Super",
        "Reopen: Closed → Assigned",
        "Leaks",
    )


def test_the_backfill_on_an_empty_database_adds_nothing(app):
    db.session.remove()
    downgrade(revision=BEFORE)
    upgrade()
    count = db.session.scalar(sa.text("SELECT COUNT(*) FROM work_order_status_periods"))
    assert count == 0
