"""Words for the catalog's stored values, in the reader's language.

The database keeps asset statuses, location kinds, company roles, units and stock
movement kinds as short English keys; pages, pickers and messages show these labels
(each dict is keyed by the stored value; an unknown value is shown as stored).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from flask_babel import LazyString, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ASSET_STATUSES: dict[str, LazyString] = {
    "in_service": _l("In service"),
    "down": _l("Down"),
    "retired": _l("Retired"),
}
LOCATION_KINDS: dict[str, LazyString] = {
    "site": _l("Site"),
    "building": _l("Building"),
    "area": _l("Area"),
}
COMPANY_KINDS: dict[str, LazyString] = {
    "customer": _l("Customer"),
    "vendor": _l("Vendor"),
    "manufacturer": _l("Manufacturer"),
}
# Units that are words; symbols (m, kg, l, h ...) are the same in every language.
UNITS: dict[str, LazyString] = {
    # Translators: a unit of measure ("3 each" = three single pieces).
    "each": lazy_pgettext("unit of measure", "each"),
    "box": lazy_pgettext("unit of measure", "box"),
    "pack": lazy_pgettext("unit of measure", "pack"),
    "pair": lazy_pgettext("unit of measure", "pair"),
    "set": lazy_pgettext("unit of measure", "set"),
}
MOVEMENT_KINDS: dict[str, LazyString] = {
    "receipt": _l("Received"),
    "issue": _l("Issued"),
    "return": _l("Returned"),
    "transfer_out": _l("Transferred out"),
    "transfer_in": _l("Transferred in"),
    "adjustment": _l("Adjusted"),
}


class Move(Protocol):
    """What ``movement_label`` reads of a ledger row (a ``StockMovement``)."""

    kind: str
    quantity: Decimal
    for_work_order: bool


def asset_status_label(status: str) -> str:
    """An asset status in words ("In service")."""
    return str(ASSET_STATUSES.get(status, status))


def location_kind_label(kind: str) -> str:
    """A location kind in words ("Building")."""
    return str(LOCATION_KINDS.get(kind, kind))


def company_kind_label(kind: str) -> str:
    """A company role in words ("Manufacturer")."""
    return str(COMPANY_KINDS.get(kind, kind))


def unit_label(unit: str) -> str:
    """A unit of measure as the reader writes it (symbols unchanged)."""
    return str(UNITS.get(unit, unit))


def movement_label(move: Move) -> str:
    """A ledger row's movement in words: "Issued to a work order", "Adjusted down", "Transferred in"."""
    if move.kind == "adjustment":
        return _("Adjusted up") if move.quantity > 0 else _("Adjusted down")
    if move.for_work_order:
        return _("Issued to a work order") if move.kind == "issue" else _("Returned from a work order")
    return str(MOVEMENT_KINDS.get(move.kind, move.kind))


TEMPLATE_HELPERS = {
    "asset_status_label": asset_status_label,
    "location_kind_label": location_kind_label,
    "company_kind_label": company_kind_label,
    "unit_label": unit_label,
    "movement_label": movement_label,
}
