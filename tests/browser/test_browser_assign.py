"""In Chromium: a supervisor's one "assign" brings a New work order to Assigned; checklist templates in the menu."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from cube.extensions import db
from cube.models import User
from cube.workorders import services
from tests.browser.conftest import ARTIFACTS, pick, shoot_widths
from tests.workorder_factories import default_ids

SHOTS = ARTIFACTS / "assign"
WIDTHS = (1366, 390)


def shoot(page: Page, name: str) -> None:
    """Screenshots of the page at 1366 and 390 px (to look at; git-ignored)."""
    shoot_widths(page, SHOTS, name)


def test_a_supervisor_assigns_a_new_work_order_and_it_is_assigned(app, page, make_account, submit_login):
    supervisor = make_account("supervisor", name="Sol Supervisor")
    lena = make_account("technician", name="Lena Krause")
    with app.app_context():
        type_id, priority_id = default_ids()
        data = services.WorkOrderData(title="Door closer", type_id=type_id, priority_id=priority_id)
        work_order = services.create_work_order(db.session.get(User, supervisor.id), data)
        db.session.commit()
        work_order_id, number = work_order.id, work_order.number
        db.session.remove()

    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    submit_login(page, supervisor.email, supervisor.password)
    page.goto(f"/work-orders/{work_order_id}")
    expect(page.get_by_test_id("work-order-status")).to_contain_text("New")
    pick(page, "Assignees", "lena", lena.name)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Save assignment", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_text(f"{number} assigned to Lena Krause and moved to Assigned.")).to_be_visible()
    expect(page.get_by_test_id("work-order-status")).to_contain_text("Assigned")
    shoot(page, "assigned")

    # Checklist templates: in the menu for a supervisor, and theirs to manage.
    page.goto("/")
    page.get_by_role("button", name=re.compile("Sol Supervisor")).click()  # the person's menu
    page.get_by_role("link", name="Checklist templates").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checklist templates")
    page.get_by_label("Name").fill("Door closer PM")
    page.get_by_label("Items").fill("Arm tension | pass_fail | required\nNotes | text")
    page.get_by_role("button", name="Add template").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("checklist-templates")).to_contain_text("Door closer PM")
    shoot(page, "checklist-templates")


def test_an_admin_sees_what_assignment_does_on_the_transitions_page(page, make_account, submit_login):
    admin = make_account("admin")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    submit_login(page, admin.email, admin.password)
    page.goto("/admin/workflow/transitions")
    expect(page.get_by_role("columnheader", name="On assignment")).to_be_visible()
    shoot(page, "transitions")
    page.goto("/admin/workflow/transitions")
    page.get_by_role("link", name="Edit New to Approved").click()
    page.wait_for_load_state()
    expect(page.get_by_label("Take it when someone is assigned")).to_be_checked()
    shoot(page, "transition-form")


def test_a_technician_sees_no_checklist_entry(page, make_account, submit_login):
    technician = make_account("technician")
    submit_login(page, technician.email, technician.password)
    page.goto("/")
    expect(page.get_by_test_id("nav-checklists")).to_have_count(0)
    response = page.goto("/work-orders/checklist-templates")
    assert response is not None
    assert response.status == 403
