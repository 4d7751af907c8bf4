"""Catalog list and search at scale: 100,000 products and 1,000,000 stock movements.

Builds two fresh PostgreSQL databases in the same run, a small baseline
(1,000 products, 10,000 movements) and the large one, fills them with
set-based SQL, then times the catalog pages through the real app and prints
each page's median time, its ratio to the baseline and the SQL statement
count. A ratio near 1 means the page does not slow down as the catalog grows.

    python -m bench --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL

from bench import data
from cube import create_app
from cube.actors import SYSTEM
from cube.auth import services as auth
from cube.extensions import db
from cube.users import roles as role_service
from cube.users import services as user_service

PAGES = [
    ("list, default", "/products"),
    ("list, page 40", "/products?page=40"),
    ("search by name", "/products?q=bearing+17"),
    ("search by SKU", "/products?q=sku-0000424"),
    ("filter category", "/products?category=3"),
    ("sort by on hand", "/products?sort=on_hand&desc=y"),
    ("low stock", "/stock/low"),
    ("product detail", "/products/424"),
    ("stock ledger", "/stock/movements"),
]
REPEATS = 15


@contextmanager
def fresh_database(server: URL) -> Iterator[str]:
    """A new, empty database on the server, dropped afterwards."""
    name = f"cube_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def signed_in_client(app: Flask) -> FlaskClient:
    """A test client signed in as an admin through the login form (outside the timings)."""
    password = "bench-Passphrase-2026"
    with app.app_context():
        role_service.ensure_builtin_roles()
        admin = role_service.role_by_name("admin")
        data = user_service.UserData(email="bench@example.com", name="Bench", role_id=admin.id)
        user = user_service.create_user(SYSTEM, data, invite=False)
        auth.set_password(user, password, actor=None, reason="bench")
        db.session.commit()
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "bench@example.com", "password": password})
    assert response.status_code == 302, response.status_code
    return client


def measure(url: str, products: int, movements: int) -> dict[str, tuple[float, int]]:
    """Median seconds and statement count for each page on a database of this size."""
    app = create_app(
        {"CUBE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False}
    )
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        data.fill(0, products, movements)
        print(f"  filled {products:,} products and {movements:,} movements in {time.perf_counter() - started:.1f} s")
    client = signed_in_client(app)
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    results = {}
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    for label, path in PAGES:
        assert client.get(path).status_code == 200, path  # warm up
        timings = []
        for _ in range(REPEATS):
            statements = 0
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, path
        results[label] = (statistics.median(timings), statements)
    with app.app_context():
        db.engine.dispose()
    return results


def run(server: URL, products: int, movements: int) -> None:
    """Measure the baseline and the large catalog, print the comparison."""
    print("baseline: 1,000 products")
    with fresh_database(server) as url:
        baseline = measure(url, 1_000, 10_000)
    print(f"large: {products:,} products")
    with fresh_database(server) as url:
        large = measure(url, products, movements)
    print()
    print(f"{'page':<18} {'baseline ms':>12} {'large ms':>10} {'ratio':>7} {'queries':>8}")
    for label, _ in PAGES:
        small_time, small_queries = baseline[label]
        big_time, big_queries = large[label]
        print(
            f"{label:<18} {small_time * 1000:>12.1f} {big_time * 1000:>10.1f} {big_time / small_time:>7.2f}"
            f" {big_queries:>8}" + ("" if big_queries == small_queries else f" (baseline {small_queries})")
        )
