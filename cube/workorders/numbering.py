"""Work order numbers: WO-YYYY-NNNNNN, unique even when many are created at once."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from cube.extensions import db
from cube.models import WorkOrderSequence, utcnow


def next_number(year: int | None = None) -> str:
    """Take the next number of the year.

    The year's counter row is incremented with an UPDATE, which locks it until
    the creating transaction ends, so concurrent creators queue instead of
    reading the same value. The first number of a year inserts the row; if two
    creators race to insert, the loser retries the update.
    """
    year = year or utcnow().year
    for _attempt in range(3):
        changed = db.session.execute(
            update(WorkOrderSequence)
            .where(WorkOrderSequence.year == year)
            .values(last_value=WorkOrderSequence.last_value + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            value = db.session.scalar(select(WorkOrderSequence.last_value).where(WorkOrderSequence.year == year))
            return f"WO-{year}-{value:06d}"
        try:
            with db.session.begin_nested():
                db.session.execute(insert(WorkOrderSequence).values(year=year, last_value=1))
            return f"WO-{year}-{1:06d}"
        except IntegrityError:
            continue
    raise RuntimeError("could not take a work order number")
