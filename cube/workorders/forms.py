"""Forms for work orders: create/edit (with the admin's custom fields), filters, transitions, comments,
assignment, attachments, bulk changes, checklists, time and parts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from cube.forms import CubeForm, LocalizedDecimalField, options
from cube.models import CustomField
from cube.parsing import optional_int
from cube.workflow.categories import CATEGORY_LABELS
from cube.workorders import bulk, checklists, timelogs
from cube.workorders.queries import DEFAULT_SORT, SORT_CHOICES

VIEW_CHOICES = [("my", "My work"), ("unassigned", "Unassigned"), ("overdue", "Overdue"), ("week", "Due this week")]
CATEGORY_CHOICES = [(category.value, label) for category, label in CATEGORY_LABELS.items()]
CUSTOM_PREFIX = "custom_"  # custom field inputs are named custom_<key>


class WorkOrderForm(CubeForm):
    version = HiddenField()
    opened = HiddenField()  # the values the edit form opened with, signed (cube.editing.seal)
    submission_key = HiddenField()
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=16_000)])
    type_id = SelectField("Type", coerce=optional_int, validate_choice=True, validators=[DataRequired()])
    priority_id = SelectField("Priority", coerce=optional_int, validate_choice=True, validators=[DataRequired()])
    team_id = SelectField("Team", coerce=optional_int, validate_choice=True)
    assignee_ids = SelectMultipleField("Assignees", coerce=int, validate_choice=True)
    supervisor_id = SelectField("Supervisor", coerce=optional_int, validate_choice=True)
    requester_id = SelectField("Requester", coerce=optional_int, validate_choice=True)
    company_id = SelectField("Company", coerce=optional_int, validate_choice=True)
    product_sku = StringField("Product SKU", validators=[Optional(), Length(max=64)])
    asset_id = SelectField("Asset", coerce=optional_int, validate_choice=False)
    location_id = SelectField("Location", coerce=optional_int, validate_choice=True)
    planned_start = DateTimeLocalField("Planned start", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    due_at = DateTimeLocalField("Due", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    estimated_hours = LocalizedDecimalField(
        "Estimated hours", places=2, validators=[Optional(), NumberRange(min=0, max=99999)]
    )
    estimated_cost = LocalizedDecimalField(
        "Estimated cost", places=2, validators=[Optional(), NumberRange(min=0, max=9_999_999_999)]
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

    q = SearchField("Search", validators=[Optional(), Length(max=100)])
    view = SelectField("Quick view", choices=options(VIEW_CHOICES, blank="All I can see"), validate_choice=False)
    status = SelectField("Status", coerce=optional_int, validate_choice=False)
    category = SelectField("Stage", choices=options(CATEGORY_CHOICES, blank="Any stage"), validate_choice=False)
    priority = SelectField("Priority", coerce=optional_int, validate_choice=False)
    type = SelectField("Type", coerce=optional_int, validate_choice=False)
    assignee = SelectField("Assignee", coerce=optional_int, validate_choice=False)
    team = SelectField("Team", coerce=optional_int, validate_choice=False)
    company = SelectField("Company", coerce=optional_int, validate_choice=False)
    product = StringField("Product id", validators=[Optional()])
    asset = StringField("Asset id", validators=[Optional()])
    due_from = DateField("Due from", validators=[Optional()])
    due_to = DateField("Due to", validators=[Optional()])
    created_from = DateField("Created from", validators=[Optional()])
    created_to = DateField("Created to", validators=[Optional()])
    sort = SelectField("Sort", choices=options(SORT_CHOICES), default=DEFAULT_SORT, validate_choice=False)


class TransitionForm(CubeForm):
    transition_id = HiddenField(validators=[DataRequired()])
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=2000)])


class CommentForm(CubeForm):
    body = TextAreaField("Add a comment", validators=[DataRequired(), Length(max=16_000)])


class AssignForm(CubeForm):
    assignee_ids = SelectMultipleField("Assignees", coerce=int, validate_choice=True)
    team_id = SelectField("Team", coerce=optional_int, validate_choice=True)


class AttachmentForm(CubeForm):
    file = FileField("File", validators=[FileRequired("Choose a file to attach.")])


class BulkForm(CubeForm):
    action = SelectField("Action", choices=options((a.value, a.value) for a in bulk.BulkAction))
    assignee_ids = SelectMultipleField("Assign to", validate_choice=False)
    team_id = StringField("Team", validators=[Optional()])
    priority_id = StringField("Priority", validators=[Optional()])
    status_id = StringField("Move to", validators=[Optional()])
    reason = StringField("Reason", validators=[Optional(), Length(max=2000)])
    next = HiddenField()


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
    hours = LocalizedDecimalField("Hours", places=2, validators=[Optional()])
    ended_at = DateTimeLocalField("Ended", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    note = StringField("Note", validators=[Optional(), Length(max=timelogs.MAX_NOTE)])


class PartForm(CubeForm):
    product_sku = StringField("Product SKU", validators=[DataRequired(), Length(max=64)])
    location_id = SelectField("From location", coerce=optional_int, validate_choice=True)
    quantity = LocalizedDecimalField("Quantity", places=3, validators=[DataRequired(), NumberRange(min=0.001)])


class ReturnForm(CubeForm):
    quantity = LocalizedDecimalField(
        "Quantity to return", places=3, validators=[DataRequired(), NumberRange(min=0.001)]
    )


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
