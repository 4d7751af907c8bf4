"""The options the work order forms and filters offer (people, teams, statuses, ...): queries only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from cube.extensions import db
from cube.models import Asset, Company, Priority, Status, Team, User, WorkOrderType
from cube.workorders import assignees

Pairs = list[tuple[int, str]]
ASSET_LIMIT = 500  # assets offered in the work order form's list


def _pairs(query: Select[Any]) -> Pairs:
    """(id, label) rows of a two-column query."""
    return [(row[0], row[1]) for row in db.session.execute(query)]


def people() -> Pairs:
    """Active people by name."""
    return _pairs(select(User.id, User.name).where(User.active.is_(True)).order_by(User.name))


def teams() -> Pairs:
    """Every team by name."""
    return _pairs(select(Team.id, Team.name).order_by(Team.name))


def companies() -> Pairs:
    """Every company by name."""
    return _pairs(select(Company.id, Company.name).order_by(Company.name))


def statuses(*, active_only: bool = False) -> Pairs:
    """Statuses in workflow order."""
    query = select(Status.id, Status.name).order_by(Status.position)
    return _pairs(query.where(Status.active.is_(True)) if active_only else query)


def priorities(*, active_only: bool = False) -> Pairs:
    """Priorities in order."""
    query = select(Priority.id, Priority.name).order_by(Priority.position)
    return _pairs(query.where(Priority.active.is_(True)) if active_only else query)


def types(*, active_only: bool = False) -> Pairs:
    """Work order types (active ones in stored order, all of them by name)."""
    if active_only:
        return _pairs(select(WorkOrderType.id, WorkOrderType.name).where(WorkOrderType.active.is_(True)))
    return _pairs(select(WorkOrderType.id, WorkOrderType.name).order_by(WorkOrderType.name))


def assets() -> Pairs:
    """The first assets by serial number."""
    return _pairs(select(Asset.id, Asset.serial_number).order_by(Asset.serial_number).limit(ASSET_LIMIT))


def default_priority_id() -> int | None:
    """The priority new work orders start with."""
    return db.session.scalar(select(Priority.id).where(Priority.is_default.is_(True)))


@dataclass
class BulkChoices:
    """The options of the bulk form on the list."""

    people: dict[str, Pairs]  # who may do work, by team
    teams: Pairs
    priorities: Pairs
    statuses: Pairs


def bulk_choices() -> BulkChoices:
    """Options for the list's bulk form."""
    return BulkChoices(
        people=assignees.worker_groups(),
        teams=teams(),
        priorities=priorities(active_only=True),
        statuses=statuses(active_only=True),
    )
