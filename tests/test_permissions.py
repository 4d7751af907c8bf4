"""Access rules: every endpoint declares one, and each role gets what the matrix says."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from cube import create_app
from cube.actors import SYSTEM
from cube.extensions import db
from cube.models import User
from cube.permissions import BUILTIN_ROLES, PERMISSIONS, access_rule, can, public
from cube.products import companies, images
from tests.catalog_factories import make_asset, make_company, make_location, make_product
from tests.files import png
from tests.support import post
from tests.workorder_factories import make_work_order, transition_named

ANON = "anonymous"
EVERYONE = ("admin", "manager", "supervisor", "technician", "requester")
CATALOG_VIEW = ("admin", "manager", "supervisor", "technician")
CATALOG_EDIT = ("admin", "manager")
CATALOG_EXPORT = ("admin", "manager", "supervisor")
CHECKLIST_MANAGERS = ("admin", "manager", "supervisor")  # checklist.manage
SEE_ALL = ("admin", "manager")
HIDDEN = {"supervisor": 404, "technician": 404, "requester": 404}
# workorder.work endpoints: the permission is checked before the work order is looked up.
WORKING = {"manager": 403, "supervisor": 404, "technician": 404, "requester": 403}

# endpoint -> (method, url, roles that succeed[, {role: status for the others}]). Others get 403; anonymous
# users are sent to the login page (302) unless the endpoint is public.
MATRIX: dict[str, tuple[Any, ...]] = {
    "main.dashboard": ("GET", "/", EVERYONE),
    "main.healthz": ("GET", "/healthz", (*EVERYONE, ANON)),
    "main.readyz": ("GET", "/readyz", (*EVERYONE, ANON)),
    "auth.login": ("GET", "/auth/login", (ANON,)),
    "auth.logout": ("POST", "/auth/logout", EVERYONE),
    "auth.forgot_password": ("GET", "/auth/forgot", (*EVERYONE, ANON)),
    "auth.reset_password": ("GET", "/auth/reset/not-a-token", ()),
    "auth.unlock": ("GET", "/auth/unlock/not-a-token", ()),
    "users.list_users": ("GET", "/users", ("admin", "manager", "supervisor")),
    "users.export_users": ("GET", "/users/export.csv", ("admin", "manager")),
    "users.create_user": ("GET", "/users/new", ("admin",)),
    "users.show_user": ("GET", "/users/{user}", ("admin", "manager", "supervisor")),
    "users.edit_user": ("GET", "/users/{user}/edit", ("admin",)),
    "users.deactivate_user": ("POST", "/users/{user}/deactivate", ("admin",)),
    "users.reactivate_user": ("POST", "/users/{user}/reactivate", ("admin",)),
    "users.send_reset": ("POST", "/users/{user}/send-reset", ("admin",)),
    "users.roles": ("GET", "/roles", ("admin",)),
    "users.create_role": ("POST", "/roles/new", ("admin",)),
    "users.list_teams": ("GET", "/teams", ("admin", "manager", "supervisor")),
    "users.edit_team": ("GET", "/teams/{team}/edit", ("admin",)),
    "users.profile": ("GET", "/profile", EVERYONE),
    "users.change_password": ("POST", "/profile/password", EVERYONE),
    "users.audit_log": ("GET", "/audit", ("admin", "manager")),
    "users.site_settings_page": ("GET", "/settings", ("admin",)),
    "products.list_products": ("GET", "/products", CATALOG_VIEW),
    "products.show_product": ("GET", "/products/{product}", CATALOG_VIEW),
    "products.edit_product": ("GET", "/products/{product}/edit", CATALOG_EDIT),
    "products.low_stock": ("GET", "/stock/low", CATALOG_VIEW),
    "products.stock_ledger": ("GET", "/stock/movements", CATALOG_VIEW),
    "products.move_stock": ("POST", "/products/{product}/stock", CATALOG_VIEW),
    "products.list_categories": ("GET", "/categories", CATALOG_VIEW),
    "products.save_category": ("POST", "/categories/new", CATALOG_EDIT),
    "products.list_companies": ("GET", "/companies", CATALOG_VIEW),
    "products.show_company": ("GET", "/companies/{company}", CATALOG_VIEW),
    "products.edit_company": ("GET", "/companies/{company}/edit", CATALOG_EDIT),
    "products.add_contact": ("POST", "/companies/{company}/contacts", CATALOG_EDIT),
    "products.remove_contact": ("POST", "/companies/contacts/{contact}/delete", CATALOG_EDIT),
    "products.list_assets": ("GET", "/assets", CATALOG_VIEW),
    "products.show_asset": ("GET", "/assets/{asset}", CATALOG_VIEW),
    "products.edit_asset": ("GET", "/assets/{asset}/edit", CATALOG_EDIT),
    "products.list_locations": ("GET", "/locations", CATALOG_VIEW),
    "products.edit_location": ("GET", "/locations/{location}/edit", CATALOG_EDIT),
    "products.image_file": ("GET", "/products/images/{image}/thumb", CATALOG_VIEW),
    "products.upload_image": ("POST", "/products/{product}/images", CATALOG_EDIT),
    "products.move_image": ("POST", "/products/images/{image}/move", CATALOG_EDIT),
    "products.delete_image": ("POST", "/products/images/{image}/delete", CATALOG_EDIT),
    "products.asset_qr": ("GET", "/assets/{asset}/qr.svg", CATALOG_VIEW),
    "products.import_start": ("GET", "/import", CATALOG_EDIT),
    "products.import_template": ("GET", "/import/products/template.csv", CATALOG_EDIT),
    "products.import_preview": ("POST", "/import", CATALOG_EDIT),
    "products.import_commit": ("POST", "/import/" + "0" * 32, CATALOG_EDIT),
    "products.export_products": ("GET", "/products/export?format=csv", CATALOG_EXPORT),
    "products.export_companies": ("GET", "/companies/export?format=xlsx", CATALOG_EXPORT),
    "products.export_assets": ("GET", "/assets/export", CATALOG_EXPORT),
    "workorders.list_work_orders": ("GET", "/work-orders", EVERYONE),
    "workorders.create_work_order": ("GET", "/work-orders/new", EVERYONE),
    # The matrix's work order belongs to another requester: only view_all roles see it, others get 404.
    "workorders.show_work_order": ("GET", "/work-orders/{work_order}", SEE_ALL, HIDDEN),
    "workorders.edit_work_order": (
        "GET",
        "/work-orders/{work_order}/edit",
        SEE_ALL,
        {**HIDDEN, "technician": 403, "requester": 403},
    ),
    "workorders.transition": (
        "POST",
        "/work-orders/{work_order}/transition",
        (),
        {**HIDDEN, "admin": 400, "manager": 400},
    ),
    "workorders.add_comment": ("POST", "/work-orders/{work_order}/comments", SEE_ALL, HIDDEN),
    "workorders.assign": (
        "POST",
        "/work-orders/{work_order}/assign",
        SEE_ALL,
        {**HIDDEN, "technician": 403, "requester": 403},
    ),
    "workorders.board": ("GET", "/work-orders/board", EVERYONE),
    "workorders.calendar": ("GET", "/work-orders/calendar", EVERYONE),
    "workorders.work_order_pdf": ("GET", "/work-orders/{work_order}.pdf", SEE_ALL, HIDDEN),
    "workorders.export_work_orders": ("GET", "/work-orders/export?format=csv", CATALOG_EXPORT),
    "workorders.bulk_action": ("POST", "/work-orders/bulk", EVERYONE),  # nothing chosen: back to the list
    "workorders.checklist_templates": ("GET", "/work-orders/checklist-templates", CHECKLIST_MANAGERS),
    "workorders.edit_checklist_template": ("GET", "/work-orders/checklist-templates/{template}", CHECKLIST_MANAGERS),
    "workorders.add_checklist_item": ("POST", "/work-orders/{work_order}/checklist/items", SEE_ALL, HIDDEN),
    "workorders.add_checklist_template": ("POST", "/work-orders/{work_order}/checklist/from-template", SEE_ALL, HIDDEN),
    "workorders.answer_checklist_item": (
        "POST",
        "/work-orders/{work_order}/checklist/{item}/answer",
        ("admin",),
        WORKING,
    ),
    "workorders.create_follow_up": ("POST", "/work-orders/{work_order}/checklist/{item}/follow-up", SEE_ALL, HIDDEN),
    "workorders.start_timer": ("POST", "/work-orders/{work_order}/timer/start", ("admin",), WORKING),
    "workorders.stop_timer": ("POST", "/work-orders/{work_order}/timer/stop", ("admin",), WORKING),
    "workorders.add_time_entry": ("POST", "/work-orders/{work_order}/time", ("admin",), WORKING),
    "workorders.use_part": ("POST", "/work-orders/{work_order}/parts", ("admin",), WORKING),
    "workorders.return_part": ("POST", "/work-orders/{work_order}/parts/{usage}/return", ("admin",), WORKING),
    "workorders.search_parts": ("GET", "/work-orders/parts/search?q=matrix", ("admin", "supervisor", "technician")),
    "workorders.part_stock": ("GET", "/work-orders/parts/{product}/stock", ("admin", "supervisor", "technician")),
    # The workers are for those who see work beyond their own (view_team, view_all or assign): not requesters.
    "workorders.lookup_workers": ("GET", "/work-orders/lookup/workers?q=matrix", EVERYONE[:-1]),
    "workorders.lookup_people": ("GET", "/work-orders/lookup/people?q=matrix", ("admin", "manager", "supervisor")),
    "workorders.lookup_companies": ("GET", "/work-orders/lookup/companies?q=matrix", EVERYONE),
    "workorders.lookup_assets": ("GET", "/work-orders/lookup/assets?q=matrix", EVERYONE),
    "products.lookup_companies": ("GET", "/companies/lookup?q=matrix", CATALOG_VIEW),
    "workorders.upload_attachment": ("POST", "/work-orders/{work_order}/attachments", SEE_ALL, HIDDEN),
    "workorders.download_attachment": ("GET", "/work-orders/attachments/{attachment}", SEE_ALL, HIDDEN),
    "workflow.list_statuses": ("GET", "/admin/workflow/statuses", ("admin",)),
    "workflow.edit_status": ("GET", "/admin/workflow/statuses/new", ("admin",)),
    "workflow.list_transitions": ("GET", "/admin/workflow/transitions", ("admin",)),
    "workflow.edit_transition": ("GET", "/admin/workflow/transitions/new", ("admin",)),
    "workflow.list_priorities": ("GET", "/admin/workflow/priorities", ("admin",)),
    "workflow.edit_priority": ("GET", "/admin/workflow/priorities/new", ("admin",)),
    "workflow.list_types": ("GET", "/admin/workflow/types", ("admin",)),
    "workflow.edit_type": ("GET", "/admin/workflow/types/new", ("admin",)),
    "workflow.list_custom_fields": ("GET", "/admin/workflow/custom-fields", ("admin",)),
    "workflow.edit_custom_field": ("GET", "/admin/workflow/custom-fields/new", ("admin",)),
    # Last: these remove what the rows above use.
    "workorders.delete_time_entry": ("POST", "/work-orders/{work_order}/time/{time_log}/delete", SEE_ALL, HIDDEN),
    "workflow.delete_transition": ("POST", "/admin/workflow/transitions/{transition}/delete", ("admin",)),
    "workorders.delete_attachment": ("POST", "/work-orders/attachments/{attachment}/delete", SEE_ALL, HIDDEN),
    "workorders.archive": (
        "POST",
        "/work-orders/{work_order}/archive",
        SEE_ALL,
        {**HIDDEN, "technician": 403, "requester": 403},
    ),
}

SUCCESS = {200, 302, 422}  # 302: the action redirected back; 422: the empty form was refused


def test_every_endpoint_declares_an_access_rule(app: Flask):
    missing = [endpoint for endpoint, view in app.view_functions.items() if access_rule(view) is None]
    assert missing == []


def test_every_endpoint_is_in_the_role_matrix(app: Flask):
    assert set(app.view_functions) - {"static"} == set(MATRIX)


def test_a_view_without_a_rule_is_refused(database_url):
    guarded = create_app({"CUBE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})

    @guarded.route("/forgotten")
    def forgotten() -> str:
        return "should never be served"

    @guarded.route("/declared")
    @public
    def declared() -> str:
        return "fine"

    client = guarded.test_client()
    assert client.get("/forgotten").status_code == 403
    assert client.get("/declared").status_code == 200


def test_builtin_roles_only_name_known_permissions():
    for _, permissions in BUILTIN_ROLES.values():
        assert permissions <= set(PERMISSIONS)
    assert BUILTIN_ROLES["admin"][1] == set(PERMISSIONS)


def test_can_refuses_unknown_permission_names(app: Flask):
    with app.test_request_context(), pytest.raises(ValueError, match="unknown permission"):
        can("no.such.permission")


def work_order_parts(work_order, product, admin) -> dict[str, int]:
    """A work order with a checklist item, a time entry, a part used and an attachment, plus a template."""
    from datetime import timedelta

    from cube.models import utcnow
    from cube.workorders import attachments, checklists, parts, timelogs
    from tests.catalog_factories import stock

    shelf = make_location("Matrix shelf")
    stock(product, shelf, "5")
    ids = {
        "work_order": work_order.id,
        "item": checklists.add_item(admin, work_order, "Check the seal", "pass_fail", False).id,
        "time_log": timelogs.add_entry(admin, work_order, utcnow() - timedelta(hours=2), hours="1").id,
        "usage": parts.use_part(admin, work_order, product.id, shelf.id, "1").id,
        "attachment": attachments.add_attachment(admin, work_order, "photo.png", png(4, 4)).id,
        "template": checklists.save_template(
            admin, None, "Matrix checks", [{"label": "Look", "kind": "pass_fail", "required": False}]
        ).id,
    }
    db.session.commit()
    return ids


def _url(template: str, ids: dict[str, int]) -> str:
    return template.format(**ids)


@pytest.mark.parametrize("role", [*EVERYONE, ANON])
def test_role_matrix(app: Flask, client_as, make_user, make_team, role: str):
    target = make_user("requester")
    team = make_team("Matrix team")
    product = make_product("MATRIX-1")
    company = make_company("Matrix Co")
    contact = companies.add_contact(SYSTEM, company, companies.ContactData(name="Matrix Contact"))
    db.session.commit()
    ids = {
        "user": target.id,
        "team": team.id,
        "product": product.id,
        "company": company.id,
        "contact": contact.id,
        "asset": make_asset(product).id,
        "location": make_location().id,
        "image": images.add_image(SYSTEM, product, "matrix.png", png(4, 4)).id,
        **work_order_parts(make_work_order(target), product, make_user("admin")),
        "transition": transition_named("Rejected", "Reopen").id,
    }
    db.session.commit()
    client = app.test_client() if role == ANON else client_as(role)
    for endpoint, (method, template, allowed, *denied) in MATRIX.items():
        if endpoint == "auth.logout":
            continue  # checked last: it ends the session
        url = _url(template, ids)
        response = client.get(url) if method == "GET" else post(client, url)
        response.get_data()  # finish streamed downloads inside the request
        if role in allowed:
            assert response.status_code in SUCCESS, (endpoint, role, response.status_code)
            if role != ANON and method == "GET" and endpoint != "auth.login":
                assert response.status_code == 200, (endpoint, role, response.status_code)
        elif role == ANON:
            assert response.status_code == 302, (endpoint, role, response.status_code)
            assert "/auth/" in response.location, (endpoint, response.location)
        elif endpoint in ("auth.login", "auth.reset_password", "auth.unlock"):
            assert response.status_code == 302, (endpoint, role, response.status_code)
        else:
            expected = denied[0].get(role, 403) if denied else 403
            assert response.status_code == expected, (endpoint, role, response.status_code)
    method, template, allowed = MATRIX["auth.logout"][:3]
    response = post(client, template)
    assert response.status_code == 302
    assert response.location.startswith("/auth/login")


def test_denied_post_changes_nothing(technician_client, make_user):
    target = make_user("requester")
    response = post(technician_client, f"/users/{target.id}/deactivate")
    assert response.status_code == 403
    db.session.refresh(target)
    assert target.active


def test_technician_opening_user_admin_gets_403_page(technician_client):
    response = technician_client.get("/users")
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "Forbidden" in body
    assert 'aria-label="Main"' in body  # rendered in the site layout


def test_navbar_follows_permissions(client_as):
    admin_page = client_as("admin").get("/").get_data(as_text=True)
    tech_page = client_as("technician").get("/").get_data(as_text=True)
    for link in ('href="/users"', 'href="/roles"', 'href="/audit"'):
        assert link in admin_page
        assert link not in tech_page


def test_permission_granted_in_the_matrix_takes_effect(admin_client, client_as):
    technician = client_as("technician")
    assert technician.get("/teams").status_code == 403
    role_id = db.session.get(User, technician.user.id).role_id
    form = _matrix_form({role_id: {"team.view"}})
    assert post(admin_client, "/roles", form).status_code == 302
    assert technician.get("/teams").status_code == 200


def _matrix_form(extra: dict[int, set[str]]) -> dict[str, list[str]]:
    from cube.users import roles as role_service

    form: dict[str, list[str]] = {}
    for role in role_service.all_roles():
        form[f"perm-{role.id}"] = sorted(set(role.permissions) | extra.get(role.id, set()))
    return form
