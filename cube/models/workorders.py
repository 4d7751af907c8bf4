"""Work orders and everything inside them: workflow, assignees, comments, checklists,
time, parts, attachments, custom fields and the append-only history."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cube.models.assets import Asset, Location
from cube.models.base import LONG_TEXT, TABLE_OPTIONS, Base, TimestampMixin, UTCDateTime, utcnow
from cube.models.catalog import MONEY, QUANTITY, Company, Product
from cube.models.user import Team, User

HOURS = Numeric(9, 2)


class StatusCategory(enum.StrEnum):
    """The fixed meaning behind every configurable status; KPIs read these, never names."""

    OPEN = "open"
    ACTIVE = "active"
    WAITING = "waiting"
    DONE = "done"
    CANCELLED = "cancelled"


class Guard(enum.StrEnum):
    """Checks a transition can require before it happens."""

    REASON = "reason"  # a reason must be given (on hold, cancel, reject, reopen)
    CHECKLIST = "checklist"  # every required checklist item answered (complete)
    ASSIGNEE = "assignee"  # someone is assigned (start)


class Status(Base):
    """A configurable workflow status mapped to a fixed category."""

    __tablename__ = "statuses"
    __table_args__ = (
        CheckConstraint("category IN ('open', 'active', 'waiting', 'done', 'cancelled')", name="category_known"),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(16))
    color: Mapped[str] = mapped_column(String(16), default="secondary")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_initial: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Optimistic lock: two admins saving the same row; a stale save is refused with what changed.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Status {self.name}>"


class Transition(Base):
    """An allowed move between two statuses, the permission it needs and its guards."""

    __tablename__ = "transitions"
    __table_args__ = (UniqueConstraint("from_status_id", "to_status_id"), TABLE_OPTIONS)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_status_id: Mapped[int] = mapped_column(ForeignKey("statuses.id", ondelete="CASCADE"), index=True)
    to_status_id: Mapped[int] = mapped_column(ForeignKey("statuses.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))  # the button label, e.g. "Start work"
    permission: Mapped[str] = mapped_column(String(64))
    guards: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Taken by assigning someone (``cube.workflow.engine.follow_assignment``): at most one per from status.
    on_assign: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    from_status: Mapped[Status] = relationship(foreign_keys=[from_status_id])
    to_status: Mapped[Status] = relationship(foreign_keys=[to_status_id], lazy="joined")
    # Optimistic lock: two admins saving the same row; a stale save is refused with what changed.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}


class Priority(Base):
    """A configurable priority with a colour and an order (lower first)."""

    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    color: Mapped[str] = mapped_column(String(16), default="secondary")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Optimistic lock: two admins saving the same row; a stale save is refused with what changed.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}


class WorkOrderType(Base):
    """Corrective, preventive, inspection ... (admins add more)."""

    __tablename__ = "work_order_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Optimistic lock: two admins saving the same row; a stale save is refused with what changed.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}


class CustomField(Base):
    """An admin-defined extra field on work orders."""

    __tablename__ = "custom_fields"
    __table_args__ = (
        CheckConstraint("kind IN ('text', 'number', 'date', 'choice')", name="kind_known"),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16), default="text")
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Optimistic lock: two admins saving the same row; a stale save is refused with what changed.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}


class WorkOrderSequence(Base):
    """The last number handed out per year; its row lock makes numbers unique under load."""

    __tablename__ = "work_order_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


work_order_assignees = Table(
    "work_order_assignees",
    Base.metadata,
    Column("work_order_id", Integer, ForeignKey("work_orders.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    **TABLE_OPTIONS,
)


class WorkOrder(TimestampMixin, Base):
    """A piece of work, from request to closure. Archived, never deleted.

    Milestones, all set by ``cube.workflow.engine.apply_transition`` from status
    categories (never names):

    - ``started_at``: the first time it entered an active status; never cleared.
    - ``first_completed_at``: the first time it entered a done status; never cleared,
      so a reopen cannot hide when the work was first reported finished.
    - ``completed_at``: the last completion, i.e. the last time it entered a done status
      from another category. Kept when the work order is reopened (it says when the
      work was last finished); the next completion replaces it. Whether it is complete
      now is its status category, not this field.
    - ``closed_at``: when the current completion was closed (moved from one done status
      to another, e.g. Completed -> Closed). Cleared when it leaves the done category,
      because a reopened work order is not closed; earlier closes stay in the periods.

    The full story (every status, with its category, from when to when) is in
    ``WorkOrderStatusPeriod``; KPIs such as time waiting are computed from there.
    """

    __tablename__ = "work_orders"
    __table_args__ = (
        CheckConstraint("estimated_hours IS NULL OR estimated_hours >= 0", name="estimated_hours_not_negative"),
        CheckConstraint("estimated_cost IS NULL OR estimated_cost >= 0", name="estimated_cost_not_negative"),
        Index("ix_work_orders_status_due", "status_id", "due_at"),
        # The board: a status's newest cards and its capped count, both read from this index alone.
        Index("ix_work_orders_status_created", "status_id", "archived", "created_at", "id"),
        # A team's work in a status, newest first: a team + status filter walks only those rows, however rare
        # the other filters make a match (a million work orders with none matching read none of the others).
        Index("ix_work_orders_team_status_created", "team_id", "status_id", "archived", "created_at", "id"),
        Index("ix_work_orders_team_created", "team_id", "created_at", "id"),
        Index("ix_work_orders_requester", "requester_id", "id"),
        Index("ix_work_orders_created", "created_at", "id"),
        # Substring search on PostgreSQL: trigram indexes serve LIKE '%term%'.
        Index("ix_work_orders_number_trgm", text("lower(number) gin_trgm_ops"), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
        Index("ix_work_orders_title_trgm", text("lower(title) gin_trgm_ops"), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
        Index(
            "ix_work_orders_description_trgm", text("lower(description) gin_trgm_ops"), postgresql_using="gin"
        ).ddl_if(dialect="postgresql"),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(LONG_TEXT, default="")
    type_id: Mapped[int] = mapped_column(ForeignKey("work_order_types.id", ondelete="RESTRICT"), index=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("priorities.id", ondelete="RESTRICT"), index=True)
    status_id: Mapped[int] = mapped_column(ForeignKey("statuses.id", ondelete="RESTRICT"))
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"), index=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    planned_start: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    estimated_hours: Mapped[Decimal | None] = mapped_column(HOURS)
    estimated_cost: Mapped[Decimal | None] = mapped_column(MONEY)
    actual_hours: Mapped[Decimal] = mapped_column(HOURS, default=Decimal("0"))
    actual_cost: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    custom_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # Which form submission created it, so a double-posted create form makes one work order.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    type: Mapped[WorkOrderType] = relationship(lazy="joined", innerjoin=True)
    priority: Mapped[Priority] = relationship(lazy="joined", innerjoin=True)
    status: Mapped[Status] = relationship(lazy="joined", innerjoin=True)
    requester: Mapped[User | None] = relationship(foreign_keys=[requester_id])
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    team: Mapped[Team | None] = relationship()
    company: Mapped[Company | None] = relationship()
    product: Mapped[Product | None] = relationship()
    asset: Mapped[Asset | None] = relationship()
    location: Mapped[Location | None] = relationship()
    assignees: Mapped[list[User]] = relationship(secondary=work_order_assignees, order_by="User.name")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<WorkOrder {self.number}>"


class WorkOrderStatusPeriod(Base):
    """One stretch of time a work order spent in one status, with the status's category then.

    Opened when the work order is created, closed and followed by the next one on
    every transition, so a work order's periods are contiguous and exactly one (the
    current) has no end. The category is copied, so renaming a status or moving it to
    another category later does not change what the past means.
    """

    __tablename__ = "work_order_status_periods"
    __table_args__ = (
        CheckConstraint("category IN ('open', 'active', 'waiting', 'done', 'cancelled')", name="category_known"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        Index("ix_work_order_status_periods_order", "work_order_id", "started_at"),
        Index("ix_work_order_status_periods_category", "category", "started_at"),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"))
    status_id: Mapped[int] = mapped_column(ForeignKey("statuses.id", ondelete="RESTRICT"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WorkOrderEvent(Base):
    """Append-only history: who did what, when, as data (ids, keys, numbers, enum values).

    ``data`` holds what the change was, never display text: a status change keeps
    the from/to status ids and categories and the transition id, an assignment the
    user and team ids. ``cube.workorders.timeline`` turns events into sentences with
    today's names. Events written before history became data hold names instead
    (``status_changed`` with ``old``/``new`` status names, ...); the timeline reads both.
    """

    __tablename__ = "work_order_events"
    __table_args__ = (Index("ix_work_order_events_order", "work_order_id", "id"), TABLE_OPTIONS)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    by_system: Mapped[bool] = mapped_column(default=False, server_default=false())
    kind: Mapped[str] = mapped_column(String(32), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()


class Comment(Base):
    """A note on a work order; @mentions are resolved to users when it is posted."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_order", "work_order_id", "id"),
        Index("ix_comments_body_trgm", text("lower(body) gin_trgm_ops"), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(LONG_TEXT)
    mentions: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()


class Attachment(Base):
    """A file on a work order, stored under a random name; the original name is metadata."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()


class ChecklistTemplate(TimestampMixin, Base):
    """A reusable list of checks to copy into work orders."""

    __tablename__ = "checklist_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{label, kind, required}]
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ChecklistItem(Base):
    """One check on a work order: pass/fail/n.a., text or number, maybe required."""

    __tablename__ = "checklist_items"
    __table_args__ = (
        CheckConstraint("kind IN ('pass_fail', 'text', 'number')", name="kind_known"),
        Index("ix_checklist_items_order", "work_order_id", "position"),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="pass_fail")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    answer: Mapped[str | None] = mapped_column(String(2000))  # pass / fail / na, or the text or number
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id", ondelete="SET NULL"))

    answered_by: Mapped[User | None] = relationship()


class TimeLog(Base):
    """Time a person spent on a work order: a running timer (no end yet) or an entry."""

    __tablename__ = "time_logs"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        Index("ix_time_logs_order", "work_order_id", "id"),
        Index("ix_time_logs_user_running", "user_id", "ended_at"),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hours: Mapped[Decimal] = mapped_column(HOURS, default=Decimal("0"))
    hourly_rate: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    note: Mapped[str] = mapped_column(String(500), default="")

    user: Mapped[User] = relationship()


class PartUsage(Base):
    """A catalog part used on a work order, at the unit cost of the day; returns are negative."""

    __tablename__ = "part_usages"
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        Index("ix_part_usages_order", "work_order_id", "id"),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="RESTRICT"))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_cost: Mapped[Decimal] = mapped_column(MONEY)
    stock_movement_id: Mapped[int | None] = mapped_column(ForeignKey("stock_movements.id", ondelete="SET NULL"))
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    product: Mapped[Product] = relationship()
    location: Mapped[Location] = relationship()
    used_by: Mapped[User | None] = relationship()
