"""What one request to each everyday page costs in-process: milliseconds, SQL statements, bytes.

Builds a fresh PostgreSQL database with the demo data (``flask cube seed-demo``)
plus generated work orders (set-based SQL), then requests each page through the
real app as the demo manager and the demo technician and prints the best
time (wall clock, and the CPU time of this process: steadier on a busy machine), the statement count
and the response size. ``--profile PATH,...`` prints a
pyinstrument profile of those pages instead (pyinstrument is not a dependency:
install it by hand).

    python -m bench pages --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import gzip
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, select, text
from sqlalchemy.engine import URL
from werkzeug.test import TestResponse

from bench.catalog import fresh_database
from cube import create_app
from cube.cli import DEMO_PASSWORD_DEFAULT
from cube.extensions import db
from cube.models import Product, Status, Transition, User, WorkOrder

REPEATS = 20


@dataclass(frozen=True)
class Figures:
    """One page's fastest milliseconds (wall clock, and this process's CPU), statements and bytes."""

    ms: float
    cpu_ms: float
    statements: int
    size: int
    gzipped: int  # what COMPRESS_RESPONSES (or Nginx) sends


def fill(count: int) -> None:
    """``count`` work orders beside the demo ones, spread over statuses, teams, types and dates."""
    statements = [
        "INSERT INTO work_orders (number, title, description, type_id, priority_id, status_id, team_id, due_at,"
        " actual_hours, actual_cost, custom_values, archived, version, created_at, updated_at) "
        "SELECT 'WO-' || (2019 + g % 5) || '-' || lpad((1 + g / 5)::text, 6, '0'),"
        " (ARRAY['Compressor','Filter','Leak','Light','Door'])[1 + g % 5] || ' ' || g, 'Generated work order ' || g,"
        " (SELECT min(id) FROM work_order_types) + g % 5, (SELECT min(id) FROM priorities) + g % 4,"
        " (SELECT min(id) FROM statuses) + g % 9, (SELECT min(id) FROM teams) + g % (SELECT count(*) FROM teams),"
        " now() + ((g % 90) - 30) * interval '1 day',"
        f" 0, 0, '{{}}', false, 1, now() - (g % 365) * interval '1 day', now() FROM generate_series(1, {count}) g",
        "INSERT INTO work_order_assignees (work_order_id, user_id) SELECT w.id, m.user_id FROM work_orders w"
        " JOIN team_members m ON m.team_id = w.team_id WHERE w.description LIKE 'Generated%'"
        " AND m.user_id = (SELECT min(user_id) FROM team_members x WHERE x.team_id = w.team_id)",
    ]
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def signed_in(app: Flask, email: str) -> FlaskClient:
    """A client signed in as a demo person through the sign-in form."""
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD_DEFAULT})
    assert response.status_code == 302, (email, response.status_code)
    return client


def requests(app: Flask, who: str) -> list[tuple[str, Callable[[FlaskClient], TestResponse]]]:
    """Each page as a request to repeat: the label and how to make it."""
    with app.app_context():
        person = db.session.scalar(select(User).where(User.email == who))
        assert person is not None
        working = select(WorkOrder).join(WorkOrder.status).where(Status.name == "In progress").order_by(WorkOrder.id)
        mine = db.session.scalar(working.join(WorkOrder.assignees).where(User.id == person.id))
        mine = mine or db.session.scalar(working)  # the manager works none: any work order in progress
        pause, resume = (
            db.session.scalar(select(Transition).where(Transition.name == name)) for name in ("Pause", "Resume")
        )
        product = db.session.scalar(select(Product).order_by(Product.id))
        first = db.session.scalar(select(WorkOrder).order_by(WorkOrder.id))
        for record in (mine, pause, resume, product, first):
            assert record is not None, "the demo data has changed"
        ids = {"mine": mine.id, "pause": pause.id, "resume": resume.id, "product": product.id, "first": first.id}
        defaults = {"type_id": first.type_id, "priority_id": first.priority_id}
        works = person.has_permission("workorder.work")  # pausing and resuming are the worker's
    moves = iter(range(10**6))

    def transition(client: FlaskClient) -> TestResponse:
        step = ids["pause"] if next(moves) % 2 == 0 else ids["resume"]
        return client.post(f"/work-orders/{ids['mine']}/transition", data={"transition_id": step, "reason": "Parts"})

    def create(client: FlaskClient) -> TestResponse:
        return client.post("/work-orders/new", data={"title": "Benchmark request", **defaults})

    def get(path: str) -> Callable[[FlaskClient], TestResponse]:
        return lambda client: client.get(path)

    pages = [
        ("healthz", get("/healthz")),
        ("sign-in page (anonymous)", get("/auth/login")),
        ("home", get("/")),
        ("list", get("/work-orders")),
        ("list, filtered", get("/work-orders?view=open&sort=due")),
        ("list, page 200", get("/work-orders?page=200")),
        ("list, search", get("/work-orders?q=compressor+42")),
        ("detail", get(f"/work-orders/{ids['mine']}")),
        ("new (POST)", create),
        ("board", get("/work-orders/board")),
        ("products", get("/products")),
        ("product detail", get(f"/products/{ids['product']}")),
    ]
    return [*pages, ("transition (POST)", transition)] if works else pages


def measure(app: Flask, who: str) -> dict[str, Figures]:
    """Median figures per page for ``who`` (a demo e-mail address)."""
    client = signed_in(app, who)
    anonymous = app.test_client()
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    results = {}
    for label, make in requests(app, who):
        caller = anonymous if "anonymous" in label else client
        assert make(caller).status_code in (200, 302), label  # warm up
        timings, cpu, counts, sizes = [], [], [], []
        for _ in range(REPEATS):
            statements = 0
            started, started_cpu = time.perf_counter(), time.process_time()
            response = make(caller)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            assert response.status_code in (200, 302), (label, response.status_code)
            counts.append(statements)
            sizes.append(len(response.get_data()))
        results[label] = Figures(
            min(timings) * 1000,  # the best of the repeats: what the page costs when nothing else gets in the way
            min(cpu) * 1000,
            int(statistics.median(counts)),
            int(statistics.median(sizes)),
            len(gzip.compress(response.get_data(), 6)),
        )
    with app.app_context():
        event.remove(db.engine, "before_cursor_execute", count)
    return results


def profile(app: Flask, who: str, path: str) -> None:
    """Print a pyinstrument profile of ``REPEATS`` requests to ``path``."""
    from pyinstrument import Profiler  # not a dependency: installed by hand to profile

    client = signed_in(app, who)
    client.get(path)
    with Profiler(interval=0.0005) as profiler:
        for _ in range(REPEATS):
            client.get(path)
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def run(server: URL, count: int, profile_path: str | None = None) -> None:
    """Seed, fill and print the figures per page for a manager and a technician."""
    people = ("manager@example.com", "tech@example.com")
    with fresh_database(server) as url:
        settings = {"CUBE_ENV": "testing", "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False}
        app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
        assert app.test_cli_runner().invoke(args=["cube", "seed-demo"]).exit_code == 0
        with app.app_context():
            fill(count)
        if profile_path:
            for who in people:
                for path in profile_path.split(","):
                    print(f"== {who} {path}")
                    profile(app, who, path)
        else:
            for who in people:
                print(f"\n{who:<26} {'ms':>7} {'cpu ms':>7} {'stmts':>6} {'bytes':>8} {'gzipped':>8}")
                for label, f in measure(app, who).items():
                    print(f"{label:<26} {f.ms:>7.2f} {f.cpu_ms:>7.2f} {f.statements:>6} {f.size:>8} {f.gzipped:>8}")
        with app.app_context():
            db.engine.dispose()
