"""Forms for work orders: create/edit, filters, transitions, comments, assignment."""

from __future__ import annotations

from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from cube.forms import CubeForm, options
from cube.parsing import optional_int

SORT_CHOICES = [
    ("-created", "Newest first"),
    ("created", "Oldest first"),
    ("due", "Due soonest"),
    ("-due", "Due latest"),
    ("priority", "Priority"),
    ("number", "Number"),
    ("-updated", "Recently changed"),
]
VIEW_CHOICES = [("my", "My work"), ("unassigned", "Unassigned"), ("overdue", "Overdue"), ("week", "Due this week")]
CATEGORY_CHOICES = [
    ("open", "Open"),
    ("active", "Active"),
    ("waiting", "Waiting"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]


class WorkOrderForm(CubeForm):
    version = HiddenField()
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
    estimated_hours = DecimalField("Estimated hours", places=2, validators=[Optional(), NumberRange(min=0, max=99999)])
    estimated_cost = DecimalField(
        "Estimated cost", places=2, validators=[Optional(), NumberRange(min=0, max=9_999_999_999)]
    )


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
    sort = SelectField("Sort", choices=options(SORT_CHOICES), default="-created", validate_choice=False)


class TransitionForm(CubeForm):
    transition_id = HiddenField(validators=[DataRequired()])
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=2000)])


class CommentForm(CubeForm):
    body = TextAreaField("Add a comment", validators=[DataRequired(), Length(max=16_000)])


class AssignForm(CubeForm):
    assignee_ids = SelectMultipleField("Assignees", coerce=int, validate_choice=True)
    team_id = SelectField("Team", coerce=optional_int, validate_choice=True)
