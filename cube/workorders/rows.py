"""The work order list's rows, with what each shows worked out once per row rather than once per cell.

The list shows every work order twice (a table on wide screens, cards on narrow ones): the link,
the due time in the reader's zone and date style, the assignees and the checkbox label are made
here once, with the zone and the date style looked up once for the whole page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _

from cube.i18n import time_writer
from cube.models import WorkOrder


@dataclass(frozen=True)
class Row:
    """One work order of the list and its values as the page shows them."""

    work_order: WorkOrder
    url: str
    due: str
    assignees: str
    select_label: str


def list_rows(work_orders: Iterable[WorkOrder]) -> list[Row]:
    """The rows of one page of the list."""
    when = time_writer()
    return [
        Row(
            work_order=wo,
            url=url_for("workorders.show_work_order", work_order_id=wo.id),
            due=when(wo.due_at),
            assignees=", ".join(person.name for person in wo.assignees),
            select_label=_("Select %(number)s", number=wo.number),
        )
        for wo in work_orders
    ]
