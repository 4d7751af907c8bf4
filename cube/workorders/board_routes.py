"""Views: the Kanban board, the month calendar, the work order PDF and the list export."""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, Row, and_, func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from cube.exports import csv_response, xlsx_response
from cube.extensions import db
from cube.models import Status, Transition, User, WorkOrder, utcnow
from cube.permissions import requires, signed_in
from cube.templating import user_zone
from cube.urls import external_url
from cube.workorders import exporting, pdf, services
from cube.workorders.queries import SORTS, WorkOrderFilters, work_order_list
from cube.workorders.routes import bp, list_filters

BOARD_LIMIT = 50  # cards per column; the rest are a click away in the list
CALENDAR_LIMIT = 2000  # entries per month page
MONTH = re.compile(r"(\d{4})-(\d{1,2})")
YEARS = range(1900, 3000)
FORMATS = ("csv", "xlsx")
# Query-string keys that belong to one page only and are not carried to another.
PAGE_KEYS = ("page", "month", "format")


@dataclass(frozen=True)
class BoardColumn:
    """One status on the board: its first cards and how many match in all."""

    status: Status
    cards: list[WorkOrder]
    total: int


@dataclass(frozen=True)
class CalendarEntry:
    """A work order on a calendar day, because it is due or planned to start then."""

    work_order: Row[Any]  # id, number, title, status name and colour
    kind: str  # "due" or "start"
    at: datetime  # in the user's zone


def _card_order(filters: WorkOrderFilters) -> list[ColumnElement[Any]]:
    """Cards in a column follow the list's sort (newest first unless asked otherwise)."""
    key = filters.sort.lstrip("-")
    column = SORTS.get(key, WorkOrder.created_at)
    descending = filters.sort.startswith("-") if key in SORTS else True
    return [column.desc() if descending else column.asc(), WorkOrder.id.desc()]


def board_columns(user: User, filters: WorkOrderFilters, limit: int = BOARD_LIMIT) -> list[BoardColumn]:
    """Active statuses by position with the first ``limit`` visible, filtered cards and a total each.

    One statement ranks and counts the cards of every column (window functions), so the page costs
    the same number of queries however many cards or statuses there are.
    """
    statuses = list(
        db.session.scalars(select(Status).where(Status.active.is_(True)).order_by(Status.position, Status.id))
    )
    ranked = (
        work_order_list(user, filters)
        .where(Status.active.is_(True))
        .order_by(None)
        .with_only_columns(
            WorkOrder.id.label("id"),
            func.row_number().over(partition_by=WorkOrder.status_id, order_by=_card_order(filters)).label("place"),
            func.count().over(partition_by=WorkOrder.status_id).label("total"),
        )
        .subquery()
    )
    query = (
        select(WorkOrder, ranked.c.total)
        .join(ranked, ranked.c.id == WorkOrder.id)
        .where(ranked.c.place <= limit)
        .order_by(ranked.c.place)
        .options(selectinload(WorkOrder.assignees))
    )
    cards: dict[int, list[WorkOrder]] = defaultdict(list)
    totals: dict[int, int] = {}
    for work_order, total in db.session.execute(query):
        cards[work_order.status_id].append(work_order)
        totals[work_order.status_id] = total
    return [BoardColumn(status=s, cards=cards.get(s.id, []), total=totals.get(s.id, 0)) for s in statuses]


def transitions_by_status(user: User) -> dict[int, list[Transition]]:
    """The transitions ``user`` may take, keyed by the status they leave (one query for the board)."""
    found: dict[int, list[Transition]] = defaultdict(list)
    for transition in db.session.scalars(select(Transition).order_by(Transition.position, Transition.id)):
        if user.has_permission(transition.permission):
            found[transition.from_status_id].append(transition)
    return found


def month_start(value: str | None, today: date) -> date:
    """The first day of ``value`` (YYYY-MM), or of this month when it is missing or not a real month."""
    match = MONTH.fullmatch((value or "").strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if year in YEARS and 1 <= month <= 12:
            return date(year, month, 1)
    return today.replace(day=1)


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def calendar_entries(
    user: User, filters: WorkOrderFilters, first: date, zone: ZoneInfo, limit: int = CALENDAR_LIMIT
) -> tuple[dict[date, list[CalendarEntry]], bool]:
    """Visible, filtered work orders due or planned to start in the month of ``first`` (in ``zone``), by day.

    One query; the flag is True when more than ``limit`` work orders matched and some were left out.
    """
    start = datetime(first.year, first.month, 1, tzinfo=zone)
    following = _shift(first, 1)
    end = datetime(following.year, following.month, 1, tzinfo=zone)
    query = (
        work_order_list(user, filters)
        .where(
            or_(
                and_(WorkOrder.due_at >= start, WorkOrder.due_at < end),
                and_(WorkOrder.planned_start >= start, WorkOrder.planned_start < end),
            )
        )
        .with_only_columns(
            WorkOrder.id,
            WorkOrder.number,
            WorkOrder.title,
            WorkOrder.due_at,
            WorkOrder.planned_start,
            Status.name.label("status_name"),
            Status.color.label("status_color"),
        )
        .order_by(None)
        .order_by(WorkOrder.id)
        .limit(limit + 1)
    )
    work_orders = list(db.session.execute(query))
    days: dict[date, list[CalendarEntry]] = defaultdict(list)
    for work_order in work_orders[:limit]:
        for kind, moment in (("start", work_order.planned_start), ("due", work_order.due_at)):
            if moment is not None and start <= moment < end:
                local = moment.astimezone(zone)
                days[local.date()].append(CalendarEntry(work_order, kind, local))
    for entries in days.values():
        entries.sort(key=lambda entry: (entry.at, entry.work_order.number))
    return days, len(work_orders) > limit


def query_with(**overrides: object) -> str:
    """The current query string without page-only keys, with ``overrides`` set (None drops a key)."""
    dropped = set(PAGE_KEYS) | set(overrides)
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in dropped]
    pairs += [(k, str(v)) for k, v in overrides.items() if v is not None]
    return urlencode(pairs)


def _url(endpoint: str, **overrides: object) -> str:
    query = query_with(**overrides)
    return url_for(endpoint) + ("?" + query if query else "")


@bp.route("/board")
@signed_in
def board() -> str:
    """The visible, filtered work orders as a Kanban board: one column per active status."""
    form, filters = list_filters()
    return render_template(
        "workorders/board.html",
        form=form,
        columns=board_columns(current_user, filters, BOARD_LIMIT),
        transitions=transitions_by_status(current_user),
        limit=BOARD_LIMIT,
        here=_url("workorders.board"),
        list_url=_url,
    )


@bp.route("/calendar", endpoint="calendar")
@signed_in
def calendar_view() -> str:
    """A month of due and planned dates of the visible, filtered work orders, in the user's time zone."""
    form, filters = list_filters()
    zone = user_zone()
    today = utcnow().astimezone(zone).date()
    first = month_start(request.args.get("month"), today)
    days, truncated = calendar_entries(current_user, filters, first, zone, CALENDAR_LIMIT)
    return render_template(
        "workorders/calendar.html",
        form=form,
        first=first,
        weeks=calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(first.year, first.month),
        days=days,
        truncated=truncated,
        limit=CALENDAR_LIMIT,
        today=today,
        zone=zone,
        previous_url=_url("workorders.calendar", month=_shift(first, -1).strftime("%Y-%m")),
        next_url=_url("workorders.calendar", month=_shift(first, 1).strftime("%Y-%m")),
        today_url=_url("workorders.calendar", month=None),
        list_url=_url,
    )


@bp.route("/<int:work_order_id>.pdf")
@signed_in
def work_order_pdf(work_order_id: int) -> Response:
    """The work order as a printable PDF download (404 when the user may not see it)."""
    work_order = services.get_visible(current_user, work_order_id)
    link = external_url("workorders.show_work_order", work_order_id=work_order.id)
    body = pdf.work_order_pdf(work_order, link=link, zone=user_zone(), viewer=current_user._get_current_object())
    response = Response(body, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=f"{work_order.number}.pdf")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/export")
@requires("workorder.export")
def export_work_orders() -> Response:
    """The visible work orders, filtered as on the list page, streamed as CSV or XLSX (400 for another format)."""
    chosen = request.args.get("format", "csv") or "csv"
    if chosen not in FORMATS:
        abort(400, "Choose format=csv or format=xlsx.")
    _, filters = list_filters()
    rows = exporting.work_order_rows(current_user._get_current_object(), filters, user_zone())
    name = f"work-orders-{utcnow():%Y%m%d-%H%M}"
    if chosen == "xlsx":
        return xlsx_response(rows, f"{name}.xlsx", sheet_title="Work orders")
    return csv_response(rows, f"{name}.csv")
