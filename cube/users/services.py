"""User administration and profiles: the rules for who may change what."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from cube import audit
from cube.actors import Actor, person_id, require
from cube.auth import services as auth
from cube.errors import NotAllowed, ValidationFailed
from cube.extensions import db
from cube.languages import is_shipped
from cube.models import Role, Team, User
from cube.permissions import ADMIN_ROLE
from cube.site_settings import default_timezone

MANAGE = "user.manage"
DENIED = _l("You may not manage users.")


@dataclass(frozen=True)
class UserData:
    """The editable fields of a user."""

    email: str
    name: str
    role_id: int
    phone: str = ""
    timezone: str = ""  # "" is the site's default zone
    team_ids: tuple[int, ...] = ()
    hourly_rate: Decimal | None = Decimal("0")  # None: left as it is (the editor may not see costs)
    language: str = ""  # "" follows the browser, then the site default


@dataclass(frozen=True)
class ProfileData:
    """What users may change about themselves."""

    name: str
    phone: str
    timezone: str
    language: str = ""  # "" follows the browser, then the site default


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA time zone name, sorted (read from disk once), for pickers and validation."""
    return tuple(sorted(available_timezones()))


@cache
def _timezone_set() -> frozenset[str]:
    return frozenset(timezone_names())


def _is_active_admin(user: User) -> bool:
    return user.active and user.role.name == ADMIN_ROLE


def _active_admin_count() -> int:
    query = select(func.count()).select_from(User).join(Role).where(User.active.is_(True), Role.name == ADMIN_ROLE)
    return db.session.scalar(query) or 0


def _check_fields(data: UserData | ProfileData, *, user: User | None) -> None:
    if not data.name.strip():
        raise ValidationFailed(_("Enter a name."), field="name")
    if data.timezone not in _timezone_set():
        raise ValidationFailed(_("Choose a time zone from the list."), field="timezone")
    if data.language and not is_shipped(data.language):
        raise ValidationFailed(_("Choose a language from the list."), field="language")
    if isinstance(data, UserData):
        email = auth.normalise_email(data.email)
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError as exc:
            message = _("Enter a valid e-mail address (%(reason)s).", reason=str(exc))
            raise ValidationFailed(message, field="email") from exc
        clash = select(User.id).where(User.email == email)
        if user is not None:
            clash = clash.where(User.id != user.id)
        if db.session.scalar(clash) is not None:
            raise ValidationFailed(_("Another user already has this e-mail address."), field="email")
        if data.hourly_rate is not None and not Decimal(0) <= Decimal(data.hourly_rate) <= Decimal(100_000):
            raise ValidationFailed(_("The hourly rate must be between 0 and 100,000."), field="hourly_rate")
        if db.session.get(Role, data.role_id) is None:
            raise ValidationFailed(_("Choose a role from the list."), field="role_id")


def _teams(team_ids: Sequence[int]) -> list[Team]:
    teams = list(db.session.scalars(select(Team).where(Team.id.in_(team_ids)))) if team_ids else []
    if len(teams) != len(set(team_ids)):
        raise ValidationFailed(_("Choose teams from the list."), field="team_ids")
    return teams


def can_change_role_of(actor: Actor, user: User) -> bool:
    """False when ``user`` is ``actor`` themselves: nobody changes the role they hold."""
    return person_id(actor) != user.id


def can_deactivate(actor: Actor, user: User) -> bool:
    """False when ``user`` is ``actor`` themselves: nobody locks themselves out."""
    return person_id(actor) != user.id


def create_user(actor: Actor, data: UserData, *, invite: bool = True) -> User:
    """Create a user (in the site's default zone unless another is chosen); ``invite`` e-mails a password link."""
    require(actor, MANAGE, DENIED)
    data = replace(data, timezone=data.timezone or default_timezone())
    _check_fields(data, user=None)
    user = User(
        email=auth.normalise_email(data.email),
        name=data.name.strip(),
        phone=data.phone.strip(),
        timezone=data.timezone,
        language=data.language,
        role_id=data.role_id,
        hourly_rate=data.hourly_rate if data.hourly_rate is not None else Decimal("0"),
        password_hash=None,
        teams=_teams(data.team_ids),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", actor=actor, target=user, email=user.email, role_id=user.role_id)
    if invite:
        auth.send_invite_email(user, actor=actor)
    return user


def update_user(actor: Actor, user: User, data: UserData) -> None:
    """Change a user's details, role and teams, guarding self-promotion and the last admin."""
    require(actor, MANAGE, DENIED)
    # No zone given: the person keeps theirs; no rate given (the editor may not see costs): the same.
    data = replace(
        data,
        timezone=data.timezone or user.timezone,
        hourly_rate=data.hourly_rate if data.hourly_rate is not None else user.hourly_rate,
    )
    _check_fields(data, user=user)
    if data.role_id != user.role_id:
        if not can_change_role_of(actor, user):
            raise ValidationFailed(_("You cannot change your own role."), field="role_id")
        new_role = db.session.get(Role, data.role_id)
        if (
            _is_active_admin(user)
            and new_role is not None
            and new_role.name != ADMIN_ROLE
            and _active_admin_count() <= 1
        ):
            raise ValidationFailed(_("This is the last active admin; make someone else admin first."), field="role_id")
    changes = {
        name: [str(old), str(new)]
        for name, old, new in (
            ("email", user.email, auth.normalise_email(data.email)),
            ("name", user.name, data.name.strip()),
            ("phone", user.phone, data.phone.strip()),
            ("timezone", user.timezone, data.timezone),
            ("language", user.language, data.language),
            ("role_id", user.role_id, data.role_id),
            ("hourly_rate", user.hourly_rate, data.hourly_rate),
        )
        if old != new
    }
    old_teams, new_teams = sorted(team.id for team in user.teams), sorted(set(data.team_ids))
    if old_teams != new_teams:
        changes["team_ids"] = [old_teams, new_teams]  # ids: the audit log shows today's team names
    user.email = auth.normalise_email(data.email)
    user.name = data.name.strip()
    user.phone = data.phone.strip()
    user.timezone = data.timezone
    user.language = data.language
    user.role_id = data.role_id
    user.hourly_rate = data.hourly_rate
    user.teams = _teams(data.team_ids)
    db.session.flush()
    db.session.expire(user, ["role"])
    if changes:  # a save that changed nothing is not an event
        audit.record("user.updated", actor=actor, target=user, changes=changes)


def deactivate_user(actor: Actor, user: User) -> None:
    """Stop a user from signing in and end their sessions; history stays."""
    require(actor, MANAGE, DENIED)
    if not can_deactivate(actor, user):
        raise ValidationFailed(_("You cannot deactivate your own account."))
    if not user.active:
        return
    if _is_active_admin(user) and _active_admin_count() <= 1:
        raise ValidationFailed(_("This is the last active admin and cannot be deactivated."))
    user.active = False
    auth.end_sessions(user)
    audit.record("user.deactivated", actor=actor, target=user)


def reactivate_user(actor: Actor, user: User) -> None:
    """Let a deactivated user sign in again."""
    require(actor, MANAGE, DENIED)
    if user.active:
        return
    user.active = True
    auth.clear_sign_in_failures(user)
    db.session.flush()
    audit.record("user.reactivated", actor=actor, target=user)


def send_password_reset(actor: Actor, user: User) -> None:
    """An admin e-mails a user a reset link (the admin never sees a password)."""
    require(actor, MANAGE, DENIED)
    if not user.active:
        raise ValidationFailed(_("Reactivate the user before sending a reset link."))
    auth.send_reset_email(user, actor=actor)


def update_profile(actor: Actor, data: ProfileData) -> None:
    """A person changes their own name, phone and time zone (the system has no profile)."""
    if actor.is_system:
        raise NotAllowed(_("Only a person has a profile."))
    user: User = actor  # type: ignore[assignment]
    _check_fields(data, user=user)
    user.name = data.name.strip()
    user.phone = data.phone.strip()
    user.timezone = data.timezone
    user.language = data.language
    db.session.flush()
    audit.record("user.profile_updated", actor=user, target=user)
