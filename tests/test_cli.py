"""flask cube create-user, create-admin and seed-demo."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from cube.cli import DEMO_USERS
from cube.demo import CHECKLIST_TEMPLATES
from cube.extensions import db
from cube.models import AuditEvent, ChecklistItem, ChecklistTemplate, PartUsage, Team, TimeLog, User, WorkOrder
from tests.support import count, sign_in

GOOD = "cli-made-Passphrase-3"


def test_create_user_with_password_from_environment(runner, client):
    result = runner.invoke(
        args=["cube", "create-user", "Cli@Example.com", "--role", "technician", "--name", "Cli Person"],
        env={"CUBE_PASSWORD": GOOD},
    )
    assert result.exit_code == 0, result.output
    assert "Created technician cli@example.com" in result.output
    user = db.session.scalar(select(User).where(User.email == "cli@example.com"))
    assert user.name == "Cli Person"
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.target_id == user.id, AuditEvent.target_type == "User")
    )
    written = {row.action: (row.by_system, row.actor_id) for row in rows}
    assert written == {"user.created": (True, None), "auth.password_changed": (True, None)}  # the system acted
    assert sign_in(client, "cli@example.com", GOOD).status_code == 302


def test_create_user_prompts_for_the_password(runner):
    result = runner.invoke(
        args=["cube", "create-user", "prompt@example.com", "--role", "requester"], input=f"{GOOD}\n{GOOD}\n"
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "prompt@example.com")) is not None


def test_create_admin(runner):
    result = runner.invoke(args=["cube", "create-admin", "boss@example.com"], env={"CUBE_PASSWORD": GOOD})
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user.role.name == "admin"
    assert user.name == "boss"


def test_create_user_errors_change_nothing(runner):
    cases = [
        (["cube", "create-user", "x@example.com", "--role", "wizard"], GOOD, "No role 'wizard'"),
        (["cube", "create-user", "x@example.com", "--role", "technician"], "short", "at least 12"),
        (["cube", "create-user", "x@example.com", "--role", "technician"], "password1234", "too common"),
        (["cube", "create-user", "not-an-email", "--role", "technician"], GOOD, "e-mail"),
    ]
    for args, password, message in cases:
        result = runner.invoke(args=args, env={"CUBE_PASSWORD": password})
        assert result.exit_code != 0, args
        assert message in result.output, result.output
    assert count(User) == 0


def test_create_user_refuses_duplicates(runner):
    runner.invoke(args=["cube", "create-admin", "dup@example.com"], env={"CUBE_PASSWORD": GOOD})
    result = runner.invoke(
        args=["cube", "create-user", "DUP@example.com", "--role", "technician"], env={"CUBE_PASSWORD": GOOD}
    )
    assert result.exit_code != 0
    assert "already has this e-mail" in result.output
    assert count(User) == 1


def test_seed_demo_is_safe_to_run_twice(runner, client):
    first = runner.invoke(args=["cube", "seed-demo"], env={"CUBE_DEMO_PASSWORD": GOOD})
    second = runner.invoke(args=["cube", "seed-demo"], env={"CUBE_DEMO_PASSWORD": GOOD})
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    for email, *_ in DEMO_USERS:
        assert email in first.output
    assert count(User) == len(DEMO_USERS)
    assert count(Team) == 2
    roles = {u.role.name for u in db.session.scalars(select(User))}
    assert roles == {"admin", "manager", "supervisor", "technician", "requester"}
    assert sign_in(client, "admin@example.com", GOOD).status_code == 302


def test_seed_demo_gives_costs_and_checklists_something_real(runner, client):
    for _ in range(2):  # run twice: nothing doubles
        result = runner.invoke(args=["cube", "seed-demo"], env={"CUBE_DEMO_PASSWORD": GOOD})
        assert result.exit_code == 0, result.output
    technicians = list(db.session.scalars(select(User).where(User.role.has(name="technician"))))
    assert len(technicians) == 3
    assert all(person.hourly_rate > 0 for person in technicians)
    templates = {template.name: template for template in db.session.scalars(select(ChecklistTemplate))}
    assert sorted(templates) == sorted(name for name, _ in CHECKLIST_TEMPLATES)
    assert all(template.active and len(template.items) >= 3 for template in templates.values())
    from_templates = db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.label.in_(["Refrigerant pressure (bar)", "Filters fitted"]))
    ).all()
    assert len({item.work_order_id for item in from_templates}) == 3  # two chillers and a filter change
    assert any(item.answer for item in from_templates)
    assert any(not item.answer for item in from_templates)  # planned work waits for its answers
    assert count(PartUsage) >= 6
    assert db.session.scalar(select(func.count(func.distinct(PartUsage.product_id)))) >= 4
    assert db.session.scalar(select(func.min(TimeLog.hourly_rate))) > 0  # every entry carries its person's rate
    costs = db.session.scalars(select(WorkOrder.actual_cost).where(WorkOrder.actual_cost > 0)).all()
    assert len(costs) >= 4
    assert all(cost > Decimal("50") for cost in costs)


def test_seed_demo_if_empty_leaves_a_used_database_alone(runner, make_user):
    make_user("admin")
    result = runner.invoke(args=["cube", "seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "not added" in result.output
    assert count(User) == 1
