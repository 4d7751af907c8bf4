"""Status history as data: the periods a work order spent in each status category, and SQL over them.

``apply_transition`` (and ``create_work_order`` for the first status) write the
periods through ``start`` and ``move``; reports read them with the query
functions below, which work on one work order or a million, on SQLite,
PostgreSQL and MariaDB alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import Float

from cube.extensions import db
from cube.models import Status, StatusCategory, UTCDateTime, WorkOrder, WorkOrderStatusPeriod, utcnow

WorkOrders = Iterable[int] | Select[Any]


# -- writing ------------------------------------------------------------------------------------


def start(work_order: WorkOrder, at: datetime) -> WorkOrderStatusPeriod:
    """Open the first period of a new work order, in its initial status, from ``at``."""
    period = WorkOrderStatusPeriod(
        work_order_id=work_order.id,
        status_id=work_order.status.id,
        category=work_order.status.category,
        started_at=at,
    )
    db.session.add(period)
    return period


def move(work_order: WorkOrder, status: Status, at: datetime) -> WorkOrderStatusPeriod:
    """Close the work order's open period(s) at ``at`` (never before they started) and open one in ``status``.

    The close is one UPDATE: the open periods are not read first.
    """
    started = WorkOrderStatusPeriod.started_at
    db.session.execute(
        update(WorkOrderStatusPeriod)
        .where(WorkOrderStatusPeriod.work_order_id == work_order.id, WorkOrderStatusPeriod.ended_at.is_(None))
        .values(ended_at=case((started > at, started), else_=literal(at, UTCDateTime())))
        .execution_options(synchronize_session="fetch")
    )
    period = WorkOrderStatusPeriod(
        work_order_id=work_order.id, status_id=status.id, category=status.category, started_at=at
    )
    db.session.add(period)
    return period


def periods_of(work_order: WorkOrder) -> list[WorkOrderStatusPeriod]:
    """The work order's periods, oldest first."""
    query = (
        select(WorkOrderStatusPeriod)
        .where(WorkOrderStatusPeriod.work_order_id == work_order.id)
        .order_by(WorkOrderStatusPeriod.started_at, WorkOrderStatusPeriod.id)
    )
    return list(db.session.scalars(query))


# -- reading in SQL -----------------------------------------------------------------------------


class seconds_between(FunctionElement[float]):
    """``end - start`` in seconds, compiled for each backend (no string SQL)."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between)
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    """SQLite: Julian days apart, in seconds."""
    start_at, end_at = list(element.clauses)
    return f"((julianday({compiler.process(end_at, **kw)}) - julianday({compiler.process(start_at, **kw)})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: Any, **kw: Any) -> str:
    """PostgreSQL: the interval's epoch seconds."""
    start_at, end_at = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end_at, **kw)} - {compiler.process(start_at, **kw)}))"


@compiles(seconds_between, "mysql")
@compiles(seconds_between, "mariadb")
def _seconds_mysql(element: seconds_between, compiler: Any, **kw: Any) -> str:
    """MySQL/MariaDB: TIMESTAMPDIFF in seconds."""
    start_at, end_at = list(element.clauses)
    return f"TIMESTAMPDIFF(SECOND, {compiler.process(start_at, **kw)}, {compiler.process(end_at, **kw)})"


def _scope(query: Select[Any], work_orders: WorkOrders) -> Select[Any]:
    """Limit ``query`` to the given work order ids, or to the ids a select returns."""
    if isinstance(work_orders, Select):
        return query.where(WorkOrderStatusPeriod.work_order_id.in_(work_orders.scalar_subquery()))
    return query.where(WorkOrderStatusPeriod.work_order_id.in_(list(work_orders)))


def _now(now: datetime | None) -> ColumnElement[datetime]:
    """The time an open period counts up to, as a bound UTC parameter."""
    return literal(now or utcnow(), UTCDateTime())


def time_in_category_select(
    work_orders: WorkOrders, category: StatusCategory | str, *, now: datetime | None = None
) -> Select[Any]:
    """``(work_order_id, seconds)`` spent in ``category``, an open period counting up to ``now``.

    ``work_orders`` is a list of ids or a select of work order ids (e.g. a scoped
    list query with only ``WorkOrder.id``), so the sum runs in the database.
    """
    ended = func.coalesce(WorkOrderStatusPeriod.ended_at, _now(now))
    seconds = func.round(func.sum(seconds_between(WorkOrderStatusPeriod.started_at, ended)))
    query = (
        select(WorkOrderStatusPeriod.work_order_id, seconds.label("seconds"))
        .where(WorkOrderStatusPeriod.category == str(category))
        .group_by(WorkOrderStatusPeriod.work_order_id)
    )
    return _scope(query, work_orders)


def time_in_category(
    work_orders: WorkOrders, category: StatusCategory | str, *, now: datetime | None = None
) -> dict[int, int]:
    """Whole seconds each work order spent in ``category`` (work orders never in it are left out)."""
    rows = db.session.execute(time_in_category_select(work_orders, category, now=now)).all()
    return {work_order_id: int(seconds or 0) for work_order_id, seconds in rows}


def first_response_select(work_orders: WorkOrders) -> Select[Any]:
    """``(work_order_id, responded_at, seconds)``: when it first left the open category, seconds after creation.

    The first response is the start of the first period in any category but open
    (work started, put on hold, completed, cancelled or rejected). Work orders
    still waiting for one are left out.
    """
    first = (
        select(
            WorkOrderStatusPeriod.work_order_id.label("work_order_id"),
            func.min(WorkOrderStatusPeriod.started_at).label("responded_at"),
        )
        .where(WorkOrderStatusPeriod.category != StatusCategory.OPEN.value)
        .group_by(WorkOrderStatusPeriod.work_order_id)
    )
    first = _scope(first, work_orders).subquery()
    responded_at = first.c.responded_at
    return select(
        first.c.work_order_id,
        responded_at,
        func.round(seconds_between(WorkOrder.created_at, responded_at)).label("seconds"),
    ).join(WorkOrder, WorkOrder.id == first.c.work_order_id)


def first_response_at(work_orders: WorkOrders) -> dict[int, tuple[datetime, int]]:
    """For each work order that had one: when it was first responded to, and the seconds since creation."""
    rows = db.session.execute(first_response_select(work_orders)).all()
    return {work_order_id: (_aware(at), int(seconds or 0)) for work_order_id, at, seconds in rows}


def _aware(value: Any) -> datetime:
    """A MIN() over a UTC column, as an aware datetime (the aggregate loses the column type on some backends)."""
    return UTCDateTime().process_result_value(
        datetime.fromisoformat(value) if isinstance(value, str) else value, db.engine.dialect
    )  # type: ignore[return-value]
