"""A person's time zone: the one place that turns a stored zone name into a ``ZoneInfo``."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = ZoneInfo("UTC")


class HasTimezone(Protocol):
    timezone: str


def zone_of(person: HasTimezone | None) -> ZoneInfo:
    """The zone ``person`` chose; UTC for nobody, a blank choice or a name this machine does not know."""
    name = getattr(person, "timezone", "") if person is not None else ""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def as_utc(value: datetime | None, person: HasTimezone | None) -> datetime | None:
    """A date and time typed in ``person``'s zone, made timezone-aware (None stays None)."""
    return None if value is None else value.replace(tzinfo=zone_of(person))
