"""Forms for work orders: create/edit (with the admin's custom fields), filters, transitions, comments,
assignment, attachments, bulk changes, checklists, time and parts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Field,
    HiddenField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from cube.forms import CubeForm, LocalizedDecimalField, Lookup, LookupField, LookupMultipleField, options
from cube.models import CustomField
from cube.parsing import optional_int
from cube.workflow.categories import CATEGORY_LABELS
from cube.workorders import assignees, bulk, checklists, choices, timelogs
from cube.workorders.queries import DEFAULT_SORT, SORT_CHOICES

VIEW_CHOICES = [
    ("my", _l("My work")),
    ("unassigned", _l("Unassigned")),
    ("overdue", _l("Overdue")),
    ("week", _l("Due this week")),
]
CATEGORY_CHOICES = [(category.value, label) for category, label in CATEGORY_LABELS.items()]
CUSTOM_PREFIX = "custom_"  # custom field inputs are named custom_<key>

# What the on-demand pickers search (cube.workorders.lookup_routes) and the forms accept.
WORKERS = Lookup("workorders.lookup_workers", assignees.workers_among)
PEOPLE = Lookup("workorders.lookup_people", choices.people_among)
COMPANIES = Lookup("workorders.lookup_companies", choices.companies_among)
ASSETS = Lookup("workorders.lookup_assets", choices.assets_among)
ASSIGNABLE = _l("Only active people who may do work can be assigned: choose them from the list.")


class WorkOrderForm(CubeForm):
    version = HiddenField()
    opened = HiddenField()  # the values the edit form opened with, signed (cube.editing.seal)
    submission_key = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=16_000)])
    type_id = SelectField(_l("Type"), coerce=optional_int, validate_choice=True, validators=[DataRequired()])
    priority_id = SelectField(_l("Priority"), coerce=optional_int, validate_choice=True, validators=[DataRequired()])
    team_id = SelectField(_l("Team"), coerce=optional_int, validate_choice=True)
    assignee_ids = LookupMultipleField(_l("Assignees"), lookup=WORKERS, invalid_choice_message=ASSIGNABLE)
    supervisor_id = LookupField(
        _l("Supervisor"),
        lookup=PEOPLE,
        blank=_l("No supervisor"),
        invalid_choice_message=_l("Choose a supervisor from the list."),
    )
    requester_id = LookupField(
        _l("Requester"), lookup=PEOPLE, blank=_l("Me"), invalid_choice_message=_l("Choose a requester from the list.")
    )
    company_id = LookupField(
        _l("Company"),
        lookup=COMPANIES,
        blank=_l("No company"),
        invalid_choice_message=_l("Choose a company from the list."),
    )
    product_sku = StringField(_l("Product SKU"), validators=[Optional(), Length(max=64)])
    asset_id = LookupField(
        _l("Asset"),
        lookup=ASSETS,
        blank=_l("No asset"),
        placeholder=_l("Type a serial number, name, product, location or owner"),
        invalid_choice_message=_l("Choose an asset from the list."),
    )
    location_id = SelectField(_l("Location"), coerce=optional_int, validate_choice=True)
    planned_start = DateTimeLocalField(_l("Planned start"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    due_at = DateTimeLocalField(_l("Due"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    estimated_hours = LocalizedDecimalField(
        _l("Estimated hours"), places=2, validators=[Optional(), NumberRange(min=0, max=99999)]
    )
    estimated_cost = LocalizedDecimalField(
        _l("Estimated cost"), places=2, validators=[Optional(), NumberRange(min=0, max=9_999_999_999)]
    )

    def custom_fields(self) -> list[Field]:
        """The inputs of the admin's custom fields, in form order."""
        return [field for name, field in self._fields.items() if name.startswith(CUSTOM_PREFIX)]

    def custom_values(self) -> dict[str, str]:
        """The custom field values as typed (cleaned of control characters), by key, for the service to check."""
        return {field.name[len(CUSTOM_PREFIX) :]: field.data or "" for field in self.custom_fields()}

    def drop(self, names: Iterable[str]) -> None:
        """Take fields off the form (those the person may not set): they are neither shown nor read."""
        for name in names:
            if name in self._fields:
                del self[name]


def work_order_form(custom_fields: Iterable[CustomField], **kwargs: Any) -> WorkOrderForm:
    """The work order form with one text input per active custom field (the service checks each value)."""

    class Form(WorkOrderForm):
        pass

    for custom in custom_fields:
        setattr(Form, f"{CUSTOM_PREFIX}{custom.key}", StringField(custom.label, validators=[Optional()]))
    return Form(**kwargs)


class WorkOrderFilterForm(CubeForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=100)])
    view = SelectField(
        _l("Quick view"), choices=options(VIEW_CHOICES, blank=_l("All I can see")), validate_choice=False
    )
    status = SelectField(_l("Status"), coerce=optional_int, validate_choice=False)
    category = SelectField(_l("Stage"), choices=options(CATEGORY_CHOICES, blank=_l("Any stage")), validate_choice=False)
    priority = SelectField(_l("Priority"), coerce=optional_int, validate_choice=False)
    type = SelectField(_l("Type"), coerce=optional_int, validate_choice=False)
    assignee = LookupField(_l("Assignee"), lookup=WORKERS, blank=_l("Anyone"))
    team = SelectField(_l("Team"), coerce=optional_int, validate_choice=False)
    company = LookupField(_l("Company"), lookup=COMPANIES, blank=_l("Any company"))
    product = StringField(_l("Product id"), validators=[Optional()])
    asset = StringField(_l("Asset id"), validators=[Optional()])
    due_from = DateField(_l("Due from"), validators=[Optional()])
    due_to = DateField(_l("Due to"), validators=[Optional()])
    created_from = DateField(_l("Created from"), validators=[Optional()])
    created_to = DateField(_l("Created to"), validators=[Optional()])
    sort = SelectField(_l("Sort"), choices=options(SORT_CHOICES), default=DEFAULT_SORT, validate_choice=False)


class TransitionForm(CubeForm):
    transition_id = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class CommentForm(CubeForm):
    body = TextAreaField(_l("Add a comment"), validators=[DataRequired(), Length(max=16_000)])


class AssignForm(CubeForm):
    assignee_ids = LookupMultipleField(_l("Assignees"), lookup=WORKERS, invalid_choice_message=ASSIGNABLE)
    team_id = SelectField(_l("Team"), coerce=optional_int, validate_choice=True)


class AttachmentForm(CubeForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to attach."))])


class BulkForm(CubeForm):
    action = SelectField(_l("Action"), choices=options((a.value, a.value) for a in bulk.BulkAction))
    assignee_ids = SelectMultipleField(_l("Assign to"), validate_choice=False)
    team_id = StringField(_l("Team"), validators=[Optional()])
    priority_id = StringField(_l("Priority"), validators=[Optional()])
    status_id = StringField(_l("Move to"), validators=[Optional()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    next = HiddenField()


class AnswerForm(CubeForm):
    value = StringField(_l("Answer"), validators=[Optional(), Length(max=checklists.MAX_TEXT)])


class ChecklistItemForm(CubeForm):
    label = StringField(_l("Check"), validators=[DataRequired(), Length(max=checklists.MAX_LABEL)])
    kind = SelectField(_l("Kind"), choices=options(checklists.KINDS.items()), default="pass_fail")
    required = BooleanField(_l("Required"))


class TemplateChoiceForm(CubeForm):
    template_id = SelectField(_l("Checklist template"), coerce=optional_int, validate_choice=False)


class TimeEntryForm(CubeForm):
    started_at = DateTimeLocalField(_l("Started"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    hours = LocalizedDecimalField(_l("Hours"), places=2, validators=[Optional()])
    ended_at = DateTimeLocalField(_l("Ended"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    note = StringField(_l("Note"), validators=[Optional(), Length(max=timelogs.MAX_NOTE)])


class PartForm(CubeForm):
    # The service checks the product (a large catalog lists only search matches, so the choice is not validated here).
    product_id = SelectField(
        _l("Part"),
        coerce=optional_int,
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose a part."))],
        render_kw={"data-parts-picker": True},
    )
    location_id = SelectField(
        _l("From location"),
        coerce=optional_int,
        validate_choice=True,
        validators=[DataRequired(message=_l("Choose a location."))],
    )
    q = StringField(_l("Find a part by name or SKU"), validators=[Optional(), Length(max=64)])
    look = SubmitField(_l("Show stock"))
    quantity = LocalizedDecimalField(_l("Quantity"), places=3, validators=[DataRequired(), NumberRange(min=0.001)])


class ReturnForm(CubeForm):
    quantity = LocalizedDecimalField(
        _l("Quantity to return"), places=3, validators=[DataRequired(), NumberRange(min=0.001)]
    )


class ChecklistTemplateForm(CubeForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    items = TextAreaField(
        _l("Items"),
        validators=[DataRequired(), Length(max=50_000)],
        render_kw={"rows": 10},
        description=_l(
            "One item per line: label | kind | required. Kind is pass_fail, text or number "
            "(pass_fail when left out); write “required” or “optional”."
        ),
    )
    active = BooleanField(_l("Active (can be added to work orders)"), default=True)
