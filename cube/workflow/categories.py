"""What status categories mean to the rest of the app, in one place (the enum, never strings)."""

from __future__ import annotations

from typing import Final

from flask_babel import lazy_gettext as _l

from cube.models import StatusCategory, Transition

# Work still to be done: lists' quick views count these; checklists, time and parts may change.
OPEN_CATEGORIES: Final = (StatusCategory.OPEN, StatusCategory.ACTIVE, StatusCategory.WAITING)

# The categories as people read them, in workflow order (filters and the status admin). Lazy: call str()
# before a label goes into the session, JSON or a dict key.
CATEGORY_LABELS: Final = {
    StatusCategory.OPEN: _l("Open"),
    StatusCategory.ACTIVE: _l("Active"),
    StatusCategory.WAITING: _l("Waiting"),
    StatusCategory.DONE: _l("Done"),
    StatusCategory.CANCELLED: _l("Cancelled"),
}


def category_of(value: str | None) -> StatusCategory | None:
    """The category a filter names, or None for a blank or unknown value."""
    try:
        return StatusCategory(value or "")
    except ValueError:
        return None


def completes(transition: Transition) -> bool:
    """True when the transition finishes the work (it leads into a done status)."""
    return transition.to_status.category == StatusCategory.DONE


def cancels(transition: Transition) -> bool:
    """True when the transition drops the work (it leads into a cancelled status)."""
    return transition.to_status.category == StatusCategory.CANCELLED
