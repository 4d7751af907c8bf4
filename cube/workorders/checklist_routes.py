"""Views: a work order's checklist (answers, items, templates, follow-ups) and the checklist templates admin.

Every action is a plain form post that redirects back to the work order's #checklist with a message;
refusals about the work order's state or the input are flashed, 403 and 404 stay errors.
"""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.edge import REFUSED, act, save_form
from cube.errors import NotFound, ValidationFailed
from cube.models import ChecklistTemplate
from cube.permissions import requires, signed_in
from cube.workorders import checklists, services
from cube.workorders.blueprint import bp
from cube.workorders.forms import AnswerForm, ChecklistItemForm, ChecklistTemplateForm, TemplateChoiceForm
from cube.workorders.pages import detail_at, refused, said

ANCHOR = "checklist"


@bp.route("/<int:work_order_id>/checklist/<int:item_id>/answer", methods=["POST"])
@requires("workorder.work")
def answer_checklist_item(work_order_id: int, item_id: int) -> Response:
    """Answer a checklist item, or clear its answer with an empty value."""
    work_order = services.get_visible(current_user, work_order_id)
    item = checklists.get_item(work_order, item_id)
    form = AnswerForm(prefix=f"answer-{item.id}")
    if not form.validate_on_submit():
        return refused(work_order.id, ANCHOR, form)

    def run() -> str:
        checklists.answer(current_user, work_order, item, form.value.data)
        shown = checklists.display_answer(item)
        if shown:
            return _("“%(label)s”: %(answer)s.", label=item.label, answer=shown)
        return _("Answer to “%(label)s” cleared.", label=item.label)

    return act(run, success=said, redirect_to=detail_at(work_order.id, ANCHOR))


@bp.route("/<int:work_order_id>/checklist/items", methods=["POST"])
@signed_in
def add_checklist_item(work_order_id: int) -> Response:
    """Add an ad hoc item to the checklist (workorder.work or workorder.edit, checked by the service)."""
    work_order = services.get_visible(current_user, work_order_id)
    checklists.ensure_may_add(current_user)
    form = ChecklistItemForm(prefix="item")
    if not form.validate_on_submit():
        return refused(work_order.id, ANCHOR, form)

    def run() -> str:
        item = checklists.add_item(
            current_user, work_order, form.label.data or "", form.kind.data or "", bool(form.required.data)
        )
        return _("“%(label)s” added to the checklist.", label=item.label)

    return act(run, success=said, redirect_to=detail_at(work_order.id, ANCHOR))


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
            raise ValidationFailed(_("Choose a checklist template from the list."), field="template_id") from exc
        items = checklists.add_from_template(current_user, work_order, template)
        return ngettext(
            "%(num)d item from “%(template)s” added to the checklist.",
            "%(num)d items from “%(template)s” added to the checklist.",
            len(items),
            template=template.name,
        )

    return act(run, success=said, redirect_to=detail_at(work_order.id, ANCHOR))


@bp.route("/<int:work_order_id>/checklist/<int:item_id>/follow-up", methods=["POST"])
@requires("workorder.create")
def create_follow_up(work_order_id: int, item_id: int) -> Response:
    """Open a follow-up work order for a failed item (one per item; the service also wants work or edit)."""
    work_order = services.get_visible(current_user, work_order_id)
    item = checklists.get_item(work_order, item_id)
    return act(
        lambda: checklists.create_follow_up(current_user, work_order, item),
        success=lambda follow_up: _(
            "Follow-up %(number)s is linked to “%(label)s”.", number=follow_up.number, label=item.label
        ),
        redirect_to=detail_at(work_order.id, ANCHOR),
    )


# -- checklist templates (admin) ------------------------------------------------------------------


def _template_page(
    form: ChecklistTemplateForm, template: ChecklistTemplate | None, status: int = 200
) -> tuple[str, int]:
    """The templates page with the list and the form."""
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


def _save_template(form: ChecklistTemplateForm, template: ChecklistTemplate | None) -> Response | tuple[str, int]:
    """Save a submitted template form, or show the page (422 after a refusal)."""
    if not form.is_submitted():
        return _template_page(form, template)
    if form.validate():
        done = save_form(
            form,
            lambda: checklists.save_template(
                current_user,
                template,
                form.name.data or "",
                checklists.parse_lines(form.items.data or ""),
                active=bool(form.active.data),
            ),
            success=lambda saved: _("Checklist template “%(name)s” saved.", name=saved.name),
            redirect_to=url_for("workorders.checklist_templates"),
        )
        if done is not None:
            return done
    return _template_page(form, template, REFUSED)


@bp.route("/checklist-templates", methods=["GET", "POST"])
@requires(checklists.MANAGE)
def checklist_templates() -> Response | tuple[str, int]:
    """List checklist templates and create a new one."""
    return _save_template(ChecklistTemplateForm(), None)


@bp.route("/checklist-templates/<int:template_id>", methods=["GET", "POST"])
@requires(checklists.MANAGE)
def edit_checklist_template(template_id: int) -> Response | tuple[str, int]:
    """Rename a checklist template, change its items or archive it."""
    template = checklists.get_template(template_id)
    form = ChecklistTemplateForm(obj=template)
    if not form.is_submitted():
        form.items.data = checklists.format_lines(template.items)
    return _save_template(form, template)
