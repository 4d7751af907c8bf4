"""What status categories mean to the rest of the app, in one place (the enum, never strings)."""

from __future__ import annotations

from typing import Final

from cube.models import StatusCategory, Transition

# Work still to be done: lists' quick views count these; checklists, time and parts may change.
OPEN_CATEGORIES: Final = (StatusCategory.OPEN, StatusCategory.ACTIVE, StatusCategory.WAITING)

# The categories as people read them, in workflow order (filters and the status admin).
CATEGORY_LABELS: Final = {
    StatusCategory.OPEN: "Open",
    StatusCategory.ACTIVE: "Active",
    StatusCategory.WAITING: "Waiting",
    StatusCategory.DONE: "Done",
    StatusCategory.CANCELLED: "Cancelled",
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
