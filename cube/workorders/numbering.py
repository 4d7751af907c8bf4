"""Work order numbers: WO-YYYY-NNNNNN, unique even when many are created at once."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from cube.extensions import db
from cube.models import WorkOrderSequence, utcnow


def _ensure_year(year: int) -> None:
    """Create the year's counter row (another creator may have made it first).

    On PostgreSQL and MariaDB this happens in a short transaction of its own,
    so concurrent creators never race to insert the same key inside their
    longer transactions (InnoDB answers that race with a deadlock). SQLite
    serialises writers anyway and would wait on its own lock, so there the
    row is created in the current transaction.
    """
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


def _take(year: int) -> int | None:
    """Increment the year's counter and return its new value; None when the year has no counter yet.

    One statement where the database returns what an UPDATE wrote (PostgreSQL, SQLite); MariaDB reads
    it back. The UPDATE locks the row until the creating transaction ends, so concurrent creators queue
    instead of reading the same value.
    """
    bump = (
        update(WorkOrderSequence)
        .where(WorkOrderSequence.year == year)
        .values(last_value=WorkOrderSequence.last_value + 1)
        .execution_options(synchronize_session=False)
    )
    if db.engine.dialect.update_returning:
        return db.session.scalar(bump.returning(WorkOrderSequence.last_value))
    if db.session.execute(bump).rowcount == 0:  # type: ignore[attr-defined]
        return None
    return db.session.scalar(select(WorkOrderSequence.last_value).where(WorkOrderSequence.year == year))


def next_number(year: int | None = None) -> str:
    """Take the next number of the year (the year's counter is made on its first number)."""
    year = year or utcnow().year
    value = _take(year)
    if value is None:
        _ensure_year(year)
        value = _take(year)
    return f"WO-{year}-{value:06d}"
