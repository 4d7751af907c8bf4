"""The audit log in words: actions, records by today's name, details with names, System rows, no raw keys."""

from __future__ import annotations

import html
import re
from decimal import Decimal

from cube import audit
from cube.actors import SYSTEM
from cube.extensions import db
from cube.models import AuditEvent, User
from cube.permissions import PERMISSIONS
from cube.products import assets, catalog, inventory
from cube.users import roles as role_service
from cube.users import services as user_service
from cube.users import teams as team_service
from cube.workflow import settings as workflow
from tests.catalog_factories import make_asset, make_location, make_product, stock
from tests.support import count, fresh, sign_in, statements_for

TABLE = re.compile(r"<table.*?</table>", re.S)
RAW = re.compile(r"role_id|hourly_rate|team_ids|[{}\[\]]|#\d|\bNone\b|\bTrue\b|\bFalse\b")


def table_of(page: str) -> str:
    """The page's table with a Who column (the audit or ledger table; the rest holds other tables, code, styles)."""
    found = [table for table in TABLE.findall(page) if '<th scope="col">Who</th>' in table]
    assert len(found) == 1, page[:500]
    return found[0]


def entries_text(client, url: str = "/audit") -> str:
    """The audit table of ``url`` as text with the markup taken out (one space between cells)."""
    response = client.get(url)
    assert response.status_code == 200
    table = table_of(response.get_data(as_text=True))
    assert not RAW.search(table), RAW.search(table)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", table).split()))


def user_data(user: User, **changes) -> user_service.UserData:
    """The user's saved fields as form data, with ``changes``."""
    values = dict(
        email=user.email,
        name=user.name,
        role_id=user.role_id,
        phone=user.phone,
        timezone=user.timezone,
        team_ids=tuple(team.id for team in user.teams),
        hourly_rate=Decimal(user.hourly_rate or 0),
    )
    values.update(changes)
    return user_service.UserData(**values)


def role_id(name: str) -> int:
    """The id of a built-in role."""
    role = role_service.role_by_name(name)
    assert role is not None
    return role.id


def test_each_action_reads_as_a_sentence_with_names(app, make_user, admin_client, client):
    admin = admin_client.user
    ana = make_user("technician", name="Ana Ortiz", email="ana@example.com")
    ben = make_user("technician", name="Ben Li")
    created = user_service.create_user(
        admin, user_service.UserData(email="cy@example.com", name="Cy Doe", role_id=role_id("technician"))
    )
    db.session.commit()
    user_service.update_user(
        admin, created, user_data(created, role_id=role_id("supervisor"), hourly_rate=Decimal("52.50"))
    )
    technician = role_service.role_by_name("technician")
    wanted = {role.id: set(role.permissions) for role in role_service.all_roles()}
    wanted[technician.id] = (wanted[technician.id] | {"audit.view"}) - {"workorder.work"}
    role_service.set_permissions(admin, wanted)
    team_service.save_team(admin, None, team_service.TeamData(name="North", member_ids=(ana.id, ben.id)))
    product, shelf = make_product("P-100", "Pump"), make_location("Stores")
    stock(product, shelf, "5")
    inventory.adjust(admin, inventory.Movement(product.id, shelf.id, "3", reason="count"), direction=-1)
    workflow.save_custom_field(admin, None, "pump_side", "Pump side", "text")
    db.session.commit()
    assert sign_in(client, ana.email).status_code == 302
    assert sign_in(app.test_client(), ben.email, "wrong password").status_code == 200
    assert sign_in(app.test_client(), "nobody@example.com", "wrong password").status_code == 200

    text = entries_text(admin_client)
    expected = [
        "User added User: Cy Doe",
        "E-mail: cy@example.com Role: technician",
        "User changed User: Cy Doe",
        "Role: technician → supervisor Hourly rate: 0.00 → 52.50",
        "Role permissions changed Role: technician",
        f"Granted: {PERMISSIONS['audit.view']}",
        f"Withdrawn: {PERMISSIONS['workorder.work']}",
        "Team added Team: North",
        "Members: Ana Ortiz and Ben Li",
        "Stock adjusted Product: P-100 Pump",
        "-3 at Stores Reason: “count”",
        "Custom field added Custom field: Pump side",
        "Kind: text",
        "Required: no",
        "Signed in User: Ana Ortiz",
        "Sign-in failed User: Ben Li",
        "Failed attempt 1 from this address",
        "Sign-in failed",
        "No account for nobody@example.com",
    ]
    for words in expected:
        assert words in text, (words, text)
    page = admin_client.get("/audit").get_data(as_text=True)
    actions = re.findall(r"<tr>\s*<td class=\"text-nowrap\">[^<]*</td>\s*<td>.*?</td>\s*<td>([^<]*)</td>", page, re.S)
    assert len(actions) == count(AuditEvent)
    assert actions
    assert not [action for action in actions if "_" in action or "." in action]
    assert "Stock adjusted" in actions
    assert "Role permissions changed" in actions


def test_the_record_shows_its_current_name_and_a_removed_one_says_so(make_user, admin_client):
    admin = admin_client.user
    ana = make_user("technician", name="Ana Ortiz")
    user_service.update_user(admin, ana, user_data(ana, phone="555"))
    db.session.commit()
    user_service.update_user(admin, ana, user_data(ana, name="Ana Ortiz-Li"))
    db.session.commit()
    audit.record("workflow.transition.deleted", actor=admin, target=None, name="Start", **{"from": "New"})
    removed = audit.record("workflow.transition.updated", actor=admin, changes={"name": ["Go", "Start"]})
    removed.target_type, removed.target_id = "Transition", 999_999
    db.session.commit()

    text = entries_text(admin_client)
    assert "Ana Ortiz-Li" in text
    assert text.count("User: Ana Ortiz-Li") >= 3  # created, phone change and rename all show today's name
    assert "Phone: — → 555" in text
    assert "Name: Ana Ortiz → Ana Ortiz-Li" in text
    assert "Transition: removed" in text
    assert "Name: Go → Start" in text
    assert "Transition deleted" in text
    assert "From: New" in text
    history = entries_text(admin_client, f"/users/{ana.id}")
    assert "User changed" in history
    assert "Phone: — → 555" in history


def test_rows_written_before_details_were_ids_still_read_well(make_user, admin_client):
    target = make_user("technician", name="Dee Old")
    team = team_service.save_team(SYSTEM, None, team_service.TeamData(name="South"))
    db.session.commit()
    old = {
        "role_id": [str(role_id("technician")), str(role_id("manager"))],
        "hourly_rate": ["0.00", "52.50"],
        "team_ids": [[], [team.id]],
    }
    audit.record("user.updated", actor=SYSTEM, target=target, changes=old)
    audit.record("test.something_new", actor=None, counts={"a": 1}, flags=[True, False])
    db.session.commit()
    text = entries_text(admin_client)
    assert "Role: technician → manager" in text
    assert "Hourly rate: 0.00 → 52.50" in text
    assert "Teams: — → South" in text
    assert "Test something new" in text
    assert "Flags: yes and no" in text


def test_system_rows_show_system(make_user, admin_client):
    target = make_user("technician", name="Eve Sys")
    audit.record("user.deactivated", actor=SYSTEM, target=target)
    db.session.commit()
    page = table_of(admin_client.get("/audit").get_data(as_text=True))
    row = next(row for row in page.split("<tr>") if "User deactivated" in row)
    assert '<span class="badge text-bg-secondary">System</span>' in row


def test_a_save_that_changes_nothing_writes_no_audit_row(make_user):
    admin = make_user("admin")
    ana = make_user("technician", name="Ana Ortiz")
    product = make_product("P-200", "Valve")
    asset = make_asset(product, "SN-9")
    status = workflow.save_status(SYSTEM, None, "Parked", "waiting", "secondary", 5)
    db.session.commit()
    before = count(AuditEvent)

    user_service.update_user(admin, ana, user_data(ana))
    data = catalog.ProductData(sku="P-200", name="Valve")
    catalog.update_product(admin, product, data, expected_version=product.version)
    asset_data = assets.AssetData(product_id=product.id, serial_number="SN-9")
    assets.update_asset(admin, asset, asset_data, expected_version=asset.version)
    workflow.save_status(admin, status, "Parked", "waiting", "secondary", 5)
    db.session.commit()
    assert count(AuditEvent) == before

    user_service.update_user(admin, ana, user_data(ana, phone="555"))
    catalog.update_product(admin, product, catalog.ProductData(sku="P-200", name="Valve 2"), expected_version=None)
    workflow.save_status(admin, status, "Parked", "waiting", "secondary", 6)
    db.session.commit()
    assert count(AuditEvent) == before + 3
    assert fresh(ana).phone == "555"


def test_a_team_change_alone_is_recorded_with_team_names(make_user, make_team, admin_client):
    ana = make_user("technician", name="Ana Ortiz")
    north = make_team("North")
    before = count(AuditEvent, action="user.updated")
    user_service.update_user(admin_client.user, ana, user_data(ana, team_ids=(north.id,)))
    db.session.commit()
    assert count(AuditEvent, action="user.updated") == before + 1
    assert "Teams: — → North" in entries_text(admin_client)


def _fill(numbers: range, make_user) -> None:
    """Rows of many kinds, each about a different record."""
    for number in numbers:
        person = make_user("technician", name=f"Person {number}")
        team_service.save_team(SYSTEM, None, team_service.TeamData(name=f"Team {number}", member_ids=(person.id,)))
        product, shelf = make_product(f"S-{number}", "Seal"), make_location(f"Shelf {number}")
        stock(product, shelf, "2")
        inventory.adjust(SYSTEM, inventory.Movement(product.id, shelf.id, "1", reason="count"), direction=1)
        workflow.save_custom_field(SYSTEM, None, f"field_{number}", f"Field {number}", "text")
        user_service.update_user(SYSTEM, person, user_data(person, role_id=role_id("supervisor")))
    db.session.commit()


def test_the_audit_page_costs_the_same_statements_for_more_rows(make_user, admin_client):
    _fill(range(2), make_user)
    few = statements_for(admin_client, "/audit")
    _fill(range(2, 8), make_user)
    assert count(AuditEvent) > 40
    many = statements_for(admin_client, "/audit")
    assert many == few
    assert many <= 8  # the user, the page of rows, one query per kind of record named on it


def test_the_filter_offers_groups_in_words_and_narrows_the_list(make_user, admin_client):
    product, shelf = make_product("F-1", "Filter"), make_location("Bay")
    stock(product, shelf, "5")
    inventory.adjust(SYSTEM, inventory.Movement(product.id, shelf.id, "1", reason="count"), direction=-1)
    db.session.commit()
    page = admin_client.get("/audit").get_data(as_text=True)
    assert '<option value="stock">Stock</option>' in page
    assert 'placeholder="auth. or user."' not in page
    stock_only = entries_text(admin_client, "/audit?group=stock")
    assert "Stock adjusted" in stock_only
    assert "Signed in" not in stock_only
    assert "User added" not in stock_only
    sign_ins = entries_text(admin_client, "/audit?group=sign-in")
    assert "Signed in" in sign_ins
    assert "Stock adjusted" not in sign_ins
    for hostile in ("auth.", "%", "stock'--", "x" * 500):
        everything = entries_text(admin_client, "/audit?group=" + hostile)
        assert "Stock adjusted" in everything
        assert "Signed in" in everything


def test_the_ledger_names_each_kind_and_says_the_reference_once(client_as):
    product, stores, van = make_product("L-1", "Belt"), make_location("Stores"), make_location("Van")
    stock(product, stores, "10")
    number = "WO-2026-000001"
    used = inventory.Movement(product.id, stores.id, "2", reference=number, reason=f"Used on {number}")
    inventory.issue(SYSTEM, used)
    back = inventory.Movement(product.id, stores.id, "1", reference=number, reason=f"Returned from {number}")
    inventory.return_stock(SYSTEM, back)
    inventory.issue(SYSTEM, inventory.Movement(product.id, stores.id, "1", reference="DN-7", reason="Broken"))
    inventory.transfer(SYSTEM, inventory.Movement(product.id, stores.id, "1"), van.id)
    inventory.adjust(SYSTEM, inventory.Movement(product.id, stores.id, "1", reason="count"), direction=1)
    inventory.adjust(SYSTEM, inventory.Movement(product.id, van.id, "1", reason="count"), direction=-1)
    db.session.commit()
    client = client_as("supervisor")
    for url in (f"/stock/movements?product={product.id}", f"/products/{product.id}"):
        page = table_of(client.get(url).get_data(as_text=True))
        kinds = re.findall(r"<td class=\"text-nowrap\">[^<]*</td>\s*<td>([^<]*)</td>", page)
        assert kinds == [
            "Adjusted down",
            "Adjusted up",
            "Transferred in",
            "Transferred out",
            "Issued",
            "Returned from a work order",
            "Issued to a work order",
            "Received",
        ], url
        assert page.count(number) == 2, url  # once per row, not "WO-… · Used on WO-…"
        assert "Used on" not in page, url
        assert "DN-7 · Broken" in page, url
        assert page.count('<span class="badge text-bg-secondary">System</span>') == 8, url
        assert "—</td>" not in page, url


def test_categories_and_locations_read_as_paths_with_todays_names(admin_client):
    pumps = catalog.save_category(SYSTEM, None, "Pumps", None)
    seals = catalog.save_category(SYSTEM, None, "Seals", pumps.id)
    site = make_location("Plant")
    make_location("Room 2", "building", parent=site)
    db.session.commit()
    catalog.save_category(SYSTEM, pumps, "Pumps and motors", None)
    db.session.commit()
    text = entries_text(admin_client, "/audit?group=catalog")
    assert text.count(f"Category: Pumps and motors > {seals.name}") == 1
    assert text.count("Category changed Category: Pumps and motors ") == 1
    assert not re.search(r"Category: Pumps(?! and motors)", text)  # the old name is gone everywhere
    places = entries_text(admin_client, "/audit?group=assets")
    assert "Location: Plant > Room 2" in places
