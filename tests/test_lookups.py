"""The on-demand pickers' look-ups (people, companies, assets) and the forms they serve.

Each look-up answers at most 20 options by name for a typed term, scoped like its form; each form lists only the
chosen value, saves it, and refuses an id its look-up does not offer with nothing changed. The pages stay the same
size (statements and bytes) however many people and companies exist.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from cube.extensions import db
from cube.models import Product, Role, RolePermission, User, WorkOrder
from tests.catalog_factories import database_state, make_asset, make_company, make_location, make_product
from tests.support import QueryCounter, add_crowd, count, post, sign_in
from tests.workorder_factories import default_ids, make_work_order


def texts(client: Any, url: str) -> list[str]:
    """The option texts a look-up answers (it must answer 200)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [option["text"] for option in response.get_json()]


def deactivated(user: User) -> User:
    """``user``, no longer active."""
    user.active = False
    db.session.commit()
    return user


@pytest.fixture
def crowd(app) -> None:
    """30 technicians and 30 manufacturers named "Crowd ...", more than a look-up answers."""
    add_crowd(30, 30)


# --- the look-ups ------------------------------------------------------------------------------------------------


def test_the_worker_lookup_answers_20_workers_by_name_and_no_one_else(app, client_as, make_user, crowd):
    make_user("requester", name="Crowd Requester")  # may not do work
    deactivated(make_user("technician", name="Crowd Gone"))
    client = client_as("manager")

    found = texts(client, "/work-orders/lookup/workers?q=crowd")

    assert len(found) == 20
    assert found == sorted(found)
    assert all(text.startswith("Crowd Person ") for text in found)
    assert texts(client, "/work-orders/lookup/workers?q=person 29") == ["Crowd Person 29"]  # a word's start
    assert texts(client, "/work-orders/lookup/workers?q=rowd") == []  # not the middle of a word
    assert client.get("/work-orders/lookup/workers?q=crowd").get_json()[0]["optgroup"] == "No team"


def test_the_people_lookup_offers_every_active_person_to_those_who_assign(app, client_as, make_user):
    rita = make_user("requester", name="Rita Requester")
    deactivated(make_user("requester", name="Rita Gone"))

    assert texts(client_as("supervisor"), "/work-orders/lookup/people?q=rita") == ["Rita Requester"]
    assert client_as("technician").get("/work-orders/lookup/people?q=rita").status_code == 403
    answer = client_as("supervisor").get(f"/work-orders/lookup/people?ids={rita.id}").get_json()
    assert answer == [{"value": rita.id, "text": "Rita Requester"}]


def test_company_lookups_scope_archived_companies_and_manufacturers(app, client_as):
    make_company("Zeta Makers", is_manufacturer=True)
    make_company("Zeta Customers", is_customer=True)
    make_company("Zeta Archived", active=False)
    client = client_as("technician")

    assert texts(client, "/work-orders/lookup/companies?q=zeta") == ["Zeta Archived", "Zeta Customers", "Zeta Makers"]
    assert texts(client, "/companies/lookup?q=zeta") == ["Zeta Customers", "Zeta Makers"]
    assert texts(client, "/companies/lookup?q=zeta&manufacturers=1") == ["Zeta Makers"]
    assert client_as("requester").get("/companies/lookup?q=zeta").status_code == 403


def test_the_asset_lookup_finds_by_serial_product_or_location(app, client_as, make_user):
    pump = make_product("PMP-1", "Booster pump")
    hall = make_location("Boiler hall")
    make_asset(pump, "SN-7781", location_id=hall.id)
    make_asset(make_product("FAN-1", "Roof fan"), "XY-1")
    client = client_as("requester")  # creates work orders, so names their asset

    expected = ["SN-7781 — Booster pump (Boiler hall)"]
    assert texts(client, "/work-orders/lookup/assets?q=sn-77") == expected
    assert texts(client, "/work-orders/lookup/assets?q=pump") == expected
    assert texts(client, "/work-orders/lookup/assets?q=boiler") == expected
    assert texts(client, "/work-orders/lookup/assets?q=roof") == ["XY-1 — Roof fan"]
    viewer = Role(name="viewer", description="Sees the catalog only")
    viewer.grants = [RolePermission(permission="catalog.view")]
    db.session.add(viewer)
    db.session.commit()
    outsider = app.test_client()
    sign_in(outsider, make_user("viewer").email)
    assert outsider.get("/work-orders/lookup/assets?q=pump").status_code == 403


def test_the_asset_lookup_finds_anywhere_in_a_serial_and_by_the_assets_name_or_owner(app, client_as):
    chiller = make_product("CH-1", "Chiller")
    northwind = make_company("Northwind Facilities")
    make_asset(chiller, "CH200-0002", name="Roof chiller", company_id=northwind.id)
    make_asset(chiller, "CH100-0001")
    client = client_as("requester")

    expected = ["CH200-0002 · Roof chiller — Chiller (Northwind Facilities)"]
    assert texts(client, "/work-orders/lookup/assets?q=0002") == expected  # inside the serial number
    assert texts(client, "/work-orders/lookup/assets?q=h200") == expected
    assert texts(client, "/work-orders/lookup/assets?q=roof chil") == expected  # the asset's own name
    assert texts(client, "/work-orders/lookup/assets?q=northwind") == expected  # its owner
    assert texts(client, "/work-orders/lookup/assets?q=oof") == []  # names match at a word's start
    assert texts(client, "/work-orders/lookup/assets?q=-000") == ["CH100-0001 — Chiller", *expected]  # by serial


@pytest.mark.parametrize(
    "url",
    [
        "/work-orders/lookup/workers",
        "/work-orders/lookup/people",
        "/work-orders/lookup/companies",
        "/work-orders/lookup/assets",
        "/companies/lookup",
    ],
)
def test_a_lookup_answers_nothing_for_no_term_and_400_for_bad_ids(app, client_as, crowd, url):
    client = client_as("admin")

    assert texts(client, url) == []
    assert texts(client, url + "?q=%20%20") == []
    assert texts(client, url + "?q=%25") == []  # "%" is a character, not a wildcard
    assert texts(client, url + "?q=" + "x" * 5000) == []
    assert client.get(url + "?ids=abc").status_code == 400
    assert client.get(url + "?ids=-1").status_code == 400
    assert client.get(url + "?" + urlencode([("ids", n) for n in range(1, 22)])).status_code == 400
    assert texts(client, url + "?ids=2147483647") == []


def test_a_requester_may_not_list_the_workers_nor_filter_by_assignee(app, client_as, make_user):
    tia = make_user("technician", name="Tia Tech")
    requester = client_as("requester")

    assert requester.get("/work-orders/lookup/workers?q=tia").status_code == 403
    page = requester.get(f"/work-orders?assignee={tia.id}").get_data(as_text=True)
    assert 'name="assignee"' not in page
    assert 'data-testid="chip-assignee"' not in page
    for url in ("/work-orders/board", "/work-orders/calendar"):
        assert 'name="assignee"' not in requester.get(url).get_data(as_text=True)
    technician = client_as("technician")  # sees the team's work: may filter it by assignee
    assert texts(technician, "/work-orders/lookup/workers?q=tia") == ["Tia Tech"]
    assert 'name="assignee"' in technician.get("/work-orders").get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/work-orders/lookup/workers?q=a",
        "/work-orders/lookup/companies?q=a",
        "/companies/lookup?q=a",
        "/work-orders/parts/search?q=a",
        "/work-orders/parts/1/stock",
    ],
)
def test_a_signed_out_lookup_answers_401_json_and_a_page_still_redirects(app, url):
    client = app.test_client()

    answer = client.get(url, headers={"Accept": "application/json"})

    assert answer.status_code == 401
    assert answer.get_json()["error"]["message"] == "You are signed out. Sign in again."
    page = client.get(url)  # a browser's navigation asks for a page: the sign-in page, as before
    assert page.status_code == 302
    assert "/auth/login" in page.location


# --- the forms ---------------------------------------------------------------------------------------------------


def new_work_order(**fields: str) -> dict[str, str]:
    """A new work order form with ``fields``."""
    type_id, priority_id = default_ids()
    return {"title": "Picked", "type_id": str(type_id), "priority_id": str(priority_id), **fields}


def test_the_work_order_form_saves_what_the_pickers_chose(app, client_as, make_user):
    company = make_company("Chosen Co", active=False)  # work orders may name archived companies
    asset = make_asset(make_product("AS-1", "Air handler"), "AH-1")
    supervisor = make_user("supervisor", name="Sue Pervisor")
    requester = make_user("requester", name="Rita Requester")
    client = client_as("manager")

    response = post(
        client,
        "/work-orders/new",
        new_work_order(
            company_id=str(company.id),
            asset_id=str(asset.id),
            supervisor_id=str(supervisor.id),
            requester_id=str(requester.id),
            submission_key="p" * 32,
        ),
    )

    assert response.status_code == 302
    work_order = db.session.scalar(select(WorkOrder).where(WorkOrder.title == "Picked"))
    assert (work_order.company_id, work_order.asset_id) == (company.id, asset.id)
    assert (work_order.supervisor_id, work_order.requester_id) == (supervisor.id, requester.id)
    edit = client.get(f"/work-orders/{work_order.id}/edit").get_data(as_text=True)
    assert ">AH-1 — Air handler</option>" in edit  # the chosen asset is listed, selected
    assert f'<option selected value="{asset.id}">' in edit


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("asset_id", "Choose an asset from the list."),
        ("company_id", "Choose a company from the list."),
        ("supervisor_id", "Choose a supervisor from the list."),
        ("requester_id", "Choose a requester from the list."),
    ],
)
def test_the_work_order_form_refuses_an_id_its_picker_does_not_offer(app, client_as, make_user, field, message):
    gone = deactivated(make_user("technician", name="Gone Person"))
    client = client_as("manager")
    before = database_state()

    for value in ("2147483647", str(gone.id) if field.endswith("visor_id") or field == "requester_id" else "999"):
        response = post(client, "/work-orders/new", new_work_order(**{field: value}, submission_key="q" * 32))

        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert database_state() == before


def test_catalog_forms_save_a_chosen_company_and_refuse_an_archived_one(app, client_as):
    maker = make_company("Maker Ltd", is_manufacturer=True)
    archived = make_company("Old Maker", is_manufacturer=True, active=False)
    product = make_product("CAT-1", "Catalogued")
    manager = client_as("manager")
    form = {"sku": "NEW-9", "name": "New", "unit": "each", "unit_cost": "1", "unit_price": "1", "min_stock": "0"}
    before = database_state()

    refused = post(manager, "/products/new", {**form, "manufacturer_id": str(archived.id)})
    refused_asset = post(
        manager,
        "/assets/new",
        {"product_sku": "CAT-1", "serial_number": "S-9", "status": "in_service", "company_id": str(archived.id)},
    )

    assert refused.status_code == 200
    assert "Choose a manufacturer from the list." in refused.get_data(as_text=True)
    assert refused_asset.status_code == 200
    assert "Choose a company from the list." in refused_asset.get_data(as_text=True)
    assert database_state() == before
    assert post(manager, "/products/new", {**form, "manufacturer_id": str(maker.id)}).status_code == 302
    assert db.session.scalar(select(Product.manufacturer_id).where(Product.sku_key == "new-9")) == maker.id
    saved = post(
        manager,
        "/assets/new",
        {"product_sku": product.sku, "serial_number": "S-9", "status": "in_service", "company_id": str(maker.id)},
    )
    assert saved.status_code == 302


def test_list_filters_ignore_a_person_or_company_the_pickers_do_not_offer(app, client_as, make_user):
    manager = client_as("manager")
    make_work_order(make_user("supervisor"), "Still listed")
    requester = make_user("requester", name="Not A Worker")

    page = manager.get(f"/work-orders?assignee={requester.id}&company=2147483647").get_data(as_text=True)

    assert "Still listed" in page
    assert 'data-testid="chip-assignee"' not in page
    assert 'data-testid="chip-company"' not in page


# --- pages that do not grow --------------------------------------------------------------------------------------


def page_cost(client: Any, url: str) -> tuple[int, int]:
    """(SQL statements, bytes) of a second GET of ``url``."""
    client.get(url)
    with QueryCounter(db.engine) as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count, len(response.get_data())


def test_pages_cost_the_same_with_5000_more_people_and_companies(app, make_user):
    supervisor = make_user("supervisor", name="Sam Supervisor")
    worker = make_user("technician", name="Tia Tech")
    company = make_company("Filter Co", is_manufacturer=True)
    make_product("GROW-1", "Growing", manufacturer_id=company.id)
    work_order = make_work_order(supervisor, "Counted", assignees=(worker,), company_id=company.id)
    manager = app.test_client()
    assert sign_in(manager, make_user("manager", name="Max Manager").email).status_code == 302
    urls = [
        "/work-orders",
        f"/work-orders?assignee={worker.id}&company={company.id}",
        "/work-orders/new",
        f"/work-orders/{work_order.id}",
        f"/work-orders/{work_order.id}/edit",
        "/products",
        f"/products?manufacturer={company.id}",
    ]
    few = {url: page_cost(manager, url) for url in urls}

    add_crowd(5000, 5000)
    many = {url: page_cost(manager, url) for url in urls}

    assert count(User) > 5000
    assert many == few
