"""Views reach the services through cube.edge: no view module holds its own blueprint, commit-and-flash
variant or ``except DomainError``, except the few that say why; the dashboard's queries live in a query module."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from cube.auth import services as auth_services
from cube.extensions import db
from cube.models import AuditEvent, User
from tests.catalog_factories import database_state
from tests.support import post

CUBE = Path(__file__).resolve().parent.parent / "cube"
DOMAIN_ERRORS = {
    "DomainError",
    "NotAllowed",
    "NotFound",
    "InvalidTransition",
    "Conflict",
    "EditConflict",
    "ValidationFailed",
    "TooManyAttempts",
}
# Views that handle a domain error themselves, each saying why in a comment on the try or except line.
OWN_HANDLING = {
    ("auth/routes.py", "login"),  # a refused sign-in commits its failure count
    ("workorders/bulk_routes.py", "bulk_action"),  # the bulk report page
    ("workorders/checklist_routes.py", "add_checklist_template"),  # an unknown template is bad input there
}


def _view_modules() -> list[Path]:
    return sorted(p for p in CUBE.rglob("*.py") if p.name == "routes.py" or p.name.endswith("_routes.py"))


def _functions(tree: ast.Module) -> list[ast.FunctionDef]:
    """The module's top-level functions (a view with its nested helpers)."""
    return [node for node in tree.body if isinstance(node, ast.FunctionDef)]


def _names(node: ast.expr | None) -> set[str]:
    """The exception class names an ``except`` clause catches."""
    if node is None:
        return set()
    items = node.elts if isinstance(node, ast.Tuple) else [node]
    return {item.id if isinstance(item, ast.Name) else getattr(item, "attr", "") for item in items}


def test_no_view_module_defines_a_blueprint() -> None:
    """Blueprints live in blueprint.py, so view modules never import each other for one."""
    defining = []
    for path in _view_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Blueprint":
                defining.append(str(path.relative_to(CUBE)))
    assert defining == []
    assert (CUBE / "auth" / "blueprint.py").exists()
    assert (CUBE / "main" / "blueprint.py").exists()


def test_views_leave_domain_errors_to_the_edge() -> None:
    """Every ``except <domain error>`` in a view is one of the listed exceptions, and says why in a comment."""
    found = set()
    for path in _view_modules():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for function in _functions(ast.parse(source)):
            for node in ast.walk(function):
                if not isinstance(node, ast.Try):
                    continue
                for handler in node.handlers:
                    if _names(handler.type) & DOMAIN_ERRORS:
                        where = (str(path.relative_to(CUBE)), function.name)
                        found.add(where)
                        said = [lines[handler.lineno - 1], lines[node.lineno - 1], lines[node.lineno - 2]]
                        assert any("#" in line for line in said), f"{where}: say why this view handles it itself"
    assert found <= OWN_HANDLING, sorted(found - OWN_HANDLING)


def test_the_dashboard_runs_no_query_of_its_own() -> None:
    """Its figures come from cube/main/queries.py (the recent audit rows through the audit log's query)."""
    source = (CUBE / "main" / "routes.py").read_text(encoding="utf-8")
    assert "select(" not in source
    assert "audit_query" in (CUBE / "main" / "queries.py").read_text(encoding="utf-8")


def test_the_dashboard_lists_the_newest_audit_rows_first(client_as: Callable[[str], FlaskClient]) -> None:
    admin = client_as("admin")
    db.session.add_all(AuditEvent(action=f"test.step{n}", target_type="Test", target_id=n) for n in range(10))
    db.session.commit()
    page = admin.get("/").get_data(as_text=True)
    shown = [n for n in range(10) if f"Test step{n}" in page]  # unknown actions are spelled out in words
    assert shown == list(range(2, 10))  # the eight newest
    assert page.index("Test step9") < page.index("Test step2")


def test_a_refused_new_password_shows_the_form_again_and_changes_nothing(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    """The reset page through save_form: the rule's message on the field (200, as before), nothing written."""
    user = make_user("technician")
    token = auth_services.make_token(user)
    db.session.commit()
    before = database_state()
    response = post(client, f"/auth/reset/{token}", {"password": "password1234", "confirm": "password1234"})
    assert response.status_code == 200
    assert "too common" in response.get_data(as_text=True)
    db.session.expire_all()
    assert database_state() == before
    assert auth_services.user_for_token(token, auth_services.RESET) is not None  # the link still works


@pytest.mark.parametrize("token", ["not-a-token"])
def test_a_used_or_bad_unlock_link_is_refused_with_a_message(client: FlaskClient, token: str) -> None:
    response = client.get(f"/auth/unlock/{token}", follow_redirects=True)
    assert "invalid, expired or already used" in response.get_data(as_text=True)
