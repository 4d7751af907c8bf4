"""Forms for user administration, roles, teams and the profile."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    EmailField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from cube.forms import CubeForm, LocalizedDecimalField, options
from cube.parsing import optional_int


class UserForm(CubeForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role_id = SelectField("Role", coerce=optional_int, validators=[DataRequired()])
    phone = TelField("Phone", validators=[Optional(), Length(max=40)])
    timezone = SelectField("Time zone", default="UTC")
    language = SelectField("Language", default="", description="Mail to this person is written in it.")
    team_ids = SelectMultipleField("Teams", coerce=optional_int, validate_choice=True)
    hourly_rate = LocalizedDecimalField(
        "Hourly rate",
        places=2,
        default=0,
        validators=[Optional(), NumberRange(min=0, max=100_000)],
        description="Labour cost per hour on work orders.",
    )
    invite = BooleanField("E-mail an invitation to choose a password", default=True)
    submit = SubmitField("Save")


class UserFilterForm(CubeForm):
    class Meta:
        csrf = False

    q = SearchField("Search", validators=[Optional(), Length(max=100)])
    role = SelectField("Role", coerce=optional_int, validate_choice=False)
    team = SelectField("Team", coerce=optional_int, validate_choice=False)
    active = SelectField(
        "Status",
        choices=options([("yes", "Active"), ("no", "Deactivated")], blank="Any status"),
        default="",
        validate_choice=False,
    )


class ProfileForm(CubeForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    phone = TelField("Phone", validators=[Optional(), Length(max=40)])
    timezone = SelectField("Time zone")
    language = SelectField("Language")
    submit = SubmitField("Save profile")


class RoleForm(CubeForm):
    name = StringField("Role name", validators=[DataRequired(), Length(max=64)])
    description = StringField("Description", validators=[Optional(), Length(max=255)])
    submit = SubmitField("Add role")


class TeamForm(CubeForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    supervisor_id = SelectField("Supervisor", coerce=optional_int, validate_choice=True)
    member_ids = SelectMultipleField("Members", coerce=optional_int, validate_choice=True)
    active = BooleanField("Active", default=True)
    submit = SubmitField("Save team")


class SiteSettingsForm(CubeForm):
    default_language = SelectField(
        "Default language",
        description="For visitors whose browser asks for none of ours, and for people who chose none.",
    )
    submit = SubmitField("Save settings")
