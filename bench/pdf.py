"""Work order PDF time against the line count of its description and three comments.

Each text gets n lines; the figure is the build time and its ratio to a plain work
order's PDF built in the same run. Layout is linear per line shown (the quadratic
layout took 64 s at 16,000 lines); past TEXT_LINES per text the PDF stops with a note,
so the time levels off.

    python -m bench pdf

On the development machine (2 shared cores), plain 0.05 s:

    lines per text   seconds  x plain  pages
               100     0.079      1.5      8
             1,000     0.215      4.0     67
             2,000     0.356      6.6    132
            20,000     0.388      7.2    133   (each text cut at 2,000 lines)

Before (one Paragraph per text): 1,000 lines 3.2 s, 2,000 lines 13.3 s (quadratic).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_migrate import upgrade

from cube import create_app
from cube.actors import SYSTEM
from cube.extensions import db
from cube.models import Comment, Priority, WorkOrderType
from cube.users import roles as role_service
from cube.users import services as user_service
from cube.workflow.defaults import ensure_default_workflow
from cube.workorders import services
from cube.workorders.pdf import work_order_pdf

LINE_COUNTS = (100, 1_000, 2_000, 5_000, 20_000)
REPEATS = 3


def _timed(call: object) -> float:
    """The median of REPEATS timings of ``call()``, in seconds."""
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def run() -> None:
    """Print build time and ratio to a plain PDF per line count."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"CUBE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'b.db'}"})
        with app.app_context():
            upgrade()
            role_service.ensure_builtin_roles()
            ensure_default_workflow()
            admin_role = role_service.role_by_name("admin")
            author = user_service.create_user(
                SYSTEM,
                user_service.UserData(email="bench@example.com", name="Bench", role_id=admin_role.id),
                invite=False,
            )
            type_id = db.session.scalar(db.select(WorkOrderType.id))
            priority_id = db.session.scalar(db.select(Priority.id).where(Priority.is_default.is_(True)))

            def work_order(title: str, lines: int):
                wo = services.create_work_order(
                    author, services.WorkOrderData(title=title, type_id=type_id, priority_id=priority_id)
                )
                if lines:
                    wo.description = "\n".join(f"Description line {n}" for n in range(lines))
                    for number in range(3):
                        body = "\n".join(f"Comment {number} line {n}" for n in range(lines))
                        db.session.add(Comment(work_order_id=wo.id, author_id=author.id, body=body))
                db.session.commit()
                return wo

            def build(wo) -> bytes:
                return work_order_pdf(wo, link="https://cube.example/wo", zone=ZoneInfo("UTC"), viewer=author)

            plain = work_order("Plain", 0)
            build(plain)  # fonts loaded
            base = _timed(lambda: build(plain))
            print(f"{'lines per text':>15} {'seconds':>9} {'x plain':>8} {'pages':>6}")
            print(f"{'plain':>15} {base:9.3f} {1:8.1f}")
            for lines in LINE_COUNTS:
                wo = work_order(f"{lines} lines", lines)
                data = build(wo)
                took = _timed(lambda wo=wo: build(wo))
                pages = data.count(b"/Type /Page\n") or data.count(b"/Type /Page")
                print(f"{lines:>15,} {took:9.3f} {took / base:8.1f} {pages:>6}")
