"""Checklists on work orders: reusable templates, ad hoc items, answers and follow-up work."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from cube import audit
from cube.actors import Actor, person_id
from cube.errors import NotFound, ValidationFailed
from cube.extensions import db
from cube.i18n import number as localized_number
from cube.i18n import parse_decimal
from cube.models import ChecklistItem, ChecklistTemplate, WorkOrder, utcnow
from cube.validation import decimal_value, optional_text, required_text
from cube.workorders import costs, events, services
from cube.workorders.rules import ensure_changeable

KINDS: dict[str, Any] = {"pass_fail": _l("Pass / fail / n.a."), "text": _l("Text"), "number": _l("Number")}
PASS_FAIL: dict[str, Any] = {"pass": _l("Pass"), "fail": _l("Fail"), "na": _l("N/A")}
MAX_LABEL = 200
MAX_TEXT = 2000
MAX_ITEMS = 200
EDITORS = ("workorder.work", "workorder.edit")
MANAGE = "checklist.manage"  # what creating and editing checklist templates needs
# Spellings accepted in a template's "label | kind | required" lines.
KIND_WORDS = {
    "pass_fail": "pass_fail",
    "pass/fail": "pass_fail",
    "passfail": "pass_fail",
    "pass fail": "pass_fail",  # i18n: not shown (a keyword people type)
}
KIND_WORDS.update({kind: kind for kind in KINDS})
REQUIRED_WORDS = {"required": True, "yes": True, "y": True, "true": True, "1": True, "*": True}
OPTIONAL_WORDS = {"": False, "optional": False, "no": False, "n": False, "false": False, "0": False}


# -- reading ------------------------------------------------------------------------------------


def items_for(work_order: WorkOrder) -> list[ChecklistItem]:
    """The work order's checklist in order, with who answered each item."""
    query = (
        select(ChecklistItem)
        .where(ChecklistItem.work_order_id == work_order.id)
        .options(joinedload(ChecklistItem.answered_by))
        .order_by(ChecklistItem.position, ChecklistItem.id)
    )
    return list(db.session.scalars(query))


def get_item(work_order: WorkOrder, item_id: int) -> ChecklistItem:
    """The checklist item ``item_id`` of this work order; NotFound otherwise."""
    item = db.session.get(ChecklistItem, item_id)
    if item is None or item.work_order_id != work_order.id:
        raise NotFound(_("There is no such checklist item on this work order."))
    return item


def active_templates() -> list[ChecklistTemplate]:
    """Templates that can be copied into work orders, by name."""
    query = select(ChecklistTemplate).where(ChecklistTemplate.active.is_(True)).order_by(ChecklistTemplate.name)
    return list(db.session.scalars(query))


def all_templates() -> list[ChecklistTemplate]:
    """Every template, active first, then by name."""
    query = select(ChecklistTemplate).order_by(ChecklistTemplate.active.desc(), ChecklistTemplate.name)
    return list(db.session.scalars(query))


def follow_up_numbers(items: list[ChecklistItem]) -> dict[int, str]:
    """Work order numbers of the items' follow-ups, by work order id (one query)."""
    ids = {item.follow_up_id for item in items if item.follow_up_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(WorkOrder.id, WorkOrder.number).where(WorkOrder.id.in_(ids))).all()
    return {work_order_id: number for work_order_id, number in rows}


def display_answer(item: ChecklistItem) -> str:
    """The answer as people read it (Pass, Fail, N/A, the text or the number)."""
    if item.answer is None:
        return ""
    if item.kind == "pass_fail":
        return str(PASS_FAIL.get(item.answer, item.answer))
    if item.kind == "number":
        return localized_number(Decimal(item.answer))  # stored as "4.2", read as "4,2" in German
    return item.answer


# -- items on a work order ----------------------------------------------------------------------


def _clean_item(label: str, kind: str, required: object) -> dict[str, Any]:
    """A checked label, kind and required flag for a new item."""
    label = required_text(label, field="label", label=_("A label"), max_length=MAX_LABEL)
    if kind not in KINDS:
        raise ValidationFailed(_("Choose pass/fail, text or number."), field="kind")
    return {"label": label, "kind": kind, "required": bool(required)}


def _next_position(work_order: WorkOrder) -> int:
    """The position after the last item of the checklist."""
    query = select(func.coalesce(func.max(ChecklistItem.position), 0)).where(
        ChecklistItem.work_order_id == work_order.id
    )
    return int(db.session.scalar(query) or 0) + 1


def can_edit_checklist(actor: Actor, work_order: WorkOrder) -> bool:
    """True when ``actor`` may add checklist items now (workorder.work or workorder.edit, while it is open)."""
    return costs.holds_any(actor, EDITORS) and costs.is_workable(work_order)


def can_answer_checklist(actor: Actor, work_order: WorkOrder) -> bool:
    """True when ``actor`` may answer checklist items now (workorder.work, while it is open)."""
    return actor.has_permission("workorder.work") and costs.is_workable(work_order)


def can_create_follow_up(actor: Actor, work_order: WorkOrder) -> bool:
    """True when ``actor`` may open follow-ups for failed items (workorder.create and a checklist editor)."""
    return actor.has_permission("workorder.create") and can_edit_checklist(actor, work_order)


def ensure_may_add(actor: Actor) -> None:
    """NotAllowed unless ``actor`` may add checklist items (workorder.work or workorder.edit)."""
    costs.require_any(actor, EDITORS, _("You may not change this work order's checklist."))


def _check_can_edit(actor: Actor, work_order: WorkOrder) -> None:
    """Refuse unless ``can_edit_checklist`` (saying why)."""
    ensure_may_add(actor)
    ensure_changeable(work_order)
    costs.ensure_workable(work_order, "checklist")


def add_item(actor: Actor, work_order: WorkOrder, label: str, kind: str, required: bool) -> ChecklistItem:
    """Add one ad hoc item at the end of the checklist."""
    _check_can_edit(actor, work_order)
    cleaned = _clean_item(label, kind, required)
    costs.lock(work_order)
    item = ChecklistItem(work_order_id=work_order.id, position=_next_position(work_order), **cleaned)
    db.session.add(item)
    db.session.flush()
    events.record(
        work_order,
        actor,
        "checklist_item_added",
        item_id=item.id,
        label=item.label,
        item_kind=item.kind,
        required=item.required,
    )
    return item


def add_from_template(actor: Actor, work_order: WorkOrder, template: ChecklistTemplate) -> list[ChecklistItem]:
    """Copy an active template's items to the end of the checklist."""
    _check_can_edit(actor, work_order)
    if not template.active:
        raise ValidationFailed(_("This checklist template is archived."), field="template_id")
    if not template.items:
        raise ValidationFailed(_("This checklist template has no items."), field="template_id")
    costs.lock(work_order)
    start = _next_position(work_order)
    items = [
        ChecklistItem(
            work_order_id=work_order.id,
            position=start + offset,
            label=str(entry["label"])[:MAX_LABEL],
            kind=entry["kind"] if entry.get("kind") in KINDS else "pass_fail",
            required=bool(entry.get("required")),
        )
        for offset, entry in enumerate(template.items)
    ]
    db.session.add_all(items)
    db.session.flush()
    events.record(work_order, actor, "checklist_added", template_id=template.id, item_ids=[item.id for item in items])
    return items


def _clean_answer(item: ChecklistItem, value: str | None) -> str | None:
    """An answer checked against the item's kind (None clears it)."""
    text = (value or "").strip()
    if not text:
        return None
    if item.kind == "pass_fail":
        answer = text.lower()
        if answer not in PASS_FAIL:
            raise ValidationFailed(_("Answer pass, fail or n/a."), field="value")
        return answer
    if item.kind == "number":
        try:
            typed = parse_decimal(text)  # the way the reader writes numbers ("4,5" in German)
        except ValueError as error:
            raise ValidationFailed(str(error), field="value") from error
        amount = decimal_value(typed, field="value", label=_("The answer"), places=4, minimum=Decimal("-9999999999"))
        return format(amount.normalize(), "f")
    return optional_text(text, field="value", label=_("The answer"), max_length=MAX_TEXT)


def answer(actor: Actor, work_order: WorkOrder, item: ChecklistItem, value: str | None) -> ChecklistItem:
    """Answer an item (pass/fail/na, a number or text) or clear it with an empty value."""
    # The parts of can_answer_checklist, each refused with its own reason.
    costs.require_any(actor, ("workorder.work",), _("You may not answer checklists."))
    ensure_changeable(work_order)
    if item.work_order_id != work_order.id:
        raise NotFound(_("There is no such checklist item on this work order."))
    costs.ensure_workable(work_order, "checklist")
    cleaned = _clean_answer(item, value)
    old = item.answer
    item.answer = cleaned
    item.answered_by_id = person_id(actor) if cleaned is not None else None
    item.answered_at = utcnow() if cleaned is not None else None
    db.session.flush()
    db.session.expire(item, ["answered_by"])
    if cleaned is None:
        if old is not None:
            events.record(work_order, actor, "checklist_cleared", item_id=item.id, old=old)
    else:
        events.record(work_order, actor, "checklist_answered", item_id=item.id, answer=cleaned, old=old)
    return item


def create_follow_up(actor: Actor, work_order: WorkOrder, item: ChecklistItem) -> WorkOrder:
    """Open a work order for a failed item, linked from it; a second call returns the same one."""
    costs.require_any(actor, ("workorder.create",), _("You may not create work orders."))
    ensure_may_add(actor)
    ensure_changeable(work_order)
    if item.work_order_id != work_order.id:
        raise NotFound(_("There is no such checklist item on this work order."))
    # Lock the item so two clicks at the same moment create one follow-up.
    locked = db.session.scalar(
        select(ChecklistItem)
        .where(ChecklistItem.id == item.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("There is no such checklist item on this work order."))
    if locked.follow_up_id is not None:
        existing = db.session.get(WorkOrder, locked.follow_up_id)
        if existing is not None:
            return existing
    if locked.kind != "pass_fail" or locked.answer != "fail":
        raise ValidationFailed(_("Only a failed item can get a follow-up work order."))
    costs.ensure_workable(work_order, "checklist")
    # The follow-up is written in the language of the person who opens it, like a title they typed.
    room = 200 - len(_("Follow-up: %(label)s (%(number)s)", label="", number=work_order.number))
    label = locked.label if len(locked.label) <= room else locked.label[: room - 1] + "…"
    data = services.WorkOrderData(
        title=_("Follow-up: %(label)s (%(number)s)", label=label, number=work_order.number),
        type_id=work_order.type_id,
        priority_id=work_order.priority_id,
        description=_("Checklist item “%(label)s” failed on %(number)s.", label=locked.label, number=work_order.number),
        company_id=work_order.company_id,
        product_id=work_order.product_id,
        asset_id=work_order.asset_id,
        location_id=work_order.location_id,
        custom_values=dict(work_order.custom_values or {}),
    )
    follow_up = services.create_work_order(actor, data, submission_key=f"follow-up-{locked.id}")
    locked.follow_up_id = follow_up.id
    db.session.flush()
    events.record(
        work_order, actor, "follow_up_created", item_id=locked.id, work_order_id=follow_up.id, number=follow_up.number
    )
    events.record(
        follow_up, actor, "follow_up_of", item_id=locked.id, work_order_id=work_order.id, number=work_order.number
    )
    return follow_up


# -- templates ----------------------------------------------------------------------------------


def parse_lines(text: str) -> list[dict[str, Any]]:
    """Template items from "label | kind | required" lines; kind defaults to pass/fail, blank lines skipped."""
    items: list[dict[str, Any]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 3:
            raise ValidationFailed(_("Line %(line)d: use “label | kind | required”.", line=number), field="items")
        label = parts[0]
        kind_word = (parts[1] if len(parts) > 1 else "").lower() or "pass_fail"
        required_word = (parts[2] if len(parts) > 2 else "").lower()
        if kind_word not in KIND_WORDS:
            raise ValidationFailed(
                _("Line %(line)d: the kind must be pass_fail, text or number.", line=number), field="items"
            )
        if required_word in REQUIRED_WORDS:
            required = True
        elif required_word in OPTIONAL_WORDS:
            required = False
        else:
            raise ValidationFailed(_("Line %(line)d: write “required” or “optional”.", line=number), field="items")
        if not label:
            raise ValidationFailed(_("Line %(line)d: the label is empty.", line=number), field="items")
        if len(label) > MAX_LABEL:
            raise ValidationFailed(
                _("Line %(line)d: keep the label under %(max)d characters.", line=number, max=MAX_LABEL), field="items"
            )
        items.append({"label": label, "kind": KIND_WORDS[kind_word], "required": required})
    return items


def format_lines(items: list[dict[str, Any]]) -> str:
    """A template's items as the "label | kind | required" lines ``parse_lines`` reads."""
    return "\n".join(
        f"{item['label']} | {item['kind']} | {'required' if item.get('required') else 'optional'}" for item in items
    )


def save_template(
    actor: Actor, template: ChecklistTemplate | None, name: str, items: list[dict[str, Any]], *, active: bool = True
) -> ChecklistTemplate:
    """Create a template (``template`` None) or replace an existing one's name, items and state."""
    costs.require_any(actor, (MANAGE,), _("You may not manage checklist templates."))
    name = required_text(name, field="name", label=_("A name"), max_length=120)
    if not items:
        raise ValidationFailed(_("Add at least one item."), field="items")
    if len(items) > MAX_ITEMS:
        raise ValidationFailed(_("A template can have at most %(max)d items.", max=MAX_ITEMS), field="items")
    cleaned = []
    for number, entry in enumerate(items, start=1):
        try:
            cleaned.append(_clean_item(str(entry.get("label", "")), str(entry.get("kind", "")), entry.get("required")))
        except ValidationFailed as exc:
            raise ValidationFailed(
                _("Item %(number)d: %(problem)s", number=number, problem=exc.message), field="items"
            ) from exc
    taken = select(ChecklistTemplate.id).where(func.lower(ChecklistTemplate.name) == name.lower())
    if template is not None:
        taken = taken.where(ChecklistTemplate.id != template.id)
    if db.session.scalar(taken) is not None:
        raise ValidationFailed(_("Another template has this name."), field="name")
    created = template is None
    if template is None:
        template = ChecklistTemplate()
        db.session.add(template)
    template.name = name
    template.items = cleaned
    template.active = active
    db.session.flush()
    audit.record(
        "checklist_template.created" if created else "checklist_template.updated",
        actor=actor,
        target=template,
        name=name,
        items=len(cleaned),
        active=active,
    )
    return template


def get_template(template_id: int) -> ChecklistTemplate:
    """The template ``template_id``; NotFound otherwise."""
    template = db.session.get(ChecklistTemplate, template_id)
    if template is None:
        raise NotFound(_("There is no such checklist template."))
    return template
