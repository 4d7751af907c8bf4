"""Work order numbers: WO-YYYY-NNNNNN, unique even when many are created at once."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from cube.extensions import db
from cube.models import WorkOrderSequence, utcnow


def _ensure_year(year: int) -> None:
    """Create the year's counter row if it is missing.

    On PostgreSQL and MariaDB this happens in a short transaction of its own,
    so concurrent creators never race to insert the same key inside their
    longer transactions (InnoDB answers that race with a deadlock). SQLite
    serialises writers anyway and would wait on its own lock, so there the
    row is created in the current transaction.
    """
    exists = select(WorkOrderSequence.year).where(WorkOrderSequence.year == year)
    if db.session.scalar(exists) is not None:
        return
    if db.engine.dialect.name == "sqlite":
        try:
            with db.session.begin_nested():
                db.session.execute(insert(WorkOrderSequence).values(year=year, last_value=0))
        except IntegrityError:
            pass
        return
    with db.engine.connect() as conn:
        try:
            conn.execute(insert(WorkOrderSequence).values(year=year, last_value=0))
            conn.commit()
        except IntegrityError:
            conn.rollback()  # another creator made it first


def next_number(year: int | None = None) -> str:
    """Take the next number of the year.

    The counter row is incremented with an UPDATE, which locks it until the
    creating transaction ends, so concurrent creators queue instead of
    reading the same value.
    """
    year = year or utcnow().year
    _ensure_year(year)
    db.session.execute(
        update(WorkOrderSequence)
        .where(WorkOrderSequence.year == year)
        .values(last_value=WorkOrderSequence.last_value + 1)
        .execution_options(synchronize_session=False)
    )
    value = db.session.scalar(select(WorkOrderSequence.last_value).where(WorkOrderSequence.year == year))
    return f"WO-{year}-{value:06d}"
