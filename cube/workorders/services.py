"""Creating, editing, assigning and commenting on work orders.

Every function that changes data takes an ``actor`` (a person or ``cube.actors.SYSTEM``) and checks
the permission itself. Some fields need more than ``workorder.create``/``workorder.edit`` to be set
(``FIELD_PERMISSIONS``): a value for a field the actor may not set is not taken from the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select

from cube.actors import Actor, person_id, require
from cube.editing import Merge, Opened, merge_edit
from cube.errors import EditConflict, NotAllowed, NotFound, ValidationFailed
from cube.extensions import db
from cube.forms import strip_control_characters
from cube.i18n import localtime, number
from cube.models import (
    Asset,
    Comment,
    Company,
    CustomField,
    Location,
    Priority,
    Product,
    Status,
    Team,
    User,
    WorkOrder,
    WorkOrderType,
)
from cube.products.catalog import product_by_sku
from cube.validation import decimal_value, optional_text, required_text
from cube.workflow import engine
from cube.workorders import assignees, events, history
from cube.workorders.numbering import next_number
from cube.workorders.rules import ensure_changeable, ensure_visible
from cube.workorders.scoping import visible_work_orders

MENTION = re.compile(r"(?<![\w.])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w.-]+)")
MAX_COMMENT = 16_000


@dataclass(frozen=True)
class WorkOrderData:
    """The editable fields of a work order."""

    title: str
    type_id: int
    priority_id: int
    description: str = ""
    requester_id: int | None = None
    team_id: int | None = None
    supervisor_id: int | None = None
    company_id: int | None = None
    product_id: int | None = None
    asset_id: int | None = None
    location_id: int | None = None
    due_at: datetime | None = None
    planned_start: datetime | None = None
    estimated_hours: Decimal | str | None = None
    estimated_cost: Decimal | str | None = None
    custom_values: dict[str, Any] = field(default_factory=dict)


# Fields that need a permission beyond creating or editing, and which one. Without it the service does
# not take the field from the input: a new work order gets the default (the actor as requester, no
# team, no supervisor, nobody assigned, no estimated cost) and an edit keeps the current value. The
# form hides the same fields through ``may_set_field``, so only a forged post ever carries them.
FIELD_PERMISSIONS: dict[str, str] = {
    "requester_id": "workorder.assign",
    "team_id": "workorder.assign",
    "supervisor_id": "workorder.assign",
    "assignee_ids": "workorder.assign",
    "estimated_cost": "workorder.edit",
}


def may_set_field(actor: Actor, name: str) -> bool:
    """True when ``actor`` may choose the value of work order field ``name``."""
    permission = FIELD_PERMISSIONS.get(name)
    return permission is None or actor.has_permission(permission)


def _settable(actor: Actor, data: WorkOrderData, current: WorkOrder | None) -> WorkOrderData:
    """``data`` with every field the actor may not set put back to its current value (or the default)."""
    kept = {
        name: getattr(current, name) if current is not None else None
        for name in FIELD_PERMISSIONS
        if name in FIELDS and not may_set_field(actor, name)
    }
    return replace(data, **kept)


def product_id_for_sku(sku: str | None) -> int | None:
    """The id of the product a typed SKU names (None when blank); refused on ``product_sku`` when none has it."""
    if not (sku or "").strip():
        return None
    product = product_by_sku(sku or "")
    if product is None:
        raise ValidationFailed(_("No product has this SKU."), field="product_sku")
    return product.id


def get_visible(user: Actor, work_order_id: int) -> WorkOrder:
    """The work order if ``user`` may see it; NotFound otherwise (no hint that it exists)."""
    work_order = db.session.scalar(visible_work_orders(user).where(WorkOrder.id == work_order_id))
    if work_order is None:
        raise NotFound(_("There is no such work order, or you may not see it."))
    return work_order


# The fields that name another record: the table it must be in, and what a refusal says on the field.
REFERENCES: tuple[tuple[str, Any, Any], ...] = (
    ("type_id", WorkOrderType, _l("Choose a type from the list.")),
    ("priority_id", Priority, _l("Choose a priority from the list.")),
    ("requester_id", User, _l("Choose a requester from the list.")),
    ("team_id", Team, _l("Choose a team from the list.")),
    ("supervisor_id", User, _l("Choose a supervisor from the list.")),
    ("company_id", Company, _l("Choose a company from the list.")),
    ("product_id", Product, _l("Choose a product from the list.")),
    ("asset_id", Asset, _l("Choose an asset from the list.")),
    ("location_id", Location, _l("Choose a location from the list.")),
)


def _check_references(data: WorkOrderData) -> None:
    """Refuse an id that names no record, on the field the form shows it in; one query asks for all of them."""
    named = [(name, model, message) for name, model, message in REFERENCES if getattr(data, name) is not None]
    if not named:
        return
    query = select(*(exists().where(model.id == getattr(data, name)) for name, model, _message in named))
    found = db.session.execute(query).one()
    for (name, _model, message), present in zip(named, found, strict=True):
        if not present:
            raise ValidationFailed(str(message), field=name)


def _custom_values(values: dict[str, Any]) -> dict[str, Any]:
    """The active custom fields' values, checked by kind and cleaned; a required one left empty is refused."""
    fields = db.session.scalars(select(CustomField).where(CustomField.active.is_(True))).all()
    cleaned: dict[str, Any] = {}
    for custom in fields:
        raw = values.get(custom.key)
        # Control characters are stripped as from every other field (PostgreSQL refuses NUL in text).
        text = "" if raw is None else strip_control_characters(str(raw)).strip()
        if not text:
            if custom.required:
                raise ValidationFailed(_("Fill in %(field)s.", field=custom.label), field=f"custom_{custom.key}")
            continue
        if custom.kind == "number":
            cleaned[custom.key] = str(
                decimal_value(
                    text, field=f"custom_{custom.key}", label=custom.label, places=4, minimum=Decimal("-9999999999")
                )
            )
        elif custom.kind == "date":
            try:
                cleaned[custom.key] = date.fromisoformat(text).isoformat()
            except ValueError as exc:
                raise ValidationFailed(
                    _("%(field)s must be a date (YYYY-MM-DD).", field=custom.label), field=f"custom_{custom.key}"
                ) from exc
        elif custom.kind == "choice":
            if text not in custom.choices:
                raise ValidationFailed(
                    _("Choose %(field)s from the list.", field=custom.label), field=f"custom_{custom.key}"
                )
            cleaned[custom.key] = text
        else:
            cleaned[custom.key] = optional_text(text, field=f"custom_{custom.key}", label=custom.label, max_length=2000)
    return cleaned


def _clean(data: WorkOrderData) -> WorkOrderData:
    """Check and normalise the editable fields (ids exist, dates in order, text and numbers within bounds)."""
    _check_references(data)
    if data.due_at and data.planned_start and data.due_at < data.planned_start:
        raise ValidationFailed(_("The due date cannot be before the planned start."), field="due_at")
    hours = data.estimated_hours
    cost = data.estimated_cost
    return WorkOrderData(
        title=required_text(data.title, field="title", label=_("A title"), max_length=200),
        type_id=data.type_id,
        priority_id=data.priority_id,
        description=optional_text(data.description, field="description", label=_("Description"), max_length=16_000),
        requester_id=data.requester_id,
        team_id=data.team_id,
        supervisor_id=data.supervisor_id,
        company_id=data.company_id,
        product_id=data.product_id,
        asset_id=data.asset_id,
        location_id=data.location_id,
        due_at=data.due_at,
        planned_start=data.planned_start,
        estimated_hours=None
        if hours in (None, "")
        else decimal_value(hours, field="estimated_hours", label=_("Estimated hours"), places=2),
        estimated_cost=None
        if cost in (None, "")
        else decimal_value(cost, field="estimated_cost", label=_("Estimated cost"), places=2),
        custom_values=_custom_values(data.custom_values),
    )


FIELDS = tuple(name for name in WorkOrderData.__dataclass_fields__)


def _apply(work_order: WorkOrder, data: WorkOrderData) -> None:
    """Copy the editable fields onto the work order."""
    for name in FIELDS:
        setattr(work_order, name, getattr(data, name))


def create_work_order(
    actor: Actor, data: WorkOrderData, *, assignee_ids: tuple[int, ...] = (), submission_key: str | None = None
) -> WorkOrder:
    """Open a new work order in the initial status, numbered WO-YYYY-NNNNNN.

    Needs ``workorder.create``. Fields the actor may not set (``FIELD_PERMISSIONS``: requester, team,
    supervisor, assignees, estimated cost) are not taken from ``data``/``assignee_ids``: the work order
    is filed with the actor as requester, no team or supervisor, nobody assigned and no estimated cost.
    A repeated ``submission_key`` (the same form posted twice) returns the work order the first post
    created instead of making another.
    """
    require(actor, "workorder.create", _("You may not create work orders."))
    data = _settable(actor, data, None)
    if not may_set_field(actor, "assignee_ids"):
        assignee_ids = ()
    if submission_key:
        existing = db.session.scalar(select(WorkOrder).where(WorkOrder.submission_key == submission_key))
        if existing is not None:
            return existing
    data = _clean(data)
    if data.requester_id is None:
        data = replace(data, requester_id=person_id(actor))
    work_order = WorkOrder(
        number=next_number(),
        status=engine.initial_status(),
        created_by_id=person_id(actor),
        updated_by_id=person_id(actor),
        submission_key=submission_key or None,
        assignees=[],  # known to be empty: nothing reads it back from the database
    )
    _apply(work_order, data)
    db.session.add(work_order)
    db.session.flush()
    history.start(work_order, work_order.created_at)
    events.record(
        work_order,
        actor,
        "created",
        number=work_order.number,
        title=work_order.title,
        status_id=work_order.status.id,
        category=work_order.status.category,
    )
    if assignee_ids:
        assign(actor, work_order, assignee_ids, team_id=work_order.team_id)
    return work_order


def _describe(record: Any) -> dict[str, str]:
    """The fields people see, as text, for the edit diff and the 409 page, by key (``DESCRIBED_LABELS`` names them).

    The keys stay the same in every language: a form opened in one language can be saved in another.
    """

    def name(obj: Any, attr: str = "name") -> str:
        return str(getattr(obj, attr)) if obj is not None else ""

    return {
        "title": record.title,
        "description": record.description,
        "type": name(record.type),
        "priority": name(record.priority),
        "requester": name(record.requester),
        "team": name(record.team),
        "supervisor": name(record.supervisor),
        "company": name(record.company),
        "product": name(record.product, "sku"),
        "asset": name(record.asset, "serial_number"),
        "location": name(record.location, "path"),
        "due": record.due_at.astimezone(UTC).isoformat(timespec="minutes") if record.due_at else "",
        "planned_start": (
            record.planned_start.astimezone(UTC).isoformat(timespec="minutes") if record.planned_start else ""
        ),
        "estimated_hours": f"{Decimal(record.estimated_hours):.2f}" if record.estimated_hours is not None else "",
        "estimated_cost": f"{Decimal(record.estimated_cost):.2f}" if record.estimated_cost is not None else "",
        "custom_fields": ", ".join(f"{k}={v}" for k, v in sorted((record.custom_values or {}).items())),
    }


# Which editable fields each line of ``_describe`` shows (a line the editor left as opened keeps the saved value).
DESCRIBED_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "description": ("description",),
    "type": ("type_id",),
    "priority": ("priority_id",),
    "requester": ("requester_id",),
    "team": ("team_id",),
    "supervisor": ("supervisor_id",),
    "company": ("company_id",),
    "product": ("product_id",),
    "asset": ("asset_id",),
    "location": ("location_id",),
    "due": ("due_at",),
    "planned_start": ("planned_start",),
    "estimated_hours": ("estimated_hours",),
    "estimated_cost": ("estimated_cost",),
    "custom_fields": ("custom_values",),
}

# What the 409 page calls each line of ``_describe``.
DESCRIBED_LABELS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "type": _l("Type"),
    "priority": _l("Priority"),
    "requester": _l("Requester"),
    "team": _l("Team"),
    "supervisor": _l("Supervisor"),
    "company": _l("Company"),
    "product": _l("Product"),
    "asset": _l("Asset"),
    "location": _l("Location"),
    "due": _l("Due"),
    "planned_start": _l("Planned start"),
    "estimated_hours": _l("Estimated hours"),
    "estimated_cost": _l("Estimated cost"),
    "custom_fields": _l("Custom fields"),
}


def _merge(
    opened: Opened | None, before: dict[str, str], after: dict[str, str], *, expected: int | None, current: int
) -> Merge:
    """``merge_edit`` of a work order, its conflict naming each field in the reader's language."""
    try:
        return merge_edit(opened, before, after, _("work order"), expected=expected, current=current)
    except EditConflict as conflict:
        differences = [
            (str(DESCRIBED_LABELS.get(key, key)), _shown(key, old), _shown(key, new))
            for key, old, new in conflict.differences
        ]
        raise EditConflict(conflict.message, differences=differences) from None


def _shown(key: str, value: str) -> str:
    """A line of ``_describe`` as the reader's locale writes it (times in their zone, numbers with their signs)."""
    if not value:
        return value
    try:
        if key in ("due", "planned_start"):
            return localtime(datetime.fromisoformat(value))
        if key in ("estimated_hours", "estimated_cost"):
            return number(Decimal(value), 2)
    except (ValueError, ArithmeticError):
        return value
    return value


def edit_snapshot(work_order: WorkOrder) -> dict[str, str]:
    """The work order's fields as text, as an edit form opens with them (``cube.editing.seal``)."""
    return _describe(work_order)


def update_work_order(
    actor: Actor,
    work_order: WorkOrder,
    data: WorkOrderData,
    *,
    expected_version: int | None,
    opened: Opened | None = None,
) -> None:
    """Save edits merged with changes made since the form ``opened`` (EditConflict when both changed a field).

    Without ``opened`` a save based on an old ``expected_version`` that differs from the saved record is a
    conflict. Needs ``workorder.edit``; fields the actor may not set (``FIELD_PERMISSIONS``) keep their values.
    """
    require(actor, "workorder.edit", _("You may not edit work orders."))
    if work_order.archived:
        raise NotAllowed(_("Archived work orders cannot be edited."))
    data = _clean(_settable(actor, data, work_order))
    # Values of fields an admin has since deactivated are not on the form: keep them.
    active = set(db.session.scalars(select(CustomField.key).where(CustomField.active.is_(True))))
    kept = {key: value for key, value in (work_order.custom_values or {}).items() if key not in active}
    data = replace(data, custom_values={**kept, **data.custom_values})
    before = _describe(work_order)
    preview = SimpleNamespace(
        **{n: getattr(data, n) for n in FIELDS},
        type=db.session.get(WorkOrderType, data.type_id),
        priority=db.session.get(Priority, data.priority_id),
        requester=db.session.get(User, data.requester_id) if data.requester_id else None,
        team=db.session.get(Team, data.team_id) if data.team_id else None,
        supervisor=db.session.get(User, data.supervisor_id) if data.supervisor_id else None,
        company=db.session.get(Company, data.company_id) if data.company_id else None,
        product=db.session.get(Product, data.product_id) if data.product_id else None,
        asset=db.session.get(Asset, data.asset_id) if data.asset_id else None,
        location=db.session.get(Location, data.location_id) if data.location_id else None,
    )
    after = _describe(preview)
    merge = _merge(opened, before, after, expected=expected_version, current=work_order.version)
    data = replace(
        data, **{name: getattr(work_order, name) for label in merge.kept for name in DESCRIBED_FIELDS[label]}
    )
    old_values = _values(work_order)
    _apply(work_order, data)
    changes, custom = _changed(old_values, _values(work_order))
    if changes or custom:  # a save that changes nothing leaves the record (and its version) alone
        work_order.updated_by_id = person_id(actor)
    db.session.flush()
    if changes or custom:
        events.record(work_order, actor, "edited", changes=changes, custom=custom)


def _value(value: Any) -> Any:
    """A field value as the event stores it: ids and text as they are, times in UTC ISO, decimals as strings."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def _values(work_order: WorkOrder) -> dict[str, Any]:
    """The work order's editable fields as the event stores them."""
    return {name: _value(getattr(work_order, name)) for name in FIELDS}


def _changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """Changed fields by key (``[old, new]``) and changed custom values by custom field key."""
    changes = {
        name: [before[name], after[name]] for name in FIELDS if name != "custom_values" and before[name] != after[name]
    }
    old_custom, new_custom = before["custom_values"] or {}, after["custom_values"] or {}
    custom = {
        key: [old_custom.get(key), new_custom.get(key)]
        for key in sorted(set(old_custom) | set(new_custom))
        if old_custom.get(key) != new_custom.get(key)
    }
    return changes, custom


def assign(actor: Actor, work_order: WorkOrder, user_ids: tuple[int, ...], *, team_id: int | None) -> list[Status]:
    """Set the assignees and team (``workorder.assign``); only active people who may do work can be assigned.

    When someone is assigned, the work order moves as the workflow says (``engine.follow_assignment``:
    the transitions marked "on assignment" that the actor may take). Returns the statuses it moved to.
    """
    require(actor, "workorder.assign", _("You may not assign work orders."))
    ensure_changeable(work_order)
    users = assignees.assignable_people(user_ids)
    if team_id is not None and db.session.get(Team, team_id) is None:
        raise ValidationFailed(_("Choose a team from the list."), field="team_id")
    old = sorted(u.id for u in work_order.assignees)
    old_team = work_order.team_id
    work_order.assignees = users
    work_order.team_id = team_id
    work_order.updated_by_id = person_id(actor)
    db.session.flush()
    db.session.expire(work_order, ["team"])
    new = sorted(u.id for u in users)
    if old != new or old_team != team_id:
        events.record(
            work_order, actor, "assigned", from_user_ids=old, to_user_ids=new, from_team_id=old_team, to_team_id=team_id
        )
    # The work moves when people are assigned, not when only the team changes around the same people.
    return engine.follow_assignment(actor, work_order) if users and old != new else []


def mentioned_users(body: str) -> list[User]:
    """Active users named in ``@e-mail`` or ``@local-part`` mentions (one query)."""
    handles = {match.lower() for match in MENTION.findall(body)}
    if not handles:
        return []
    by_email = User.email.in_(handles)
    by_local_part = [User.email.startswith(f"{handle}@", autoescape=True) for handle in handles if "@" not in handle]
    query = select(User).where(User.active.is_(True), or_(by_email, *by_local_part)).order_by(User.id)
    return list(db.session.scalars(query))


def add_comment(actor: Actor, work_order: WorkOrder, body: str) -> Comment:
    """Post a comment; @mentions are resolved and recorded.

    Who may comment: whoever may see the work order (``visible_work_orders``), while it is not archived.
    """
    ensure_changeable(work_order)
    ensure_visible(actor, work_order, _("You may only comment on work orders you can see."))
    body = required_text(body, field="body", label=_("A comment"), max_length=MAX_COMMENT)
    mentions = mentioned_users(body)
    comment = Comment(
        work_order_id=work_order.id, author_id=person_id(actor), body=body, mentions=[u.id for u in mentions]
    )
    db.session.add(comment)
    db.session.flush()
    events.record(work_order, actor, "commented", comment_id=comment.id, mentioned_user_ids=[u.id for u in mentions])
    return comment


def archive(actor: Actor, work_order: WorkOrder) -> None:
    """Take a work order out of every list (it is kept, never deleted); needs ``workorder.edit``."""
    require(actor, "workorder.edit", _("You may not archive work orders."))
    ensure_changeable(work_order)
    work_order.archived = True
    db.session.flush()
    events.record(work_order, actor, "archived")
