"""Who may see which work orders: one query serves lists, search, board, calendar,
exports, PDFs and detail pages."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, or_, select, union_all

from cube.actors import Actor
from cube.models import Team, WorkOrder, team_members, work_order_assignees


def visible_work_orders(user: Actor) -> Select[tuple[WorkOrder]]:
    """The work orders ``user`` may see (archived ones excluded).

    All of them with ``workorder.view_all`` (the system actor holds it); otherwise their own requests and
    creations, work assigned to them, and, with ``workorder.view_team``, the
    work of teams they belong to or supervise.
    """
    query = select(WorkOrder).where(WorkOrder.archived.is_(False))
    if user.has_permission("workorder.view_all"):
        return query
    return query.where(visibility_condition(user))


def visibility_condition(user: Actor) -> ColumnElement[bool]:
    """The WHERE condition behind ``visible_work_orders`` for a user without view_all."""
    if not user.active:
        return false()
    # A person's own work orders, gathered through one index per way of being theirs: a few lookups
    # however large the table, where four ORed columns would be checked row by row over all of it.
    own = WorkOrder.id.in_(
        union_all(
            select(WorkOrder.id).where(WorkOrder.requester_id == user.id),
            select(WorkOrder.id).where(WorkOrder.created_by_id == user.id),
            select(WorkOrder.id).where(WorkOrder.supervisor_id == user.id),
            select(work_order_assignees.c.work_order_id).where(work_order_assignees.c.user_id == user.id),
        )
    )
    if not user.has_permission("workorder.view_team"):
        return own
    teams = (
        select(team_members.c.team_id)
        .where(team_members.c.user_id == user.id)
        .union(select(Team.id).where(Team.supervisor_id == user.id))
    )
    return or_(own, WorkOrder.team_id.in_(teams))
