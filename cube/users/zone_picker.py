"""The time zone picker: likely zones first, then every zone grouped by region, searchable with JavaScript."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import func, select
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from cube.extensions import db
from cube.models import User
from cube.site_settings import default_timezone
from cube.users.services import timezone_names

IN_USE_SHOWN = 8


def zones_in_use(limit: int = IN_USE_SHOWN) -> list[str]:
    """The zones active people of this site use, the most used first."""
    used = func.count(User.id)
    query = (
        select(User.timezone)
        .where(User.active.is_(True), User.timezone != "")
        .group_by(User.timezone)
        .order_by(used.desc(), User.timezone)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _label(zone: str) -> str:
    """A zone as people read it: "America/New York" (searching "new york" finds it)."""
    return zone.replace("_", " ")


def zone_choices(site_default: str, in_use: Sequence[str]) -> dict[str, list[SelectChoice]]:
    """Options by group: the suggested zones (site default, then those in use), then each region's, "Other" last."""
    known = set(timezone_names())
    suggested = list(dict.fromkeys(zone for zone in (site_default, *in_use) if zone in known))
    groups: dict[str, list[SelectChoice]] = {_("Suggested"): []}
    for zone in suggested:
        label = _("%(zone)s (site default)", zone=_label(zone)) if zone == site_default else _label(zone)
        groups[_("Suggested")].append(SelectChoice(zone, label))
    regions: dict[str, list[SelectChoice]] = {}
    others: list[SelectChoice] = []
    for zone in timezone_names():
        if zone in suggested:
            continue
        region, slash, _rest = zone.partition("/")
        (regions.setdefault(region, []) if slash else others).append(SelectChoice(zone, _label(zone)))
    groups.update(sorted(regions.items()))
    if others:
        groups[_("Other")] = others
    return groups


def offer_zones(field: SelectField) -> None:
    """Fill a time zone field with the grouped choices and mark it for the searchable picker and the device's zone."""
    field.choices = zone_choices(default_timezone(), zones_in_use())  # type: ignore[assignment]
    field.render_kw = {
        **(field.render_kw or {}),
        "data-picker": True,
        "data-placeholder": _("Type to search time zones"),
        "data-device-zone": _("%(zone)s (this device)"),
    }
