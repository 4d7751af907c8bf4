"""Issue 8, finding 4: hourly rates, labour and part costs and cost totals need workorder.view_costs, on the
detail page, the PDF and the exports; requesters (and technicians) do not hold it, supervisors do."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from flask_migrate import downgrade, upgrade
from pypdf import PdfReader
from sqlalchemy import select

from cube.actors import SYSTEM
from cube.extensions import db
from cube.models import Role, RolePermission, User, WorkOrder, utcnow
from cube.permissions import BUILTIN_ROLES, PERMISSIONS
from cube.users import roles as role_service
from cube.workorders import parts, timelogs
from tests.catalog_factories import make_location, make_product, stock
from tests.support import sign_in
from tests.workorder_factories import make_work_order

VIEW_COSTS = "workorder.view_costs"
# Every money figure the work order below carries, as the page, PDF and export print them.
FIGURES = {
    "hourly rate": "87.65",
    "labour cost": "175.30",
    "part unit cost": "43.21",
    "part cost": "129.63",
    "parts cost": "129.63",
    "total cost": "304.93",
    "estimated cost": "1234.56",
}


def _visible(text: str) -> set[str]:
    """The figures present in ``text`` (with or without a thousands separator)."""
    flat = text.replace(",", "")
    return {name for name, figure in FIGURES.items() if figure in flat}


@pytest.fixture
def costed(app, make_user, make_team) -> dict[str, object]:
    """A requester's work order in a supervisor's team, with 2 h logged at 87.65/h and 3 parts at 43.21."""
    requester = make_user("requester")
    supervisor = make_user("supervisor")
    worker = make_user("admin", hourly_rate=Decimal("87.65"))
    team = make_team("Costed team", supervisor=supervisor, members=(supervisor,))
    product = make_product("COST-1", "Bearing", unit_cost=Decimal("43.21"))
    shelf = make_location("Cost shelf")
    stock(product, shelf, "10")
    work_order = make_work_order(requester, "Noisy bearing")
    work_order.estimated_cost, work_order.team_id = Decimal("1234.56"), team.id  # set by triage, not the requester
    timelogs.add_entry(worker, work_order, utcnow() - timedelta(hours=3), hours="2", note="Swapped it")
    parts.use_part(worker, work_order, product.id, shelf.id, "3")
    db.session.commit()
    db.session.refresh(work_order)
    assert (work_order.actual_cost, work_order.actual_hours) == (Decimal("304.93"), Decimal("2.00"))
    return {"requester": requester, "supervisor": supervisor, "work_order": work_order}


def _client(app, user: User):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_the_permission_is_held_by_admin_manager_and_supervisor_only():
    assert VIEW_COSTS in PERMISSIONS
    holders = {name for name, (_, permissions) in BUILTIN_ROLES.items() if VIEW_COSTS in permissions}
    assert holders == {"admin", "manager", "supervisor"}


def test_a_requester_sees_no_cost_figure_on_the_page_or_the_pdf(app, costed):
    client = _client(app, costed["requester"])
    work_order = costed["work_order"]

    page = client.get(f"/work-orders/{work_order.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Swapped it" in html  # the time entry and the part are shown ...
    assert "COST-1" in html
    assert "2.00" in html  # ... with hours and quantities
    assert _visible(html) == set()  # ... but no money
    for heading in ("Rate", "Unit cost", "Labour cost", "Total cost"):
        assert heading not in html

    pdf = client.get(f"/work-orders/{work_order.id}.pdf")
    assert pdf.status_code == 200
    text = _pdf_text(pdf.data)
    assert "COST-1" in text
    assert _visible(text) == set()
    assert "Unit cost" not in text
    assert "Actual cost" not in text


def test_a_supervisor_sees_every_cost_figure_on_the_page_the_pdf_and_the_export(app, costed):
    client = _client(app, costed["supervisor"])
    work_order = costed["work_order"]

    html = client.get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    assert _visible(html) == set(FIGURES)

    text = _pdf_text(client.get(f"/work-orders/{work_order.id}.pdf").data)
    assert {"part unit cost", "part cost", "total cost", "estimated cost"} <= _visible(text)

    export = client.get("/work-orders/export?format=csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert "Actual cost" in rows[0]
    assert rows[1][rows[0].index("Actual cost")] == "304.93"


def test_exports_leave_out_costs_for_roles_without_the_permission(app, costed, make_user):
    """A requester cannot export at all; a role that may export but not see costs gets no cost column."""
    requester = _client(app, costed["requester"])
    assert requester.get("/work-orders/export?format=csv").status_code == 403

    clerk_role = role_service.create_role(SYSTEM, "clerk", "Exports lists")
    clerk_role.grants = [RolePermission(permission=p) for p in ("workorder.view_all", "workorder.export")]
    db.session.commit()
    clerk = _client(app, make_user("clerk"))
    for fmt in ("csv", "xlsx"):
        response = clerk.get(f"/work-orders/export?format={fmt}")
        assert response.status_code == 200
        body = response.data
        if fmt == "xlsx":
            from openpyxl import load_workbook

            sheet = load_workbook(BytesIO(body), read_only=True).active
            text = "\n".join(",".join(str(c or "") for c in row) for row in sheet.iter_rows(values_only=True))
        else:
            text = body.decode("utf-8-sig")
        assert "Noisy bearing" in text
        assert "Actual cost" not in text
        assert _visible(text) == set()


def test_a_technician_does_not_see_costs_either(app, costed, make_user):
    technician = make_user("technician")
    work_order = db.session.get(WorkOrder, costed["work_order"].id)
    work_order.assignees = [technician]
    db.session.commit()
    html = _client(app, technician).get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    assert "Swapped it" in html
    assert _visible(html) == set()


def test_the_migration_grants_the_permission_to_roles_that_manage_work(app):
    """Upgrading an existing database: built-in admin, manager, supervisor and custom roles holding
    workorder.edit or workorder.view_all get workorder.view_costs; requesters and technicians do not."""
    db.session.remove()
    downgrade(revision="321761020571")
    try:
        assert db.session.scalar(select(RolePermission).where(RolePermission.permission == VIEW_COSTS)) is None
        for name, permissions in (("planner", ("workorder.edit",)), ("filer", ("workorder.create",))):
            role = role_service.create_role(SYSTEM, name, "")
            role.grants = [RolePermission(permission=p) for p in permissions]
        db.session.commit()
    finally:
        db.session.remove()  # an open read would hold a lock that the migrations' ALTER TABLE waits on
        upgrade()
    holders = {role.name for role in db.session.scalars(select(Role)) if VIEW_COSTS in role.permissions}
    assert holders == {"admin", "manager", "supervisor", "planner"}


def test_money_in_the_history_is_shown_only_with_the_permission(app, costed):
    """An edit of the estimated cost and a part's unit cost stay out of a requester's timeline."""
    from cube.workorders import events

    work_order = db.session.get(WorkOrder, costed["work_order"].id)
    changes = {"Estimated cost": ["1234.56", "999.99"], "Title": ["Noisy bearing", "Very noisy bearing"]}
    events.record(work_order, costed["supervisor"], "edited", changes=changes)
    db.session.commit()

    requester = _client(app, costed["requester"]).get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    assert "Very noisy bearing" in requester  # the rest of the history is there
    assert "Part used" in requester
    assert "999.99" not in requester
    assert "Estimated cost" not in requester
    assert "43.21" not in requester

    supervisor = _client(app, costed["supervisor"]).get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    assert "999.99" in supervisor
    assert "at 43.21 each" in supervisor
