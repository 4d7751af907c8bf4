"""Views: checklists, time and parts on a work order, and the checklist templates admin page.

Every action is a plain form post that redirects back to the work order (to
#checklist, #time or #parts) with a message. Refusals that are about the work
order's state or the input are flashed; 403 and 404 stay errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from cube.errors import DomainError, NotFound, ValidationFailed
from cube.extensions import db
from cube.forms import CubeForm, options, show_error
from cube.models import ChecklistItem, PartUsage, TimeLog, WorkOrder
from cube.parsing import optional_int
from cube.permissions import requires, signed_in
from cube.products.catalog import product_by_sku
from cube.products.forms import location_options
from cube.timezones import as_utc
from cube.workorders import checklists, costs, parts, services, timelogs
from cube.workorders.routes import bp

# -- forms --------------------------------------------------------------------------------------


class AnswerForm(CubeForm):
    value = StringField("Answer", validators=[Optional(), Length(max=checklists.MAX_TEXT)])


class ChecklistItemForm(CubeForm):
    label = StringField("Check", validators=[DataRequired(), Length(max=checklists.MAX_LABEL)])
    kind = SelectField("Kind", choices=options(checklists.KINDS.items()), default="pass_fail")
    required = BooleanField("Required")


class TemplateChoiceForm(CubeForm):
    template_id = SelectField("Checklist template", coerce=optional_int, validate_choice=False)


class TimeEntryForm(CubeForm):
    started_at = DateTimeLocalField("Started", validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    hours = DecimalField("Hours", places=2, validators=[Optional()])
    ended_at = DateTimeLocalField("Ended", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    note = StringField("Note", validators=[Optional(), Length(max=timelogs.MAX_NOTE)])


class PartForm(CubeForm):
    product_sku = StringField("Product SKU", validators=[DataRequired(), Length(max=64)])
    location_id = SelectField("From location", coerce=optional_int, validate_choice=True)
    quantity = DecimalField("Quantity", places=3, validators=[DataRequired(), NumberRange(min=0.001)])


class ReturnForm(CubeForm):
    quantity = DecimalField("Quantity to return", places=3, validators=[DataRequired(), NumberRange(min=0.001)])


class ChecklistTemplateForm(CubeForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    items = TextAreaField(
        "Items",
        validators=[DataRequired(), Length(max=50_000)],
        render_kw={"rows": 10},
        description="One item per line: label | kind | required. Kind is pass_fail, text or number "
        "(pass_fail when left out); write “required” or “optional”.",
    )
    active = BooleanField("Active (can be added to work orders)", default=True)


# -- the panels on the detail page ---------------------------------------------------------------


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
    returnable: dict[int, Decimal]
    totals: costs.Totals
    workable: bool
    item_form: ChecklistItemForm
    template_form: TemplateChoiceForm
    time_form: TimeEntryForm
    part_form: PartForm


def work_panel(work_order: WorkOrder) -> WorkPanel:
    """Load everything the detail page's work partials need, once per request, in a fixed number of queries."""
    cache: dict[int, WorkPanel] = g.setdefault("work_panels", {})
    if work_order.id not in cache:
        cache[work_order.id] = _load_panel(work_order)
    return cache[work_order.id]


def _load_panel(work_order: WorkOrder) -> WorkPanel:
    templates = checklists.active_templates()
    items = checklists.items_for(work_order)
    logs = timelogs.logs_for(work_order)
    running = timelogs.running_timer(current_user)
    running_number = ""
    if running is not None and running.work_order_id != work_order.id:
        running_number = timelogs.work_order_number(running)
    template_form = TemplateChoiceForm(prefix="template", formdata=None)
    template_form.template_id.choices = options(((t.id, t.name) for t in templates), blank="Choose a template")
    part_form = PartForm(prefix="part", formdata=None)
    part_form.location_id.choices = []
    if current_user.has_permission("workorder.work"):
        part_form.location_id.choices = location_options(blank="Choose a location", active_only=True)
    return WorkPanel(
        items=items,
        follow_ups=checklists.follow_up_numbers(items),
        templates=templates,
        logs=logs,
        deletable={log.id for log in logs if timelogs.may_delete(current_user, log)},
        running=running,
        running_number=running_number,
        usages=parts.usages_for(work_order),
        returnable=parts.outstanding_by_usage(work_order),
        totals=costs.totals(work_order),
        workable=costs.is_workable(work_order),
        item_form=ChecklistItemForm(prefix="item", formdata=None),
        template_form=template_form,
        time_form=TimeEntryForm(prefix="time", formdata=None),
        part_form=part_form,
    )


@bp.context_processor
def _work_helpers() -> dict[str, Any]:
    return {
        "work_panel": work_panel,
        "checklist_kinds": checklists.KINDS,
        "pass_fail_answers": checklists.PASS_FAIL,
        "display_answer": checklists.display_answer,
        "is_cost_detail": costs.is_cost_detail,
    }


# -- helpers ------------------------------------------------------------------------------------


def _detail(work_order_id: int, anchor: str) -> str:
    return url_for("workorders.show_work_order", work_order_id=work_order_id) + f"#{anchor}"


def _act(work_order_id: int, anchor: str, action: Callable[[], str]) -> Response:
    """Run a service call as the request's one unit of work; flash its outcome and go back."""
    try:
        message = action()
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise  # the error handler rolls back and shows the error page
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(_detail(work_order_id, anchor))


def _refused(work_order_id: int, anchor: str, form: CubeForm) -> Response:
    for name, errors in form.errors.items():
        field = getattr(form, name, None)
        label = field.label.text if field is not None else name
        flash(f"{label}: {' '.join(errors)}", "danger")
    return redirect(_detail(work_order_id, anchor))


def _as_utc(value: datetime | None) -> datetime | None:
    """A date and time typed in the user's zone, made timezone-aware."""
    return as_utc(value, current_user)


# -- checklists ---------------------------------------------------------------------------------


@bp.route("/<int:work_order_id>/checklist/<int:item_id>/answer", methods=["POST"])
@requires("workorder.work")
def answer_checklist_item(work_order_id: int, item_id: int) -> Response:
    """Answer a checklist item, or clear its answer with an empty value."""
    work_order = services.get_visible(current_user, work_order_id)
    item = checklists.get_item(work_order, item_id)
    form = AnswerForm(prefix=f"answer-{item.id}")
    if not form.validate_on_submit():
        return _refused(work_order.id, "checklist", form)

    def run() -> str:
        checklists.answer(current_user, work_order, item, form.value.data)
        shown = checklists.display_answer(item)
        return f"“{item.label}”: {shown}." if shown else f"Answer to “{item.label}” cleared."

    return _act(work_order.id, "checklist", run)


@bp.route("/<int:work_order_id>/checklist/items", methods=["POST"])
@signed_in
def add_checklist_item(work_order_id: int) -> Response:
    """Add an ad hoc item to the checklist (workorder.work or workorder.edit, checked by the service)."""
    work_order = services.get_visible(current_user, work_order_id)
    checklists.ensure_may_add(current_user)
    form = ChecklistItemForm(prefix="item")
    if not form.validate_on_submit():
        return _refused(work_order.id, "checklist", form)

    def run() -> str:
        item = checklists.add_item(
            current_user, work_order, form.label.data or "", form.kind.data or "", bool(form.required.data)
        )
        return f"“{item.label}” added to the checklist."

    return _act(work_order.id, "checklist", run)


@bp.route("/<int:work_order_id>/checklist/from-template", methods=["POST"])
@signed_in
def add_checklist_template(work_order_id: int) -> Response:
    """Copy a checklist template's items into the work order (workorder.work or workorder.edit)."""
    work_order = services.get_visible(current_user, work_order_id)
    checklists.ensure_may_add(current_user)
    form = TemplateChoiceForm(prefix="template")
    template_id = form.template_id.data if form.validate_on_submit() else None

    def run() -> str:
        try:
            template = checklists.get_template(template_id or 0)
        except NotFound as exc:  # an unknown template is bad input here, not a missing page
            raise ValidationFailed("Choose a checklist template from the list.", field="template_id") from exc
        items = checklists.add_from_template(current_user, work_order, template)
        return f"{len(items)} item(s) from “{template.name}” added to the checklist."

    return _act(work_order.id, "checklist", run)


@bp.route("/<int:work_order_id>/checklist/<int:item_id>/follow-up", methods=["POST"])
@requires("workorder.create")
def create_follow_up(work_order_id: int, item_id: int) -> Response:
    """Open a follow-up work order for a failed item (one per item; the service also wants work or edit)."""
    work_order = services.get_visible(current_user, work_order_id)
    item = checklists.get_item(work_order, item_id)

    def run() -> str:
        follow_up = checklists.create_follow_up(current_user, work_order, item)
        return f"Follow-up {follow_up.number} is linked to “{item.label}”."

    return _act(work_order.id, "checklist", run)


# -- time ---------------------------------------------------------------------------------------


@bp.route("/<int:work_order_id>/timer/start", methods=["POST"])
@requires("workorder.work")
def start_timer(work_order_id: int) -> Response:
    """Start your timer on this work order (a timer running elsewhere stops)."""
    work_order = services.get_visible(current_user, work_order_id)

    def run() -> str:
        timelogs.start_timer(current_user, work_order)
        return f"Timer running on {work_order.number}."

    return _act(work_order.id, "time", run)


@bp.route("/<int:work_order_id>/timer/stop", methods=["POST"])
@requires("workorder.work")
def stop_timer(work_order_id: int) -> Response:
    """Stop your timer on this work order and log its hours."""
    work_order = services.get_visible(current_user, work_order_id)

    def run() -> str:
        log = timelogs.stop_timer(current_user, work_order)
        return f"Timer stopped: {log.hours:.2f} h logged."

    return _act(work_order.id, "time", run)


@bp.route("/<int:work_order_id>/time", methods=["POST"])
@requires("workorder.work")
def add_time_entry(work_order_id: int) -> Response:
    """Log time worked by hand: a start and either hours or an end."""
    work_order = services.get_visible(current_user, work_order_id)
    form = TimeEntryForm(prefix="time")
    if not form.validate_on_submit():
        return _refused(work_order.id, "time", form)

    def run() -> str:
        log = timelogs.add_entry(
            current_user,
            work_order,
            _as_utc(form.started_at.data),
            hours=form.hours.data,
            ended_at=_as_utc(form.ended_at.data),
            note=form.note.data or "",
        )
        return f"{log.hours:.2f} h logged."

    return _act(work_order.id, "time", run)


@bp.route("/<int:work_order_id>/time/<int:log_id>/delete", methods=["POST"])
@signed_in
def delete_time_entry(work_order_id: int, log_id: int) -> Response:
    """Delete a time entry: your own (workorder.work) or anyone's (workorder.edit), checked by the service."""
    work_order = services.get_visible(current_user, work_order_id)
    log = timelogs.get_log(work_order, log_id)

    def run() -> str:
        timelogs.delete_entry(current_user, work_order, log)
        return "Time entry deleted."

    return _act(work_order.id, "time", run)


# -- parts --------------------------------------------------------------------------------------


@bp.route("/<int:work_order_id>/parts", methods=["POST"])
@requires("workorder.work")
def use_part(work_order_id: int) -> Response:
    """Use a catalog part: stock is issued from the chosen location at today's unit cost."""
    work_order = services.get_visible(current_user, work_order_id)
    form = PartForm(prefix="part")
    form.location_id.choices = location_options(blank="Choose a location", active_only=True)
    if not form.validate_on_submit():
        return _refused(work_order.id, "parts", form)

    def run() -> str:
        product = product_by_sku(form.product_sku.data or "")
        if product is None:
            raise ValidationFailed("No product has this SKU.", field="product_sku")
        usage = parts.use_part(
            current_user, work_order, product.id, form.location_id.data or 0, form.quantity.data or Decimal(0)
        )
        return f"{usage.quantity.normalize():f} × {product.sku} used from {usage.location.path}."

    return _act(work_order.id, "parts", run)


@bp.route("/<int:work_order_id>/parts/<int:usage_id>/return", methods=["POST"])
@requires("workorder.work")
def return_part(work_order_id: int, usage_id: int) -> Response:
    """Return unused parts of a usage to the location they came from."""
    work_order = services.get_visible(current_user, work_order_id)
    usage = parts.get_usage(work_order, usage_id)
    form = ReturnForm(prefix=f"return-{usage.id}")
    if not form.validate_on_submit():
        return _refused(work_order.id, "parts", form)

    def run() -> str:
        returned = parts.return_part(current_user, work_order, usage, form.quantity.data or Decimal(0))
        return f"{-returned.quantity.normalize():f} × {usage.product.sku} returned to stock."

    return _act(work_order.id, "parts", run)


# -- checklist templates (admin) ------------------------------------------------------------------


def _template_page(form: ChecklistTemplateForm, template: Any, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "workorders/checklist_templates.html",
            form=form,
            template=template,
            templates=checklists.all_templates(),
            kinds=checklists.KINDS,
        ),
        status,
    )


def _save_template(form: ChecklistTemplateForm, template: Any) -> Response | tuple[str, int]:
    if form.is_submitted():
        if form.validate():
            try:
                checklists.save_template(
                    current_user,
                    template,
                    form.name.data or "",
                    checklists.parse_lines(form.items.data or ""),
                    active=bool(form.active.data),
                )
            except DomainError as exc:
                db.session.rollback()
                show_error(form, exc)
            else:
                db.session.commit()
                flash(f"Checklist template “{(form.name.data or '').strip()}” saved.", "success")
                return redirect(url_for("workorders.checklist_templates"))
        return _template_page(form, template, 422)
    return _template_page(form, template)


@bp.route("/checklist-templates", methods=["GET", "POST"])
@requires("workflow.manage")
def checklist_templates() -> Response | tuple[str, int]:
    """List checklist templates and create a new one."""
    return _save_template(ChecklistTemplateForm(), None)


@bp.route("/checklist-templates/<int:template_id>", methods=["GET", "POST"])
@requires("workflow.manage")
def edit_checklist_template(template_id: int) -> Response | tuple[str, int]:
    """Rename a checklist template, change its items or archive it."""
    template = checklists.get_template(template_id)
    form = ChecklistTemplateForm(obj=template)
    if not form.is_submitted():
        form.items.data = checklists.format_lines(template.items)
    return _save_template(form, template)
