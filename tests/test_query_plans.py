"""At 100,000 work orders on PostgreSQL, the busy pages read ``work_orders`` through indexes, never a scan of it all.

The table is filled with set-based SQL and analysed, as autovacuum would; then each page is requested
through the app, every statement it sends is caught, and PostgreSQL's plan for each (``EXPLAIN (FORMAT
JSON)``) must hold no sequential scan of ``work_orders``. The plans are what the planner picks, not
timings, so the test is fast and does not depend on the machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text

from cube.extensions import db
from cube.models import Team, User
from tests.workorder_factories import status_named

WORK_ORDERS = 100_000


@pytest.fixture(autouse=True)
def _postgresql_only(app: Any) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("query plans are checked on PostgreSQL")


def fill(technician: User) -> None:
    """``WORK_ORDERS`` work orders over every status, priority, type and team; a few assigned to ``technician``."""
    db.session.execute(
        text(
            "WITH s AS (SELECT array_agg(id ORDER BY id) AS ids FROM statuses),"
            " p AS (SELECT array_agg(id ORDER BY id) AS ids FROM priorities),"
            " t AS (SELECT array_agg(id ORDER BY id) AS ids FROM work_order_types),"
            " tm AS (SELECT array_agg(id ORDER BY id) AS ids FROM teams)"
            " INSERT INTO work_orders (number, title, description, type_id, priority_id, status_id, team_id, due_at,"
            " actual_hours, actual_cost, custom_values, archived, version, created_at, updated_at)"
            " SELECT 'WO-2020-' || lpad(g::text, 6, '0'),"
            " (ARRAY['Compressor','Filter','Leak','Light','Door'])[1 + g % 5] || ' ' || g, 'Generated ' || g,"
            " t.ids[1 + g % array_length(t.ids, 1)], p.ids[1 + g % array_length(p.ids, 1)],"
            " s.ids[1 + g % array_length(s.ids, 1)], tm.ids[1 + g % array_length(tm.ids, 1)],"
            " now() + ((g % 90) - 30) * interval '1 day', 0, 0, '{}', g % 100 = 0, 1,"
            " now() - (g % 365) * interval '1 day' - g * interval '1 second', now()"
            " FROM generate_series(1, :count) g, s, p, t, tm"
        ),
        {"count": WORK_ORDERS},
    )
    db.session.execute(
        text(
            "INSERT INTO work_order_assignees (work_order_id, user_id)"
            " SELECT id, :user FROM work_orders WHERE id % 97 = 0"
        ),
        {"user": technician.id},
    )
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))


@pytest.fixture
def people(client_as: Callable[[str], FlaskClient], make_team: Callable[..., Team]) -> dict[str, Any]:
    manager = client_as("manager")
    technician = client_as("technician")
    requester = client_as("requester")
    teams = [make_team(f"Plan team {n}") for n in range(1, 20)]
    teams.append(make_team("Plan team 20", members=(technician.user,)))
    fill(technician.user)
    return {"manager": manager, "technician": technician, "requester": requester, "team": teams[-1]}


def statements_of(client: FlaskClient, url: str) -> list[tuple[str, Any]]:
    """Every statement a GET of ``url`` sends, with its parameters."""
    caught: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        caught.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", catch)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(db.engine, "before_cursor_execute", catch)
    return caught


def scans(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(node type, relation) for every node of a JSON plan."""
    yield plan["Node Type"], plan.get("Relation Name", "")
    for child in plan.get("Plans", []):
        yield from scans(child)


def sequential_scans(client: FlaskClient, url: str) -> list[str]:
    """The statements of ``url`` whose plan reads ``work_orders`` with a sequential scan."""
    found = []
    with db.engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for statement, parameters in statements_of(client, url):
            if "work_orders" not in statement:
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
            plan = cursor.fetchone()[0][0]["Plan"]
            if ("Seq Scan", "work_orders") in scans(plan):
                found.append(statement)
    return found


def test_busy_pages_read_work_orders_through_indexes(people):
    """One fill, every page: the default, filtered and searched lists, the scoped lists and the boards."""
    status = status_named("In progress")
    pages = [
        ("manager", "/work-orders"),
        ("manager", f"/work-orders?status={status.id}&team={people['team'].id}&priority=1"),
        ("manager", "/work-orders?q=compressor+4245"),
        ("technician", "/work-orders"),
        ("manager", "/work-orders/board"),
        ("technician", "/work-orders/board"),
        ("requester", "/work-orders"),
        ("requester", "/work-orders/board"),
    ]
    scanning = {(who, url): found for who, url in pages if (found := sequential_scans(people[who], url))}
    assert scanning == {}
