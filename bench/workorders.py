"""Work order list, search and detail with 1,000,000 work orders on PostgreSQL.

Same method as bench/catalog.py: a 10,000-row baseline and the large table
are built in two fresh databases in one run with set-based SQL, then the
pages are timed through the real app, signed in as a manager (sees all) and
as a technician (scoped to team and assignments).

    python -m bench workorders --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import statistics
import time

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event
from sqlalchemy.engine import URL

from bench import data
from bench.catalog import fresh_database, signed_in_client
from cube import create_app
from cube.actors import SYSTEM
from cube.auth import services as auth
from cube.extensions import db
from cube.users import roles as role_service
from cube.users import services as user_service

PAGES = [
    ("list, default", "/work-orders"),
    ("list, page 20", "/work-orders?page=20"),
    ("view: overdue", "/work-orders?view=overdue"),
    ("filter: status", "/work-orders?status=4"),
    ("filter: team+prio", "/work-orders?team=3&priority=1"),
    ("sort: due", "/work-orders?sort=due"),
    ("search number", "/work-orders?q=wo-2024-000424"),
    ("search title", "/work-orders?q=compressor+4242"),
    ("detail", "/work-orders/4242"),
]
REPEATS = 10


def technician_client(app: Flask) -> FlaskClient:
    """A technician of team 3 (sees the team's work and their own assignments)."""
    password = "bench-Passphrase-2026"
    with app.app_context():
        role = role_service.role_by_name("technician")
        data = user_service.UserData(email="bench-tech@example.com", name="Bench Tech", role_id=role.id, team_ids=(3,))
        user = user_service.create_user(SYSTEM, data, invite=False)
        auth.set_password(user, password, actor=None, reason="bench")
        db.session.commit()
    client = app.test_client()
    assert client.post("/auth/login", data={"email": data.email, "password": password}).status_code == 302
    return client


def measure(url: str, count: int) -> dict[str, dict[str, tuple[float, int]]]:
    """Median time and statement count per page, for a manager and a technician."""
    app = create_app(
        {"CUBE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False}
    )
    with app.app_context():
        upgrade()
        role_service.ensure_builtin_roles()
        db.session.commit()
        started = time.perf_counter()
        data.fill(count, products=0, movements=0)
        print(f"  filled {count:,} work orders in {time.perf_counter() - started:.1f} s")
    clients = {"manager": signed_in_client(app), "technician": technician_client(app)}
    statements = 0

    def counter(*_args: object) -> None:
        nonlocal statements
        statements += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)
    results: dict[str, dict[str, tuple[float, int]]] = {}
    for who, client in clients.items():
        results[who] = {}
        for label, path in PAGES:
            first = client.get(path)
            assert first.status_code in (200, 404), (path, first.status_code)
            timings = []
            for _ in range(REPEATS):
                statements = 0
                started = time.perf_counter()
                client.get(path)
                timings.append(time.perf_counter() - started)
            results[who][label] = (statistics.median(timings), statements)
    with app.app_context():
        db.engine.dispose()
    return results


def run(server: URL, count: int) -> None:
    """Baseline and large run, then the comparison table."""
    print("baseline: 10,000 work orders")
    with fresh_database(server) as url:
        baseline = measure(url, 10_000)
    print(f"large: {count:,} work orders")
    with fresh_database(server) as url:
        large = measure(url, count)
    for who in ("manager", "technician"):
        print()
        print(f"{who:<18} {'baseline ms':>12} {'large ms':>10} {'ratio':>7} {'queries':>8}")
        for label, _ in PAGES:
            small_time, _small_queries = baseline[who][label]
            big_time, big_queries = large[who][label]
            ratio = big_time / small_time
            print(f"{label:<18} {small_time * 1000:>12.1f} {big_time * 1000:>10.1f} {ratio:>7.2f} {big_queries:>8}")
