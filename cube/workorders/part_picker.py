"""What the "Use a part" form offers: products to pick (all of them, or found by a search) and stock per location.

A small catalog is listed whole in a plain select (searchable with JavaScript). Above ``LIST_LIMIT``
active products the select lists only the chosen product and the matches of a search, and the picker
asks ``search`` as the person types. Locations are offered with the product's stock, the ones holding
it first (most first), so the default is where the stock is.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from wtforms import SelectChoice

from cube.extensions import db
from cube.i18n import number
from cube.lookups import LOOKUP_LIMIT, cleaned_term
from cube.models import Location, Product, StockLevel
from cube.products.assets import location_paths, location_tree
from cube.products.labels import unit_label
from cube.workorders.forms import PartForm

LIST_LIMIT = 500  # above this many active products the picker searches instead of listing
SEARCH_LIMIT = LOOKUP_LIMIT  # matches a search answers with


@dataclass(frozen=True)
class Place:
    """A location the part can come from, with the product's stock there."""

    id: int
    path: str
    on_hand: Decimal
    label: str


def product_label(product: Product) -> str:
    """How a product reads in the picker: "SKU — name"."""
    return f"{product.sku} — {product.name}"


def is_large_catalog() -> bool:
    """True when there are more active products than a page should list (counted no further than needed)."""
    capped = select(Product.id).where(Product.active.is_(True)).limit(LIST_LIMIT + 1).subquery()
    return (db.session.scalar(select(func.count()).select_from(capped)) or 0) > LIST_LIMIT


def active_product(product_id: int | None) -> Product | None:
    """The active product ``product_id``, or None."""
    product = db.session.get(Product, product_id) if product_id else None
    return product if product is not None and product.active else None


def search(term: str, *, limit: int = SEARCH_LIMIT) -> list[Product]:
    """Active products whose SKU or a word of whose name starts with ``term`` (case ignored), by name; bounded."""
    wanted = cleaned_term(term)
    if not wanted:
        return []
    name = func.lower(Product.name)
    query = (
        select(Product)
        .where(
            Product.active.is_(True),
            or_(
                Product.sku_key.like(f"{wanted}%", escape="\\"),
                name.like(f"{wanted}%", escape="\\"),
                name.like(f"% {wanted}%", escape="\\"),
            ),
        )
        .order_by(Product.name, Product.id)
        .limit(max(1, min(limit, SEARCH_LIMIT)))
    )
    return list(db.session.scalars(query))


def product_choices(*, large: bool, chosen: Product | None, term: str = "") -> list[SelectChoice]:
    """The product select's options: every active product, or (large catalog) the chosen one and a search's matches."""
    blank = [SelectChoice("", _("Choose a part"))]
    if not large:
        query = select(Product).where(Product.active.is_(True)).order_by(Product.name, Product.id)
        return blank + [SelectChoice(p.id, product_label(p)) for p in db.session.scalars(query)]
    found = search(term) if term else []
    if chosen is not None and all(p.id != chosen.id for p in found):
        found.insert(0, chosen)
    return blank + [SelectChoice(p.id, product_label(p)) for p in found]


def places_for(product: Product | None) -> list[Place]:
    """Active locations for ``product``: those holding it first (most stock first), then the rest in tree order."""
    tree = [node for node, _depth in location_tree(active_only=True)]
    levels: dict[int, Decimal] = {}
    if product is not None:
        rows = db.session.execute(
            select(StockLevel.location_id, StockLevel.on_hand)
            .join(Location, Location.id == StockLevel.location_id)
            .where(StockLevel.product_id == product.id, StockLevel.on_hand > 0, Location.active.is_(True))
        ).all()
        levels = {location_id: Decimal(on_hand) for location_id, on_hand in rows}
    paths = location_paths({node.id for node in tree})
    stocked = sorted(levels, key=lambda location_id: (-levels[location_id], paths.get(location_id, "")))
    places = [
        Place(
            location_id,
            paths.get(location_id, ""),
            levels[location_id],
            _(
                "%(place)s (%(quantity)s %(unit)s)",
                place=paths.get(location_id, ""),
                quantity=number(levels[location_id].normalize()),
                unit=unit_label(product.unit) if product is not None else "",
            ),
        )
        for location_id in stocked
    ]
    places += [
        Place(node.id, paths.get(node.id, node.name), Decimal(0), paths.get(node.id, node.name))
        for node in tree
        if node.id not in levels
    ]
    return places


def location_choices(places: list[Place]) -> list[SelectChoice]:
    """The location select's options: the places holding the product ("In stock"), then the others."""
    in_stock, elsewhere = _("In stock"), _("No stock here")
    return [SelectChoice("", _("Choose a location"))] + [
        SelectChoice(p.id, p.label, optgroup=in_stock if p.on_hand > 0 else elsewhere) for p in places
    ]


def default_location(places: list[Place]) -> int | None:
    """Where the part most likely comes from: the location with the most stock (None when none holds it)."""
    return places[0].id if places and places[0].on_hand > 0 else None


@dataclass
class PartPicker:
    """The "Use a part" form ready to show: its options, the chosen product and its stock per location."""

    form: PartForm
    large: bool
    product: Product | None
    places: list[Place]
    open: bool = False  # shown unfolded (the person was using it)


def prepare(form: PartForm, *, default_location_too: bool, open: bool = False) -> PartPicker:
    """Fill the form's options for the product it names; choose the best-stocked location when asked and none is."""
    large = is_large_catalog()
    product = active_product(form.product_id.data)
    form.product_id.choices = product_choices(large=large, chosen=product, term=(form.q.data or "").strip())
    places = places_for(product)
    form.location_id.choices = location_choices(places)
    if default_location_too and product is not None and form.location_id.data not in {p.id for p in places}:
        form.location_id.data = default_location(places)
    return PartPicker(form, large, product, places, open)
