"""Bench data: people, teams, companies, products and work orders in bulk.

On PostgreSQL everything is set-based SQL over ``generate_series`` (a million
work orders in about a minute); on SQLite, the embedded default, the same rows
are generated in Python and inserted in batches (the sizes measured there are
small). Ids are predictable: team ``1 + g % 20``, technician ``tech<k>``, work
order ``g`` (the numbers ``WO-<year>-<n>`` follow ``g``), so the harnesses can
point at a page without looking anything up.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import islice

from sqlalchemy import insert, select, text

from cube.extensions import db
from cube.models import Role
from cube.users import roles as role_service

TEAMS = 20
TECHNICIANS = 200
COMPANIES = 50
CATEGORIES = 20
LOCATIONS = 10
WORDS = ("Compressor", "Filter", "Leak", "Light", "Door")
PARTS = ("Bearing", "Filter", "Belt", "Valve", "Pump")
BATCH = 5_000


def fill(work_orders: int, products: int, movements: int) -> None:
    """Reference data plus ``work_orders`` work orders, ``products`` products and ``movements`` stock movements."""
    role_service.ensure_builtin_roles()  # the technicians need their role
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        _fill_postgresql(work_orders, products, movements)
    else:
        _fill_rows(work_orders, products, movements)


def _word(g: int, words: tuple[str, ...]) -> str:
    return words[g % len(words)]


def _number(g: int) -> str:
    return f"WO-{2022 + g % 5}-{1 + g // 5:06d}"


def _fill_postgresql(work_orders: int, products: int, movements: int) -> None:
    now = "now()"
    statements = [
        "INSERT INTO teams (name, description, active, created_at, updated_at) "
        f"SELECT 'Team ' || g, '', true, {now}, {now} FROM generate_series(1, {TEAMS}) g",
        "INSERT INTO users (email, name, phone, timezone, language, role_id, active, session_token, hourly_rate,"
        f" created_at, updated_at) SELECT 'tech' || g || '@example.com', 'Tech ' || g, '', 'UTC', '', :technician,"
        f" true, md5(g::text), 40, {now}, {now} FROM generate_series(1, {TECHNICIANS}) g",
        "INSERT INTO team_members (team_id, user_id) SELECT 1 + (u.id % 20), u.id FROM users u"
        " WHERE u.email LIKE 'tech%'",
        "INSERT INTO companies (name, is_customer, is_vendor, is_manufacturer, street, city, postal_code, country,"
        " phone, email, website, notes, active, created_at, updated_at)"
        f" SELECT 'Company ' || g, true, false, g % 5 = 0, '', '', '', '', '', '', '', '', true, {now}, {now}"
        f" FROM generate_series(1, {COMPANIES}) g",
        "INSERT INTO product_categories (name, parent_id, created_at, updated_at) "
        f"SELECT 'Category ' || g, NULL, {now}, {now} FROM generate_series(1, {CATEGORIES}) g",
        "INSERT INTO locations (name, kind, parent_id, active, created_at, updated_at) "
        f"SELECT 'Store ' || g, 'site', NULL, true, {now}, {now} FROM generate_series(1, {LOCATIONS}) g",
        "INSERT INTO products (sku, sku_key, name, category_id, description, unit, unit_cost, unit_price, specs,"
        " is_spare_part, min_stock, on_hand, active, version, created_at, updated_at) "
        "SELECT 'SKU-' || lpad(g::text, 7, '0'), 'sku-' || lpad(g::text, 7, '0'),"
        " (ARRAY['Bearing','Filter','Belt','Valve','Pump'])[1 + g % 5] || ' ' || g, 1 + g % 20, '', 'each',"
        f" (g % 500) + 0.5, (g % 500) + 1.5, '[]', g % 3 = 0, (g % 7), 0, true, 1, {now}, {now}"
        f" FROM generate_series(1, {products}) g",
        "INSERT INTO stock_movements (product_id, location_id, kind, quantity, reason, reference, created_at) "
        f"SELECT 1 + (g % {products}), 1 + (g % {LOCATIONS}), 'receipt', 1 + g % 5, '', '',"
        f" {now} - (g || ' seconds')::interval FROM generate_series(1, {movements}) g",
        "INSERT INTO stock_levels (product_id, location_id, on_hand, updated_at) "
        f"SELECT product_id, location_id, sum(quantity), {now} FROM stock_movements GROUP BY product_id, location_id",
        "UPDATE products SET on_hand = totals.on_hand FROM (SELECT product_id, sum(on_hand) AS on_hand"
        " FROM stock_levels GROUP BY product_id) AS totals WHERE totals.product_id = products.id",
        "INSERT INTO work_orders (number, title, description, type_id, priority_id, status_id, team_id, company_id,"
        " due_at, actual_hours, actual_cost, custom_values, archived, version, created_at, updated_at) "
        "SELECT 'WO-' || (2022 + g % 5) || '-' || lpad((1 + g / 5)::text, 6, '0'),"
        " (ARRAY['Compressor','Filter','Leak','Light','Door'])[1 + g % 5] || ' ' || g, 'Generated work order ' || g,"
        f" 1 + g % 5, 1 + g % 4, 1 + g % 9, 1 + g % {TEAMS}, 1 + g % {COMPANIES},"
        f" {now} + ((g % 90) - 30) * interval '1 day', 0, 0, '{{}}', false, 1,"
        f" {now} - (g % 365) * interval '1 day', {now} FROM generate_series(1, {work_orders}) g",
        "INSERT INTO work_order_assignees (work_order_id, user_id) SELECT w.id, u.id FROM work_orders w"
        f" JOIN users u ON u.email = 'tech' || (1 + w.id % {TECHNICIANS}) || '@example.com'",
        "INSERT INTO work_order_sequences (year, last_value) SELECT 2022 + y, "
        f"{work_orders} / 5 + 1 FROM generate_series(0, 4) y",
    ]
    technician = db.session.scalar(select(Role.id).where(Role.name == "technician"))
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), {"technician": technician})
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does on a live system


def _insert(table: str, rows: Iterator[dict[str, object]]) -> None:
    """Insert ``rows`` into ``table`` in batches."""
    target = db.metadata.tables[table]
    with db.engine.begin() as conn:
        while batch := list(islice(rows, BATCH)):
            conn.execute(insert(target), batch)


def _fill_rows(work_orders: int, products: int, movements: int) -> None:
    now = datetime.now(UTC)
    technician = db.session.scalar(select(Role.id).where(Role.name == "technician"))
    stamp = {"created_at": now, "updated_at": now}
    _insert("teams", ({"name": f"Team {g}", "description": "", "active": True, **stamp} for g in range(1, TEAMS + 1)))
    _insert(
        "users",
        (
            {
                "email": f"tech{g}@example.com",
                "name": f"Tech {g}",
                "phone": "",
                "timezone": "UTC",
                "language": "",
                "role_id": technician,
                "active": True,
                "session_token": f"bench-token-{g}",
                "hourly_rate": Decimal(40),
                **stamp,
            }
            for g in range(1, TECHNICIANS + 1)
        ),
    )
    with db.engine.begin() as conn:
        conn.execute(
            text(
                f"INSERT INTO team_members (team_id, user_id) SELECT 1 + (id % {TEAMS}), id FROM users"
                " WHERE email LIKE 'tech%'"
            )
        )
    _insert(
        "companies",
        (
            {"name": f"Company {g}", "is_customer": True, "is_manufacturer": g % 5 == 0, **stamp}
            for g in range(1, COMPANIES + 1)
        ),
    )
    _insert(
        "product_categories",
        ({"name": f"Category {g}", "parent_id": None, **stamp} for g in range(1, CATEGORIES + 1)),
    )
    _insert(
        "locations",
        (
            {"name": f"Store {g}", "kind": "site", "parent_id": None, "active": True, **stamp}
            for g in range(1, LOCATIONS + 1)
        ),
    )
    _insert(
        "products",
        (
            {
                "sku": f"SKU-{g:07d}",
                "sku_key": f"sku-{g:07d}",
                "name": f"{_word(g, PARTS)} {g}",
                "category_id": 1 + g % CATEGORIES,
                "description": "",
                "unit": "each",
                "unit_cost": Decimal(g % 500) + Decimal("0.5"),
                "unit_price": Decimal(g % 500) + Decimal("1.5"),
                "specs": [],
                "is_spare_part": g % 3 == 0,
                "min_stock": g % 7,
                "on_hand": 0,
                "active": True,
                "version": 1,
                **stamp,
            }
            for g in range(1, products + 1)
        ),
    )
    _insert(
        "stock_movements",
        (
            {
                "product_id": 1 + g % products,
                "location_id": 1 + g % LOCATIONS,
                "kind": "receipt",
                "quantity": 1 + g % 5,
                "reason": "",
                "reference": "",
                "created_at": now - timedelta(seconds=g),
            }
            for g in range(1, movements + 1)
        ),
    )
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO stock_levels (product_id, location_id, on_hand, updated_at) SELECT product_id,"
                " location_id, sum(quantity), CURRENT_TIMESTAMP FROM stock_movements GROUP BY product_id, location_id"
            )
        )
        conn.execute(
            text(
                "UPDATE products SET on_hand = (SELECT sum(on_hand) FROM stock_levels"
                " WHERE stock_levels.product_id = products.id)"
                " WHERE id IN (SELECT product_id FROM stock_levels)"
            )
        )
    _insert(
        "work_orders",
        (
            {
                "number": _number(g),
                "title": f"{_word(g, WORDS)} {g}",
                "description": f"Generated work order {g}",
                "type_id": 1 + g % 5,
                "priority_id": 1 + g % 4,
                "status_id": 1 + g % 9,
                "team_id": 1 + g % TEAMS,
                "company_id": 1 + g % COMPANIES,
                "due_at": now + timedelta(days=g % 90 - 30),
                "actual_hours": Decimal(0),
                "actual_cost": Decimal(0),
                "custom_values": {},
                "archived": False,
                "version": 1,
                "created_at": now - timedelta(days=g % 365),
                "updated_at": now,
            }
            for g in range(1, work_orders + 1)
        ),
    )
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO work_order_assignees (work_order_id, user_id) SELECT w.id, u.id FROM work_orders w"
                f" JOIN users u ON u.email = 'tech' || (1 + w.id % {TECHNICIANS}) || '@example.com'"
            )
        )
    _insert(
        "work_order_sequences",
        ({"year": 2022 + y, "last_value": work_orders // 5 + 1} for y in range(5)),
    )
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
