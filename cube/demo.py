"""Demo data for ``flask cube seed-demo``: a small maintenance organisation to click through."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from cube.actors import Actor
from cube.extensions import db
from cube.models import (
    Asset,
    ChecklistItem,
    ChecklistTemplate,
    Location,
    Priority,
    ProductCategory,
    Status,
    StockMovement,
    Team,
    Transition,
    User,
    WorkOrder,
    WorkOrderType,
    utcnow,
)
from cube.products import assets, catalog, companies, inventory
from cube.workflow import engine
from cube.workorders import checklists, parts, services, timelogs

COMPANIES = [
    companies.CompanyData(
        name="Northwind Facilities",
        is_customer=True,
        city="Leeds",
        country="United Kingdom",
        phone="+44 113 496 0000",
        email="facilities@northwind.example",
    ),
    companies.CompanyData(
        name="Apex Climate Systems",
        is_manufacturer=True,
        is_vendor=True,
        city="Stuttgart",
        country="Germany",
        website="apex-climate.example",
    ),
    companies.CompanyData(name="Voltline Electric", is_manufacturer=True, city="Lyon", country="France"),
    companies.CompanyData(name="Parts Depot Ltd", is_vendor=True, city="Manchester", country="United Kingdom"),
]
CATEGORIES = [
    ("HVAC", None),
    ("Filters", "HVAC"),
    ("Chillers", "HVAC"),
    ("Electrical", None),
    ("Lighting", "Electrical"),
]
LOCATIONS = [
    ("Leeds Campus", "site", None),
    ("Main Building", "building", "Leeds Campus"),
    ("Plant Room", "area", "Main Building"),
    ("Stores", "area", "Main Building"),
    ("Warehouse", "building", "Leeds Campus"),
]
PRODUCTS = [
    (
        "CH-200",
        "Air-cooled chiller 200 kW",
        "Chillers",
        "Apex Climate Systems",
        "each",
        "18500.00",
        "0",
        False,
        [["Capacity", "200 kW"], ["Refrigerant", "R32"]],
    ),
    (
        "FLT-G4-592",
        "Panel filter G4 592x592",
        "Filters",
        "Apex Climate Systems",
        "each",
        "12.40",
        "10",
        True,
        [["Class", "G4"], ["Size", "592 x 592 x 48 mm"]],
    ),
    ("FLT-F7-592", "Bag filter F7 592x592", "Filters", "Apex Climate Systems", "each", "38.90", "6", True, []),
    (
        "LED-T8-120",
        "LED tube T8 120 cm",
        "Lighting",
        "Voltline Electric",
        "each",
        "7.80",
        "40",
        True,
        [["Power", "18 W"], ["Colour", "4000 K"]],
    ),
    ("CBL-3G25", "Cable 3G2.5 mm2", "Electrical", "Voltline Electric", "m", "1.15", "100", True, []),
]
STOCK = [
    ("FLT-G4-592", "Stores", "24"),
    ("FLT-F7-592", "Stores", "4"),
    ("LED-T8-120", "Stores", "120"),
    ("LED-T8-120", "Warehouse", "60"),
    ("CBL-3G25", "Warehouse", "350"),
]
ASSETS = [
    (
        "CH-200",
        "APX-CH200-0001",
        "Chiller 1",
        "Plant Room",
        "Northwind Facilities",
        date(2023, 4, 12),
        date(2028, 4, 12),
    ),
    (
        "CH-200",
        "APX-CH200-0002",
        "Chiller 2",
        "Plant Room",
        "Northwind Facilities",
        date(2023, 4, 12),
        date(2028, 4, 12),
    ),
]


def seed_catalog(actor: Actor) -> None:
    """Companies, categories, locations, products, stock and assets (skips what exists)."""
    for data in COMPANIES:
        if companies.company_by_name(data.name) is None:
            companies.save_company(actor, None, data)
    category_ids: dict[str, int] = {}
    for name, parent in CATEGORIES:
        existing = db.session.scalar(select(ProductCategory).where(ProductCategory.name == name))
        category = existing or catalog.save_category(actor, None, name, category_ids.get(parent or ""))
        category_ids[name] = category.id
    location_ids: dict[str, int] = {}
    for name, kind, parent in LOCATIONS:
        existing = db.session.scalar(select(Location).where(Location.name == name))
        data = assets.LocationData(name=name, kind=kind, parent_id=location_ids.get(parent or ""))
        location_ids[name] = (existing or assets.save_location(actor, None, data)).id
    for sku, name, category, maker, unit, cost, minimum, spare, specs in PRODUCTS:
        if catalog.product_by_sku(sku) is None:
            manufacturer = companies.company_by_name(maker)
            catalog.create_product(
                actor,
                catalog.ProductData(
                    sku=sku,
                    name=name,
                    category_id=category_ids[category],
                    manufacturer_id=manufacturer.id if manufacturer else None,
                    unit=unit,
                    unit_cost=Decimal(cost),
                    unit_price=(Decimal(cost) * Decimal("1.3")).quantize(Decimal("0.01")),
                    min_stock=Decimal(minimum),
                    is_spare_part=spare,
                    specs=specs,
                ),
            )
    if db.session.scalar(select(StockMovement.id).limit(1)) is None:
        for sku, location, quantity in STOCK:
            product = catalog.product_by_sku(sku)
            assert product is not None
            inventory.receive(
                actor, inventory.Movement(product.id, location_ids[location], quantity, reference="Opening stock")
            )
    for sku, serial, name, location, owner, installed, warranty in ASSETS:
        product = catalog.product_by_sku(sku)
        assert product is not None
        if assets.asset_by_serial(product.id, serial) is None:
            company = companies.company_by_name(owner)
            assets.create_asset(
                actor,
                assets.AssetData(
                    product_id=product.id,
                    serial_number=serial,
                    name=name,
                    location_id=location_ids[location],
                    company_id=company.id if company else None,
                    install_date=installed,
                    warranty_end=warranty,
                ),
            )


# The labour cost per hour of the people who log time, by e-mail (set when the demo user is added).
HOURLY_RATES = {
    "supervisor@example.com": Decimal("58.00"),
    "tech@example.com": Decimal("42.50"),
    "tech2@example.com": Decimal("45.00"),
    "lena@example.com": Decimal("39.50"),
}
# name, items (label, kind, required)
CHECKLIST_TEMPLATES = [
    (
        "Chiller inspection",
        [
            ("Isolate the power supply", "pass_fail", True),
            ("Refrigerant pressure (bar)", "number", True),
            ("Condenser coils clean", "pass_fail", True),
            ("Oil level in the sight glass", "pass_fail", False),
            ("Notes for the next visit", "text", False),
        ],
    ),
    (
        "Filter change",
        [
            ("Old filters bagged and removed", "pass_fail", True),
            ("Filters fitted", "number", True),
            ("Pressure drop after the change (Pa)", "number", False),
        ],
    ),
    (
        "Electrical safety",
        [
            ("Circuit isolated and locked off", "pass_fail", True),
            ("Insulation test passed", "pass_fail", True),
            ("Remarks", "text", False),
        ],
    ),
]
# Work order title -> the checklist template it uses, and the answers given once work started (by item label).
CHECKLISTS = {
    "Chiller 1 trips on high pressure": (
        "Chiller inspection",
        {"Isolate the power supply": "pass", "Refrigerant pressure (bar)": "21.5", "Condenser coils clean": "fail"},
    ),
    "Annual chiller inspection": (
        "Chiller inspection",
        {
            "Isolate the power supply": "pass",
            "Refrigerant pressure (bar)": "16.8",
            "Condenser coils clean": "pass",
            "Oil level in the sight glass": "na",
            "Notes for the next visit": "Order a spare fan belt before the summer.",
        },
    ),
    "Quarterly filter change, AHU 3": ("Filter change", {}),
    "Replace flickering LED tubes in corridor B": ("Electrical safety", {"Circuit isolated and locked off": "pass"}),
}
# Work order title -> the parts used once work started (SKU, from where, quantity); others use one G4 filter.
PARTS_USED = {
    "Chiller 1 trips on high pressure": [("FLT-F7-592", "Stores", "2")],
    "Annual chiller inspection": [("FLT-G4-592", "Stores", "4"), ("FLT-F7-592", "Stores", "1")],
    "Replace flickering LED tubes in corridor B": [("LED-T8-120", "Stores", "6"), ("CBL-3G25", "Warehouse", "12.5")],
    "Förderband 2: Lager schmieren": [],
}


def seed_checklist_templates(actor: Actor) -> None:
    """The demo's checklist templates (skips those that exist, by name)."""
    for name, items in CHECKLIST_TEMPLATES:
        if db.session.scalar(select(ChecklistTemplate.id).where(ChecklistTemplate.name == name)) is None:
            rows = [{"label": label, "kind": kind, "required": required} for label, kind, required in items]
            checklists.save_template(actor, None, name, rows)


# title, type, priority, asset serial, days until due, path of transitions (from status, button), assignee e-mail
WORK_ORDERS = [
    (
        "Chiller 1 trips on high pressure",
        "Corrective",
        "Urgent",
        "APX-CH200-0001",
        1,
        [("New", "Approve"), ("Approved", "Mark assigned"), ("Assigned", "Start work")],
        "tech@example.com",
    ),
    (
        "Quarterly filter change, AHU 3",
        "Preventive",
        "Normal",
        None,
        6,
        [("New", "Approve"), ("Approved", "Mark assigned")],
        "tech@example.com",
    ),
    (
        "Replace flickering LED tubes in corridor B",
        "Corrective",
        "Low",
        None,
        10,
        [("New", "Approve"), ("Approved", "Mark assigned"), ("Assigned", "Start work"), ("In progress", "Pause")],
        "tech2@example.com",
    ),
    (
        "Annual chiller inspection",
        "Inspection",
        "High",
        "APX-CH200-0002",
        -2,
        [("New", "Approve"), ("Approved", "Mark assigned"), ("Assigned", "Start work"), ("In progress", "Complete")],
        "tech@example.com",
    ),
    ("Install new sub-meter in plant room", "Installation", "Normal", None, 20, [], None),
    (
        "Workshop door closer slams",
        "Corrective",
        "Normal",
        None,
        -5,
        [
            ("New", "Approve"),
            ("Approved", "Mark assigned"),
            ("Assigned", "Start work"),
            ("In progress", "Complete"),
            ("Completed", "Review and close"),
            ("Closed", "Reopen"),
            ("Assigned", "Start work"),
            ("In progress", "Complete"),
        ],
        "tech2@example.com",
    ),
    (
        "Water leak under stores sink",
        "Emergency",
        "Urgent",
        None,
        0,
        [
            ("New", "Approve"),
            ("Approved", "Mark assigned"),
            ("Assigned", "Start work"),
            ("In progress", "Complete"),
            ("Completed", "Review and close"),
        ],
        "tech2@example.com",
    ),
    # Work typed by people who work in German and Arabic (shown as typed, in every language).
    (
        "Förderband 2: Lager schmieren",
        "Preventive",
        "Normal",
        None,
        3,
        [("New", "Approve"), ("Approved", "Mark assigned"), ("Assigned", "Start work")],
        "lena@example.com",
    ),
    ("تسرب مياه تحت حوض المطبخ في الطابق الثاني", "Corrective", "High", None, 2, [], None),
]
# Who asked for the work, where it is not the demo requester.
REQUESTED_BY = {"تسرب مياه تحت حوض المطبخ في الطابق الثاني": "layla@example.com"}


def seed_work_orders(supervisor: User, users_by_email: dict[str, User]) -> None:
    """A handful of work orders in every stage, with history (skipped when any exist)."""
    if db.session.scalar(select(WorkOrder.id).limit(1)) is not None:
        return
    facilities = db.session.scalar(select(Team.id).where(Team.name == "Facilities"))
    for title, kind, priority, serial, due_days, path, assignee in WORK_ORDERS:
        asset = db.session.scalar(select(Asset).where(Asset.serial_number == serial)) if serial else None
        data = services.WorkOrderData(
            title=title,
            type_id=db.session.scalar(select(WorkOrderType.id).where(WorkOrderType.name == kind)),
            priority_id=db.session.scalar(select(Priority.id).where(Priority.name == priority)),
            description="Reported by the building manager.",
            team_id=facilities,
            supervisor_id=supervisor.id,
            asset_id=asset.id if asset else None,
            location_id=asset.location_id if asset else None,
            company_id=asset.company_id if asset else None,
            due_at=utcnow() + timedelta(days=due_days),
            requester_id=users_by_email[REQUESTED_BY.get(title, "requester@example.com")].id,
        )
        # Filed by the supervisor for the requester: only someone who assigns may set team and supervisor.
        work_order = services.create_work_order(supervisor, data)
        if priority == "Low":  # triage raised it: an edit in the history
            normal = db.session.scalar(select(Priority.id).where(Priority.name == "Normal"))
            changed = replace(data, priority_id=normal, requester_id=work_order.requester_id)
            services.update_work_order(supervisor, work_order, changed, expected_version=None)
        if title in CHECKLISTS:  # planned with a checklist from a template: answered once work starts
            template_name = CHECKLISTS[title][0]
            template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.name == template_name))
            if template is not None:
                checklists.add_from_template(supervisor, work_order, template)
        worked = False
        for source, label in path:
            if label == "Mark assigned" and assignee:
                services.assign(supervisor, work_order, (users_by_email[assignee].id,), team_id=facilities)
                if work_order.status.name != source:  # the workflow moved it on assignment
                    continue
            transition = db.session.scalar(
                select(Transition)
                .join(Status, Status.id == Transition.from_status_id)
                .where(Status.name == source, Transition.name == label)
            )
            actor = (
                users_by_email[assignee] if label in ("Start work", "Pause", "Complete") and assignee else supervisor
            )
            engine.apply_transition(actor, work_order, transition.id, REASONS.get(label, ""))
            if label == "Start work" and assignee and not worked:
                _do_the_work(users_by_email[assignee], work_order)
                worked = True
        if path:
            services.add_comment(supervisor, work_order, "@tech please keep the plant room door closed while working.")


REASONS = {"Pause": "Waiting for parts", "Reopen": "The door still slams shut."}


def _do_the_work(technician: User, work_order: WorkOrder) -> None:
    """A checklist answered, time logged and parts used: history of every kind on a started work order."""
    if work_order.title in CHECKLISTS:
        answers = CHECKLISTS[work_order.title][1]
        items = db.session.scalars(select(ChecklistItem).where(ChecklistItem.work_order_id == work_order.id))
        for item in items:
            if item.label in answers:
                checklists.answer(technician, work_order, item, answers[item.label])
    else:
        item = checklists.add_item(technician, work_order, "Isolate the power supply", "pass_fail", True)
        checklists.answer(technician, work_order, item, "pass")
        reading = checklists.add_item(technician, work_order, "Operating pressure (bar)", "number", False)
        checklists.answer(technician, work_order, reading, "4.2")
    started = utcnow().replace(microsecond=0) - timedelta(hours=3)
    timelogs.add_entry(technician, work_order, started, hours="1.5", note="Diagnosis and first fix.")
    for sku, place, quantity in PARTS_USED.get(work_order.title, [("FLT-G4-592", "Stores", "1")]):
        product = catalog.product_by_sku(sku)
        location = db.session.scalar(select(Location.id).where(Location.name == place))
        if product is not None and location is not None:
            parts.use_part(technician, work_order, product.id, location, quantity)
