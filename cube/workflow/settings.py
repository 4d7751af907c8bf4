"""Admin configuration of the workflow: statuses, transitions, priorities, types and custom fields.

Every save validates the rules below, records an audit event and flushes; the
caller commits. Names are compared case-insensitively by the database, so the
rule matches the unique index on every backend (MySQL collations ignore case).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from cube import audit
from cube.actors import Actor, require
from cube.editing import changes_between, check_version
from cube.errors import Conflict, ValidationFailed
from cube.extensions import db
from cube.i18n import number
from cube.models import (
    CustomField,
    Guard,
    Priority,
    Status,
    StatusCategory,
    Transition,
    WorkOrder,
    WorkOrderType,
)
from cube.parsing import WHOLE_NUMBER, bounded_int
from cube.permissions import PERMISSIONS
from cube.validation import required_text

# Bootstrap contextual colours: the only values a badge class is built from.
COLORS = ("primary", "secondary", "success", "danger", "warning", "info", "light", "dark")
CATEGORIES = tuple(category.value for category in StatusCategory)
GUARDS = tuple(guard.value for guard in Guard)
KINDS = ("text", "number", "date", "choice")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_POSITION = 100_000
MAX_CHOICE_LENGTH = 80
MAX_CHOICES = 100
MANAGE = "workflow.manage"  # the permission every change here needs
R = TypeVar("R")


def transition_permissions() -> list[str]:
    """The permissions a transition may require: every ``workorder.*`` permission."""
    return [name for name in PERMISSIONS if name.startswith("workorder.")]


# Reading -----------------------------------------------------------------------------------------


def statuses() -> list[Status]:
    """Every status in workflow order."""
    return list(db.session.scalars(select(Status).order_by(Status.position, Status.name)))


def status_usage() -> dict[int, int]:
    """How many work orders (archived ones too) are in each status."""
    query = select(WorkOrder.status_id, func.count()).group_by(WorkOrder.status_id)
    return {status_id: count for status_id, count in db.session.execute(query).all()}


def transitions() -> list[Transition]:
    """Every transition, grouped by the status it leaves, in button order."""
    source = Status.__table__.alias("source")
    query = (
        select(Transition)
        .join(source, source.c.id == Transition.from_status_id)
        .options(joinedload(Transition.from_status))
        .order_by(source.c.position, source.c.name, Transition.position, Transition.id)
    )
    return list(db.session.scalars(query).unique())


def priorities() -> list[Priority]:
    """Every priority in order (lower first)."""
    return list(db.session.scalars(select(Priority).order_by(Priority.position, Priority.name)))


def work_order_types() -> list[WorkOrderType]:
    """Every work order type by name."""
    return list(db.session.scalars(select(WorkOrderType).order_by(WorkOrderType.name)))


def custom_fields(*, active_only: bool = False) -> list[CustomField]:
    """Custom fields in form order."""
    query = select(CustomField).order_by(CustomField.position, CustomField.label)
    if active_only:
        query = query.where(CustomField.active.is_(True))
    return list(db.session.scalars(query))


def active_custom_fields() -> list[CustomField]:
    """The custom fields a work order form shows."""
    return custom_fields(active_only=True)


# Shared checks -----------------------------------------------------------------------------------


def _name(value: str, *, max_length: int = 64) -> str:
    """A trimmed, non-empty name."""
    return required_text(value, field="name", label=_("A name"), max_length=max_length)


def _unique_name(column: InstrumentedAttribute[str], value: str, current: Any, message: str) -> None:
    """Refuse ``value`` when another row (not ``current``) has it, ignoring case."""
    model = column.class_
    condition: ColumnElement[bool] = func.lower(column) == func.lower(value)
    query = select(model.id).where(condition)
    if current is not None:
        query = query.where(model.id != current.id)
    if db.session.scalar(query.limit(1)) is not None:
        raise ValidationFailed(message, field="name")


def _color(value: str) -> str:
    """One of the allowed Bootstrap colour names."""
    color = (value or "").strip()
    if color not in COLORS:
        raise ValidationFailed(_("Choose a colour from the list."), field="color")
    return color


def _position(value: int | str | None) -> int:
    """A sort order between 0 and MAX_POSITION (blank is 0)."""
    if value is None or value == "":
        return 0
    if isinstance(value, str) and not WHOLE_NUMBER.fullmatch(value.strip()):
        raise ValidationFailed(_("The order must be a whole number."), field="position")
    position = bounded_int(value, 0, MAX_POSITION)
    if position is None:
        raise ValidationFailed(
            _("The order must be between %(low)s and %(high)s.", low=number(0), high=number(MAX_POSITION)),
            field="position",
        )
    return position


# The settings' names on the 409 page (lazy: str() them before use as a key).
FIELD_LABELS = {
    "name": _l("Name"),
    "category": _l("Category"),
    "color": _l("Colour"),
    "position": _l("Order"),
    "is_initial": _l("Initial status"),
    "is_default": _l("Default priority"),
    "active": _l("Active"),
    "from_status_id": _l("From"),
    "to_status_id": _l("To"),
    "permission": _l("Permission needed"),
    "guards": _l("Guards"),
    "key": _l("Key"),
    "label": _l("Label"),
    "kind": _l("Kind"),
    "choices": _l("Choices"),
    "required": _l("Required"),
    "on_assign": _l("Taken on assignment"),
}


def _shown(name: str, value: Any) -> str:
    """A setting's value as the 409 page shows it."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name in ("from_status_id", "to_status_id"):
        status = db.session.get(Status, value) if value else None
        return status.name if status is not None else ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def _check_fresh(record: Any, expected_version: int | None, submitted: dict[str, Any], what: str) -> None:
    """EditConflict when someone saved ``record`` since ``expected_version`` and this save would undo it."""
    if record is None:
        return
    saved = {str(FIELD_LABELS[name]): _shown(name, getattr(record, name)) for name in submitted}
    wanted = {str(FIELD_LABELS[name]): _shown(name, value) for name, value in submitted.items()}
    check_version(expected_version, record.version, saved, wanted, what)


def _flush() -> None:
    """Flush; a unique index tripped by a concurrent save becomes a Conflict."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise Conflict(_("Someone else saved a clashing entry at the same time; reload and try again.")) from exc


def _store(record: R | None, model: type[R], **values: Any) -> R:
    """Add a new row (``record`` None) or change ``record``, then flush."""
    if record is None:
        record = model()
        db.session.add(record)
    for name, value in values.items():
        setattr(record, name, value)
    _flush()
    return record


def _snapshot(record: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The audited values of ``record``."""
    return {name: getattr(record, name) for name in fields}


def _record(
    kind: str, actor: Actor, record: Any, fields: Iterable[str], before: dict[str, Any] | None, **extra: Any
) -> None:
    """Audit a create (with the values) or an update (with what changed)."""
    after = _snapshot(record, fields)
    if before is None:
        audit.record(f"workflow.{kind}.created", actor=actor, target=record, values=after, **extra)
    else:
        changes = changes_between(before, after)
        if changes:  # a save that changed nothing is not an event
            audit.record(f"workflow.{kind}.updated", actor=actor, target=record, changes=changes, **extra)


# Exactly one flagged row -----------------------------------------------------------------------


@dataclass(frozen=True)
class OneFlagged:
    """The rule "exactly one active row carries this flag": the initial status, the default priority."""

    flag: InstrumentedAttribute[bool]
    field: str  # the form field the flag is edited in
    deactivate_flagged: Any  # refusals, in the words of the page (lazy strings)
    inactive_flagged: Any
    unflag_last: Any
    none_yet: Any

    def check(self, record: Any, flagged: bool, active: bool) -> None:
        """Refuse a save that would leave no active flagged row, or flag an inactive one."""
        was_flagged = record is not None and getattr(record, self.flag.key)
        if flagged and not active:
            refusal = self.deactivate_flagged if was_flagged else self.inactive_flagged
            raise ValidationFailed(str(refusal), field="active")
        if flagged:
            return
        model = self.flag.class_
        others = select(model.id).where(self.flag.is_(True), model.active.is_(True))
        if record is not None:
            others = others.where(model.id != record.id)
        if db.session.scalar(others.limit(1)) is None:
            raise ValidationFailed(str(self.unflag_last if was_flagged else self.none_yet), field=self.field)

    def take_from_others(self, record: Any) -> list[str]:
        """Clear the flag on every other row (``record`` is about to carry it); their names, for the audit."""
        model = self.flag.class_
        unset: list[str] = []
        for other in db.session.scalars(select(model).where(self.flag.is_(True))):
            if other is not record:
                setattr(other, self.flag.key, False)
                unset.append(other.name)
        return unset


INITIAL_STATUS = OneFlagged(
    Status.is_initial,
    "is_initial",
    deactivate_flagged=_l("The initial status cannot be deactivated; make another status initial first."),
    inactive_flagged=_l("An inactive status cannot be the initial one."),
    unflag_last=_l("New work orders must start somewhere: make another status initial instead."),
    none_yet=_l("There is no initial status yet: make this one initial."),
)
DEFAULT_PRIORITY = OneFlagged(
    Priority.is_default,
    "is_default",
    deactivate_flagged=_l("The default priority cannot be deactivated; make another priority the default first."),
    inactive_flagged=_l("An inactive priority cannot be the default."),
    unflag_last=_l("New work orders need a default priority: make another one the default instead."),
    none_yet=_l("There is no default priority yet: make this one the default."),
)


# Statuses ----------------------------------------------------------------------------------------

STATUS_FIELDS = ("name", "category", "color", "position", "is_initial", "active")


def save_status(
    actor: Actor,
    status: Status | None,
    name: str,
    category: str,
    color: str,
    position: int | str | None = 0,
    is_initial: bool = False,
    active: bool = True,
    *,
    expected_version: int | None = None,
) -> Status:
    """Add a status (``status`` None) or change one; exactly one active status stays initial.

    A save based on an older ``expected_version`` that would overwrite someone's change is an EditConflict.
    """
    require(actor, MANAGE, _("You may not change the workflow settings."))
    name = _name(name)
    _unique_name(Status.name, name, status, _("Another status has this name."))
    if category not in CATEGORIES:
        raise ValidationFailed(_("Choose a category from the list."), field="category")
    color = _color(color)
    position = _position(position)
    submitted = dict(name=name, category=category, color=color, position=position, is_initial=is_initial, active=active)
    _check_fresh(status, expected_version, submitted, _("status"))
    INITIAL_STATUS.check(status, is_initial, active)
    if status is not None and status.active and not active:
        _check_can_deactivate(status)

    before = _snapshot(status, STATUS_FIELDS) if status is not None else None
    unset = INITIAL_STATUS.take_from_others(status) if is_initial else []
    status = _store(
        status,
        Status,
        name=name,
        category=category,
        color=color,
        position=position,
        is_initial=is_initial,
        active=active,
    )
    extra: dict[str, Any] = {"initial_unset": unset} if unset else {}
    _record("status", actor, status, STATUS_FIELDS, before, name=status.name, **extra)
    return status


def _check_can_deactivate(status: Status) -> None:
    """Refuse to retire a status that work orders are in or that a transition still leads into."""
    in_use = db.session.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.status_id == status.id))
    if in_use:
        raise ValidationFailed(
            ngettext(
                "%(count)s work order is in %(status)s; move it to another status first.",
                "%(count)s work orders are in %(status)s; move them to another status first.",
                in_use,
                count=number(in_use),
                status=status.name,
            ),
            field="active",
        )
    incoming = db.session.scalar(
        select(func.count()).select_from(Transition).where(Transition.to_status_id == status.id)
    )
    if incoming:
        raise ValidationFailed(
            ngettext(
                "%(count)s transition leads into %(status)s; delete it first so no work order can reach it.",
                "%(count)s transitions lead into %(status)s; delete them first so no work order can reach it.",
                incoming,
                count=number(incoming),
                status=status.name,
            ),
            field="active",
        )


# Transitions -------------------------------------------------------------------------------------

TRANSITION_FIELDS = ("from_status_id", "to_status_id", "name", "permission", "guards", "position", "on_assign")


def _status_choice(status_id: int | None, field: str, missing: str) -> Status:
    """The active status ``status_id`` names, for one end of a transition (``missing``: the refusal without one)."""
    status = db.session.get(Status, status_id) if status_id else None
    if status is None:
        raise ValidationFailed(missing, field=field)
    if not status.active:
        raise ValidationFailed(
            _("%(status)s is deactivated; choose an active status.", status=status.name), field=field
        )
    return status


def save_transition(
    actor: Actor,
    transition: Transition | None,
    from_id: int | None,
    to_id: int | None,
    name: str,
    permission: str,
    guards: Iterable[str] = (),
    position: int | str | None = 0,
    *,
    on_assign: bool = False,
    expected_version: int | None = None,
) -> Transition:
    """Add a transition (``transition`` None) or change one; one transition per pair of statuses.

    ``on_assign``: assigning someone takes it (``engine.follow_assignment``); at most one transition per
    from status is taken on assignment, and never one that needs a reason (nobody gives one).

    A save based on an older ``expected_version`` that would overwrite someone's change is an EditConflict.
    """
    require(actor, MANAGE, _("You may not change the workflow settings."))
    source = _status_choice(from_id, "from_status_id", _("Choose the status it leaves from the list."))
    target = _status_choice(to_id, "to_status_id", _("Choose the status it leads to from the list."))
    if source.id == target.id:
        raise ValidationFailed(_("A transition must lead to a different status."), field="to_status_id")
    clash = select(Transition.id).where(Transition.from_status_id == source.id, Transition.to_status_id == target.id)
    if transition is not None:
        clash = clash.where(Transition.id != transition.id)
    if db.session.scalar(clash) is not None:
        raise ValidationFailed(
            _(
                "There is already a transition from %(source)s to %(target)s.",
                source=source.name,
                target=target.name,
            ),
            field="to_status_id",
        )
    name = _name(name)
    if permission not in transition_permissions():
        raise ValidationFailed(_("Choose a work order permission from the list."), field="permission")
    wanted = {str(guard) for guard in guards}
    unknown = wanted - set(GUARDS)
    if unknown:
        raise ValidationFailed(
            ngettext(
                "Unknown guard: %(guards)s.",
                "Unknown guards: %(guards)s.",
                len(unknown),
                guards=", ".join(sorted(unknown)),
            ),
            field="guards",
        )
    position = _position(position)
    if on_assign:
        _check_on_assign(transition, source, wanted)
    submitted = {
        "from_status_id": source.id,
        "to_status_id": target.id,
        "name": name,
        "permission": permission,
        "guards": [guard for guard in GUARDS if guard in wanted],
        "position": position,
        "on_assign": bool(on_assign),
    }
    _check_fresh(transition, expected_version, submitted, _("transition"))

    before = _snapshot(transition, TRANSITION_FIELDS) if transition is not None else None
    if before is not None:
        before["guards"] = list(before["guards"] or [])
    if transition is None:
        transition = Transition()
        db.session.add(transition)
    transition.from_status_id = source.id
    transition.to_status_id = target.id
    transition.from_status = source
    transition.to_status = target
    transition.name = name
    transition.permission = permission
    transition.guards = [guard for guard in GUARDS if guard in wanted]
    transition.position = position
    transition.on_assign = bool(on_assign)
    _flush()
    _record("transition", actor, transition, TRANSITION_FIELDS, before, **_describe_transition(transition))
    return transition


def _describe_transition(transition: Transition) -> dict[str, Any]:
    """A transition by status names, for the audit trail."""
    return {
        "from": transition.from_status.name,
        "to": transition.to_status.name,
        "name": transition.name,
        "permission": transition.permission,
        "guards": list(transition.guards or []),
        "on_assign": bool(transition.on_assign),
    }


def _check_on_assign(transition: Transition | None, source: Status, guards: set[str]) -> None:
    """Refuse a transition taken on assignment that could never be taken, or a second one from ``source``."""
    if Guard.REASON in guards:
        raise ValidationFailed(
            _("A transition that needs a reason cannot be taken on assignment: nobody gives one there."),
            field="on_assign",
        )
    other = select(Transition).where(Transition.from_status_id == source.id, Transition.on_assign.is_(True))
    if transition is not None and transition.id is not None:
        other = other.where(Transition.id != transition.id)
    taken = db.session.scalar(other.limit(1))
    if taken is not None:
        raise ValidationFailed(
            _(
                "Assigning already takes “%(name)s” from %(status)s; only one transition per status can be taken on"
                " assignment.",
                name=taken.name,
                status=source.name,
            ),
            field="on_assign",
        )


def delete_transition(actor: Actor, transition: Transition) -> None:
    """Remove a transition (work order history keeps its name as text)."""
    require(actor, MANAGE, _("You may not change the workflow settings."))
    audit.record("workflow.transition.deleted", actor=actor, target=transition, **_describe_transition(transition))
    db.session.delete(transition)
    db.session.flush()


# Priorities --------------------------------------------------------------------------------------

PRIORITY_FIELDS = ("name", "color", "position", "is_default", "active")


def save_priority(
    actor: Actor,
    priority: Priority | None,
    name: str,
    color: str,
    position: int | str | None = 0,
    is_default: bool = False,
    active: bool = True,
    *,
    expected_version: int | None = None,
) -> Priority:
    """Add a priority (``priority`` None) or change one; exactly one active priority is the default.

    A save based on an older ``expected_version`` that would overwrite someone's change is an EditConflict.
    """
    require(actor, MANAGE, _("You may not change the workflow settings."))
    name = _name(name)
    _unique_name(Priority.name, name, priority, _("Another priority has this name."))
    color = _color(color)
    position = _position(position)
    submitted = dict(name=name, color=color, position=position, is_default=is_default, active=active)
    _check_fresh(priority, expected_version, submitted, _("priority"))
    DEFAULT_PRIORITY.check(priority, is_default, active)

    before = _snapshot(priority, PRIORITY_FIELDS) if priority is not None else None
    unset = DEFAULT_PRIORITY.take_from_others(priority) if is_default else []
    priority = _store(
        priority, Priority, name=name, color=color, position=position, is_default=is_default, active=active
    )
    extra: dict[str, Any] = {"default_unset": unset} if unset else {}
    _record("priority", actor, priority, PRIORITY_FIELDS, before, name=priority.name, **extra)
    return priority


# Types -------------------------------------------------------------------------------------------

TYPE_FIELDS = ("name", "active")


def save_type(
    actor: Actor,
    work_order_type: WorkOrderType | None,
    name: str,
    active: bool = True,
    *,
    expected_version: int | None = None,
) -> WorkOrderType:
    """Add a work order type or change one; the last active type cannot be deactivated.

    A save based on an older ``expected_version`` that would overwrite someone's change is an EditConflict.
    """
    require(actor, MANAGE, _("You may not change the workflow settings."))
    name = _name(name)
    _check_fresh(work_order_type, expected_version, {"name": name, "active": active}, _("type"))
    _unique_name(WorkOrderType.name, name, work_order_type, _("Another type has this name."))
    if not active and (work_order_type is None or work_order_type.active):
        others = select(WorkOrderType.id).where(WorkOrderType.active.is_(True))
        if work_order_type is not None:
            others = others.where(WorkOrderType.id != work_order_type.id)
        if db.session.scalar(others.limit(1)) is None:
            raise ValidationFailed(
                _("Keep at least one active type, or nobody can create work orders."), field="active"
            )
    before = _snapshot(work_order_type, TYPE_FIELDS) if work_order_type is not None else None
    work_order_type = _store(work_order_type, WorkOrderType, name=name, active=active)
    _record("type", actor, work_order_type, TYPE_FIELDS, before, name=name)
    return work_order_type


# Custom fields -----------------------------------------------------------------------------------

CUSTOM_FIELD_FIELDS = ("key", "label", "kind", "choices", "required", "position", "active")


def _choices(kind: str, choices: Iterable[str]) -> list[str]:
    """The trimmed, distinct, non-empty choices of a choice field (none for other kinds)."""
    if kind != "choice":
        return []
    cleaned: list[str] = []
    for raw in choices:
        choice = str(raw).strip()
        if not choice:
            continue
        if len(choice) > MAX_CHOICE_LENGTH:
            raise ValidationFailed(
                _("Keep each choice under %(count)s characters.", count=number(MAX_CHOICE_LENGTH + 1)),
                field="choices",
            )
        if choice in cleaned:
            raise ValidationFailed(_("The choice %(choice)s is listed twice.", choice=repr(choice)), field="choices")
        cleaned.append(choice)
    if not cleaned:
        raise ValidationFailed(_("List the choices, one per line."), field="choices")
    if len(cleaned) > MAX_CHOICES:
        raise ValidationFailed(
            ngettext(
                "Offer at most %(count)s choice.",
                "Offer at most %(count)s choices.",
                MAX_CHOICES,
                count=number(MAX_CHOICES),
            ),
            field="choices",
        )
    return cleaned


def save_custom_field(
    actor: Actor,
    custom_field: CustomField | None,
    key: str,
    label: str,
    kind: str,
    choices: Iterable[str] = (),
    required: bool = False,
    position: int | str | None = 0,
    active: bool = True,
    *,
    expected_version: int | None = None,
) -> CustomField:
    """Add a custom field or change one; its key is a unique slug that never changes once created.

    A save based on an older ``expected_version`` that would overwrite someone's change is an EditConflict.
    """
    require(actor, MANAGE, _("You may not change the workflow settings."))
    key = (key or "").strip().lower()
    if custom_field is not None and key != custom_field.key:
        raise ValidationFailed(_("The key cannot change: work orders store their values under it."), field="key")
    if not KEY.match(key):
        raise ValidationFailed(
            _("Use 1-40 lower-case letters, digits or '_', starting with a letter (e.g. serial_number)."), field="key"
        )
    if custom_field is None and db.session.scalar(select(CustomField.id).where(CustomField.key == key)) is not None:
        raise ValidationFailed(_("Another custom field has this key."), field="key")
    label = required_text(label, field="label", label=_("A label"), max_length=80)
    if kind not in KINDS:
        raise ValidationFailed(_("Choose a kind from the list."), field="kind")
    cleaned_choices = _choices(kind, choices)
    position = _position(position)
    submitted = dict(
        label=label, kind=kind, choices=cleaned_choices, required=bool(required), position=position, active=bool(active)
    )
    _check_fresh(custom_field, expected_version, submitted, _("custom field"))

    before = _snapshot(custom_field, CUSTOM_FIELD_FIELDS) if custom_field is not None else None
    if before is not None:
        before["choices"] = list(before["choices"] or [])
    if custom_field is None:
        custom_field = CustomField(key=key)
        db.session.add(custom_field)
    custom_field.label = label
    custom_field.kind = kind
    custom_field.choices = cleaned_choices
    custom_field.required = bool(required)
    custom_field.position = position
    custom_field.active = bool(active)
    _flush()
    _record("custom_field", actor, custom_field, CUSTOM_FIELD_FIELDS, before, key=key)
    return custom_field
