"""What the work order pages' partials show the signed-in person, and the rules they ask (template helpers).

Registered as template globals by ``cube.workorders.blueprint``. Templates call the named predicates
here (``can_edit_checklist(work_order)``, ...), which ask the same service functions the services
enforce, so a button is shown exactly when the action would be allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import current_app, g
from flask_babel import gettext as _
from flask_login import current_user

from cube.forms import options
from cube.i18n import input_number
from cube.models import Attachment, ChecklistItem, PartUsage, TimeLog, Transition, WorkOrder
from cube.products.assets import location_paths
from cube.workflow import categories
from cube.workorders import attachments, bulk, checklists, choices, costs, part_picker, parts, services, timelogs
from cube.workorders.forms import ChecklistItemForm, PartForm, TemplateChoiceForm, TimeEntryForm


@dataclass
class WorkPanel:
    """What the checklist, time and parts partials of the detail page show."""

    items: list[ChecklistItem]
    follow_ups: dict[int, str]
    templates: list[Any]
    logs: list[TimeLog]
    deletable: set[int]
    running: TimeLog | None
    running_number: str
    usages: list[PartUsage]
    places: dict[int, str]  # location id -> "Site > Building > Room" for the usages
    returnable: dict[int, Decimal]
    totals: costs.Totals
    workable: bool
    item_form: ChecklistItemForm
    template_form: TemplateChoiceForm
    time_form: TimeEntryForm
    part_form: PartForm
    part_picker: part_picker.PartPicker | None


def work_panel(work_order: WorkOrder) -> WorkPanel:
    """Load everything the detail page's work partials need, once per request, in a fixed number of queries."""
    cache: dict[int, WorkPanel] = g.setdefault("work_panels", {})
    if work_order.id not in cache:
        cache[work_order.id] = _load_panel(work_order)
    return cache[work_order.id]


def _load_panel(work_order: WorkOrder) -> WorkPanel:
    """Read the checklist, time and parts of a work order for the signed-in person."""
    templates = checklists.active_templates()
    items = checklists.items_for(work_order)
    logs = timelogs.logs_for(work_order)
    running = timelogs.running_timer(current_user)
    running_number = ""
    if running is not None and running.work_order_id != work_order.id:
        running_number = timelogs.work_order_number(running)
    template_form = TemplateChoiceForm(prefix="template", formdata=None)
    template_form.template_id.choices = options(((t.id, t.name) for t in templates), blank=_("Choose a template"))
    picker: part_picker.PartPicker | None = g.get("part_picker")  # the form as just submitted, if it was
    if picker is None and parts.can_use_parts(current_user, work_order):  # the options only when the form shows
        picker = part_picker.prepare(PartForm(prefix="part", formdata=None), default_location_too=False)
    usages = parts.usages_for(work_order)
    return WorkPanel(
        items=items,
        follow_ups=checklists.follow_up_numbers(items),
        templates=templates,
        logs=logs,
        deletable={log.id for log in logs if timelogs.may_delete(current_user, log)},
        running=running,
        running_number=running_number,
        usages=usages,
        places=location_paths({usage.location_id for usage in usages}),
        returnable=parts.outstanding_by_usage(work_order),
        totals=costs.totals(work_order),
        workable=costs.is_workable(work_order),
        item_form=ChecklistItemForm(prefix="item", formdata=None),
        template_form=template_form,
        time_form=TimeEntryForm(prefix="time", formdata=None),
        part_form=picker.form if picker else PartForm(prefix="part", formdata=None),
        part_picker=picker,
    )


@dataclass
class AttachmentPanel:
    """What the detail page shows about files: the list and what the user may do with it."""

    items: list[Attachment]
    can_upload: bool
    deletable: set[int] = field(default_factory=set)
    max_mb: float = 0


def _upload_limit() -> int:
    """The largest file an upload can carry: the attachment limit, or the request limit when lower."""
    request_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return min(attachments.max_bytes(), request_limit) if request_limit else attachments.max_bytes()


def attachment_panel(work_order: WorkOrder) -> AttachmentPanel:
    """The attachments section of a work order page, for the signed-in user."""
    items = attachments.attachments_of(work_order)
    return AttachmentPanel(
        items=items,
        can_upload=attachments.can_upload(current_user, work_order),
        deletable={a.id for a in items if attachments.can_delete(current_user, a)},
        max_mb=_upload_limit() / (1024 * 1024),
    )


def bulk_choices(offered: choices.ListChoices) -> choices.BulkChoices | None:
    """Options for the list's bulk form, or None when the user can take no bulk action."""
    if not current_user.is_authenticated or not bulk.may_use_bulk(current_user):
        return None
    return offered.bulk()


# Named predicates for the signed-in person ------------------------------------------------------


def can_edit_checklist(work_order: WorkOrder) -> bool:
    """May the signed-in person add checklist items to this work order now?"""
    return checklists.can_edit_checklist(current_user, work_order)


def can_answer_checklist(work_order: WorkOrder) -> bool:
    """May the signed-in person answer this work order's checklist now?"""
    return checklists.can_answer_checklist(current_user, work_order)


def can_create_follow_up(work_order: WorkOrder) -> bool:
    """May the signed-in person open follow-ups for this work order's failed items?"""
    return checklists.can_create_follow_up(current_user, work_order)


def can_log_time(work_order: WorkOrder) -> bool:
    """May the signed-in person log time on this work order now?"""
    return timelogs.can_log_time(current_user, work_order)


def can_use_parts(work_order: WorkOrder) -> bool:
    """May the signed-in person use and return parts on this work order now?"""
    return parts.can_use_parts(current_user, work_order)


def may_set_field(name: str) -> bool:
    """May the signed-in person choose this work order field (requester, team, supervisor, ...)?"""
    return services.may_set_field(current_user, name)


def transition_completes(transition: Transition) -> bool:
    """Does this transition finish the work (a done status)?"""
    return categories.completes(transition)


def transition_cancels(transition: Transition) -> bool:
    """Does this transition drop the work (a cancelled status)?"""
    return categories.cancels(transition)


TEMPLATE_GLOBALS = {
    "work_panel": work_panel,
    "attachment_panel": attachment_panel,
    "can_edit_checklist": can_edit_checklist,
    "can_answer_checklist": can_answer_checklist,
    "can_create_follow_up": can_create_follow_up,
    "can_log_time": can_log_time,
    "can_use_parts": can_use_parts,
    "may_set_field": may_set_field,
    "transition_completes": transition_completes,
    "transition_cancels": transition_cancels,
    "checklist_kinds": checklists.KINDS,
    "pass_fail_answers": checklists.PASS_FAIL,
    "display_answer": checklists.display_answer,
    "is_cost_detail": costs.is_cost_detail,
    "input_number": input_number,
}
