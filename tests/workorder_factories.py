"""Factories for work orders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from cube.extensions import db
from cube.models import Priority, Status, Transition, User, WorkOrder, WorkOrderType
from cube.workorders import services


def default_ids() -> tuple[int, int]:
    """(type id, priority id) of the first type and the default priority."""
    type_id = db.session.scalar(select(WorkOrderType.id).order_by(WorkOrderType.id))
    priority_id = db.session.scalar(select(Priority.id).where(Priority.is_default.is_(True)))
    return type_id, priority_id


def make_work_order(
    actor: User, title: str = "Replace filter", *, assignees: tuple[User, ...] = (), **fields: Any
) -> WorkOrder:
    type_id, priority_id = default_ids()
    data = services.WorkOrderData(
        title=title,
        type_id=fields.pop("type_id", type_id),
        priority_id=fields.pop("priority_id", priority_id),
        **fields,
    )
    work_order = services.create_work_order(actor, data)
    if assignees:
        work_order.assignees = list(assignees)
    db.session.commit()
    return work_order


def status_named(name: str) -> Status:
    return db.session.scalar(select(Status).where(Status.name == name))


def transition_named(from_name: str, label: str) -> Transition:
    source = status_named(from_name)
    return db.session.scalar(select(Transition).where(Transition.from_status_id == source.id, Transition.name == label))


def move_to(work_order: WorkOrder, status_name: str) -> None:
    """Put a work order straight into a status (test set-up, bypassing the workflow)."""
    work_order.status = status_named(status_name)
    db.session.commit()


@dataclass
class Job:
    """A technician's client and a work order in progress assigned to them."""

    client: FlaskClient
    tech: User
    work_order: WorkOrder

    @property
    def base(self) -> str:
        return f"/work-orders/{self.work_order.id}"


def job_in_progress(client: FlaskClient, make_team: Callable[..., Any]) -> Job:
    """A work order in progress for the signed-in technician of ``client``, assigned to them and their team."""
    tech: User = client.user  # type: ignore[attr-defined]
    team = make_team("Facilities", members=(tech,))
    work_order = make_work_order(tech, "Service the chiller", assignees=(tech,), team_id=team.id)
    move_to(work_order, "In progress")
    return Job(client, tech, work_order)
