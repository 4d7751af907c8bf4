"""``flask cube ...`` commands: create users, seed demo data."""

from __future__ import annotations

import os
from decimal import Decimal

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from cube.actors import SYSTEM
from cube.auth import services as auth
from cube.demo import HOURLY_RATES, seed_catalog, seed_checklist_templates, seed_work_orders
from cube.errors import DomainError
from cube.extensions import db
from cube.languages import LANGUAGES
from cube.models import Team, User
from cube.users import roles as role_service
from cube.users import services as user_service
from cube.users import teams as team_service
from cube.workflow.defaults import ensure_default_workflow

cube_cli = AppGroup("cube", help="CUBE-PRO administration commands.")

DEMO_PASSWORD_DEFAULT = "cube-demo-2026!"  # noqa: S105 (documented demo login)
# e-mail, name, role, time zone, language ("" follows the browser)
DEMO_USERS = [
    ("admin@example.com", "Ada Admin", "admin", "UTC", ""),
    ("manager@example.com", "Morgan Manager", "manager", "Europe/London", ""),
    ("supervisor@example.com", "Sam Supervisor", "supervisor", "Europe/Berlin", ""),
    ("tech@example.com", "Taylor Technician", "technician", "Europe/Berlin", ""),
    ("tech2@example.com", "Jordan Fixer", "technician", "America/New_York", ""),
    ("requester@example.com", "Riley Requester", "requester", "UTC", ""),
    ("lena@example.com", "Lena Krause", "technician", "Europe/Berlin", "de"),
    ("layla@example.com", "Layla Haddad", "requester", "Asia/Dubai", "ar"),
]
DEMO_TEAMS = [
    (
        "Facilities",
        "Building services, HVAC and plumbing",
        "supervisor@example.com",
        ["tech@example.com", "lena@example.com"],
    ),
    ("Electrical", "Power, lighting and controls", "supervisor@example.com", ["tech2@example.com"]),
]


def _password_from_env_or_prompt() -> str:
    password = os.environ.get("CUBE_PASSWORD")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _create(email: str, name: str | None, role_name: str) -> None:
    role_service.ensure_builtin_roles()
    role = role_service.role_by_name(role_name)
    if role is None:
        names = ", ".join(r.name for r in role_service.all_roles())
        raise click.ClickException(f"No role {role_name!r}; choose one of: {names}")
    password = _password_from_env_or_prompt()
    data = user_service.UserData(email=email, name=name or email.split("@")[0], role_id=role.id)
    try:
        problems = auth.password_problems(password, email)
        if problems:
            raise click.ClickException(" ".join(problems))
        user = user_service.create_user(SYSTEM, data, invite=False)
        auth.set_password(user, password, actor=SYSTEM, reason="cli")
    except DomainError as exc:  # not cube.edge: a command reports a refusal on the terminal, not in a flash
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"Created {role.name} {user.email}.")


@cube_cli.command("create-user")
@click.argument("email")
@click.option("--role", "role_name", required=True, help="Role name, e.g. technician.")
@click.option("--name", help="Display name (defaults to the e-mail's local part).")
def create_user_command(email: str, role_name: str, name: str | None) -> None:
    """Create a user; the password comes from CUBE_PASSWORD or a prompt."""
    _create(email, name, role_name)


@cube_cli.command("create-admin")
@click.argument("email")
@click.option("--name", help="Display name.")
def create_admin_command(email: str, name: str | None) -> None:
    """Create an admin; the password comes from CUBE_PASSWORD or a prompt."""
    _create(email, name, "admin")


@cube_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo_command(if_empty: bool) -> None:
    """Add demo users (one per role) and teams. Safe to run twice."""
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database has users already; demo data not added.")
        return
    role_service.ensure_builtin_roles()
    password = os.environ.get("CUBE_DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
    users: dict[str, User] = {}
    for email, name, role_name, timezone, language in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            role = role_service.role_by_name(role_name)
            assert role is not None
            rate = HOURLY_RATES.get(email, Decimal("0"))
            data = user_service.UserData(
                email=email, name=name, role_id=role.id, timezone=timezone, language=language, hourly_rate=rate
            )
            user = user_service.create_user(SYSTEM, data, invite=False)
            auth.set_password(user, password, actor=SYSTEM, reason="demo")
        users[email] = user
    for team_name, description, supervisor, members in DEMO_TEAMS:
        if db.session.scalar(select(Team).where(Team.name == team_name)) is None:
            data = team_service.TeamData(
                name=team_name,
                description=description,
                supervisor_id=users[supervisor].id,
                member_ids=tuple(users[m].id for m in [supervisor, *members]),
            )
            team_service.save_team(SYSTEM, None, data)
    seed_catalog(SYSTEM)
    ensure_default_workflow()
    seed_checklist_templates(users["admin@example.com"])
    seed_work_orders(users["supervisor@example.com"], users)
    db.session.commit()
    click.echo(f"Demo data ready. Sign in at /auth/login with any of these (password: {password}):")
    for email, _, role_name, _, language in DEMO_USERS:
        click.echo(f"  {role_name:<11} {email}" + (f" ({LANGUAGES[language]})" if language else ""))


def register_cli(app: Flask) -> None:
    """Attach the ``cube`` command group."""
    app.cli.add_command(cube_cli)
