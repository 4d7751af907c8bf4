"""The product catalog: categories and products, with stock on hand from SQL."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from flask_babel import LazyString, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, not_, or_, select
from sqlalchemy.orm import joinedload

from cube import audit
from cube.actors import Actor, require
from cube.editing import Opened, merge_edit
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.models import Company, Product, ProductCategory
from cube.trees import descendant_ids, tree_order
from cube.validation import decimal_value, optional_text, required_text

UNITS = ("each", "box", "pack", "pair", "set", "m", "m2", "m3", "kg", "g", "l", "ml", "h")
MAX_SPECS = 50


@dataclass(frozen=True)
class Sort:
    """One way to order the catalog list: its label in the picker and the column."""

    label: str | LazyString
    column: Any


# The one list of catalog sort orders (the picker shows them in this order); anything else falls back to name.
SORTS: dict[str, Sort] = {
    "name": Sort(_l("Name"), Product.name),
    "sku": Sort(_l("SKU"), Product.sku_key),
    "on_hand": Sort(_l("On hand"), Product.on_hand),
    "cost": Sort(_l("Unit cost"), Product.unit_cost),
    "price": Sort(_l("Price"), Product.unit_price),
    "updated": Sort(_l("Last change"), Product.updated_at),
}
DEFAULT_SORT = "name"


@dataclass(frozen=True)
class ProductFilters:
    """What the catalog list is narrowed and ordered by."""

    q: str = ""
    category_id: int | None = None
    manufacturer_id: int | None = None
    active: bool | None = True
    spare_parts: bool = False
    low_stock: bool = False
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True)
class ProductData:
    """The editable fields of a product."""

    sku: str
    name: str
    category_id: int | None = None
    description: str = ""
    manufacturer_id: int | None = None
    unit: str = "each"
    unit_cost: Decimal | str = Decimal("0")
    unit_price: Decimal | str = Decimal("0")
    specs: list[list[str]] = field(default_factory=list)
    is_spare_part: bool = False
    min_stock: Decimal | str = Decimal("0")
    active: bool = True


def require_manager(actor: Actor) -> None:
    """Refuse unless ``actor`` may change the catalog (companies, categories, products, locations, assets)."""
    require(actor, "catalog.manage", _("You may not change the catalog."))


def category_tree() -> list[tuple[ProductCategory, int]]:
    """Every category depth-first with its depth, for pickers and the category page."""
    categories = db.session.scalars(select(ProductCategory)).all()
    return tree_order(categories, lambda c: c.parent_id, lambda c: c.id, lambda c: c.name)


def save_category(actor: Actor, category: ProductCategory | None, name: str, parent_id: int | None) -> ProductCategory:
    """Create or rename/move a category; names are unique under one parent and no cycles."""
    require_manager(actor)
    name = required_text(name, field="name", label=_("A name"), max_length=120)
    parent = db.session.get(ProductCategory, parent_id) if parent_id else None
    if parent_id and parent is None:
        raise ValidationFailed(_("Choose a parent category from the list."), field="parent_id")
    if category is not None and parent is not None:
        below = descendant_ids(
            db.session.scalars(select(ProductCategory)).all(), category.id, lambda c: c.parent_id, lambda c: c.id
        )
        if parent.id in below:
            raise ValidationFailed(_("A category cannot be placed inside itself."), field="parent_id")
    clash = select(ProductCategory.id).where(
        ProductCategory.name == name,
        ProductCategory.parent_id.is_(None) if parent is None else ProductCategory.parent_id == parent.id,
    )
    if category is not None:
        clash = clash.where(ProductCategory.id != category.id)
    if db.session.scalar(clash) is not None:
        raise ValidationFailed(_("There is already a category with this name here."), field="name")
    created = category is None
    if category is None:
        category = ProductCategory()
        db.session.add(category)
    category.name = name
    category.parent = parent
    db.session.flush()
    audit.record("category.created" if created else "category.updated", actor=actor, target=category, name=name)
    return category


def products_query(filters: ProductFilters) -> Select[tuple[Product]]:
    """Products filtered and sorted as asked (stock on hand is ``Product.on_hand``)."""
    query = select(Product).options(joinedload(Product.category), joinedload(Product.manufacturer))
    if filters.q:
        needle = filters.q.strip().lower()
        # Matching categories and manufacturers are looked up first (few rows), so the product
        # search is a union of index scans rather than a scan with sub-selects.
        category_ids = db.session.scalars(
            select(ProductCategory.id).where(func.lower(ProductCategory.name).contains(needle, autoescape=True))
        ).all()
        maker_ids = db.session.scalars(
            select(Company.id).where(func.lower(Company.name).contains(needle, autoescape=True))
        ).all()
        query = query.where(
            or_(
                Product.sku_key.contains(needle, autoescape=True),
                func.lower(Product.name).contains(needle, autoescape=True),
                Product.category_id.in_(category_ids),
                Product.manufacturer_id.in_(maker_ids),
            )
        )
    if filters.category_id is not None:
        nodes = db.session.scalars(select(ProductCategory)).all()
        ids = descendant_ids(nodes, filters.category_id, lambda c: c.parent_id, lambda c: c.id)
        query = query.where(Product.category_id.in_(ids))
    if filters.manufacturer_id is not None:
        query = query.where(Product.manufacturer_id == filters.manufacturer_id)
    if filters.active is not None:
        # A bare boolean (not "IS true") so PostgreSQL matches the partial low-stock index.
        query = query.where(Product.active if filters.active else not_(Product.active))
    if filters.spare_parts:
        query = query.where(Product.is_spare_part.is_(True))
    if filters.low_stock:
        query = query.where(and_(Product.min_stock > 0, Product.on_hand < Product.min_stock))
    column = SORTS.get(filters.sort, SORTS[DEFAULT_SORT]).column
    order = column.desc() if filters.descending else column.asc()
    return query.order_by(order, Product.id)


def low_stock_query() -> Select[tuple[Product]]:
    """Active products whose total on hand is below their minimum."""
    return products_query(ProductFilters(low_stock=True, sort="name"))


def product_by_sku(sku: str) -> Product | None:
    """The product whose SKU matches ``sku`` ignoring case."""
    return db.session.scalar(select(Product).where(Product.sku_key == sku.strip().lower()))


def parse_specs(text: str) -> list[list[str]]:
    """Specifications from "Name: value" lines (blank lines skipped)."""
    specs = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise ValidationFailed(
                _("Line %(number)d: write specifications as 'Name: value'.", number=number), field="specs"
            )
        specs.append([name.strip()[:80], value.strip()[:500]])
    if len(specs) > MAX_SPECS:
        raise ValidationFailed(
            ngettext("At most %(num)d specification.", "At most %(num)d specifications.", MAX_SPECS), field="specs"
        )
    return specs


def specs_text(specs: list[list[str]]) -> str:
    """The "Name: value" lines for a product's specifications."""
    return "\n".join(f"{name}: {value}" for name, value in specs or [])


def _clean(data: ProductData) -> ProductData:
    sku = required_text(data.sku, field="sku", label=_("A SKU"), max_length=64)
    if any(char.isspace() for char in sku):
        raise ValidationFailed(_("A SKU cannot contain spaces."), field="sku")
    if data.unit not in UNITS:
        raise ValidationFailed(_("Choose a unit from: %(units)s.", units=", ".join(UNITS)), field="unit")
    if data.category_id is not None and db.session.get(ProductCategory, data.category_id) is None:
        raise ValidationFailed(_("Choose a category from the list."), field="category_id")
    if data.manufacturer_id is not None and db.session.get(Company, data.manufacturer_id) is None:
        raise ValidationFailed(_("Choose a manufacturer from the list."), field="manufacturer_id")
    return ProductData(
        sku=sku,
        name=required_text(data.name, field="name", label=_("A name"), max_length=200),
        category_id=data.category_id,
        description=optional_text(data.description, field="description", label=_("Description"), max_length=16_000),
        manufacturer_id=data.manufacturer_id,
        unit=data.unit,
        unit_cost=decimal_value(data.unit_cost, field="unit_cost", label=_("Unit cost"), places=2),
        unit_price=decimal_value(data.unit_price, field="unit_price", label=_("Price"), places=2),
        specs=[[str(n)[:80], str(v)[:500]] for n, v in data.specs][:MAX_SPECS],
        is_spare_part=data.is_spare_part,
        min_stock=decimal_value(data.min_stock, field="min_stock", label=_("Minimum stock"), places=3),
        active=data.active,
    )


def _check_sku_free(sku: str, product: Product | None) -> None:
    clash = select(Product.id).where(Product.sku_key == sku.lower())
    if product is not None:
        clash = clash.where(Product.id != product.id)
    if db.session.scalar(clash) is not None:
        raise ValidationFailed(_("Another product has this SKU (SKUs ignore upper and lower case)."), field="sku")


def _as_record(data: ProductData) -> Any:
    """The submitted data shaped like a product, for comparing with the saved one."""
    return SimpleNamespace(
        **{name: getattr(data, name) for name in ProductData.__dataclass_fields__},
        category=db.session.get(ProductCategory, data.category_id) if data.category_id else None,
        manufacturer=db.session.get(Company, data.manufacturer_id) if data.manufacturer_id else None,
    )


def _snapshot(product: Any) -> dict[str, str]:
    values = {
        "sku": product.sku,
        "name": product.name,
        "category_id": product.category.path if product.category else "",
        "description": product.description,
        "manufacturer_id": product.manufacturer.name if product.manufacturer else "",
        "unit": product.unit,
        "unit_cost": f"{Decimal(product.unit_cost):.2f}",
        "unit_price": f"{Decimal(product.unit_price):.2f}",
        "specs": specs_text(product.specs),
        "is_spare_part": "yes" if product.is_spare_part else "no",
        "min_stock": f"{Decimal(product.min_stock):.3f}",
        "active": "yes" if product.active else "no",
    }
    return {key: values[name] for key, name in SNAPSHOT_FIELDS.items()}


def _apply(product: Product, data: ProductData) -> None:
    product.sku = data.sku
    product.sku_key = data.sku.lower()
    product.name = data.name
    product.category_id = data.category_id
    product.description = data.description
    product.manufacturer_id = data.manufacturer_id
    product.unit = data.unit
    product.unit_cost = Decimal(data.unit_cost)
    product.unit_price = Decimal(data.unit_price)
    product.specs = data.specs
    product.is_spare_part = data.is_spare_part
    product.min_stock = Decimal(data.min_stock)
    product.active = data.active


def create_product(actor: Actor, data: ProductData) -> Product:
    """Add a product to the catalog."""
    require_manager(actor)
    data = _clean(data)
    _check_sku_free(data.sku, None)
    product = Product()
    _apply(product, data)
    db.session.add(product)
    db.session.flush()
    audit.record("product.created", actor=actor, target=product, sku=product.sku)
    return product


# Which field each line of ``_snapshot`` shows (a line the editor left as opened keeps the saved value).
# The keys stay English whatever the reader's language: the audit trail stores them and the edit form's
# digests are keyed by them (a form opened in one language is saved in another).
SNAPSHOT_FIELDS: dict[str, str] = {
    "SKU": "sku",
    "Name": "name",  # i18n: not shown (field key stored in the audit trail)
    "Category": "category_id",  # i18n: not shown (field key stored in the audit trail)
    "Description": "description",  # i18n: not shown (field key stored in the audit trail)
    "Manufacturer": "manufacturer_id",  # i18n: not shown (field key stored in the audit trail)
    "Unit": "unit",  # i18n: not shown (field key stored in the audit trail)
    "Unit cost": "unit_cost",  # i18n: not shown (field key stored in the audit trail)
    "Price": "unit_price",  # i18n: not shown (field key stored in the audit trail)
    "Specifications": "specs",  # i18n: not shown (field key stored in the audit trail)
    "Spare part": "is_spare_part",  # i18n: not shown (field key stored in the audit trail)
    "Minimum stock": "min_stock",  # i18n: not shown (field key stored in the audit trail)
    "Active": "active",  # i18n: not shown (field key stored in the audit trail)
}


def edit_snapshot(product: Product) -> dict[str, str]:
    """The product's fields as text, as an edit form opens with them (``cube.editing.seal``)."""
    return _snapshot(product)


def update_product(
    actor: Actor, product: Product, data: ProductData, *, expected_version: int | None, opened: Opened | None = None
) -> None:
    """Save changes merged with changes made since the form ``opened`` (EditConflict when both changed a field).

    Without ``opened`` a save based on an old ``expected_version`` that differs from the saved product is a conflict.
    """
    require_manager(actor)
    data = _clean(data)
    after = _snapshot(_as_record(data))
    merge = merge_edit(opened, _snapshot(product), after, "product", expected=expected_version, current=product.version)
    data = replace(data, **{SNAPSHOT_FIELDS[label]: getattr(product, SNAPSHOT_FIELDS[label]) for label in merge.kept})
    _check_sku_free(data.sku, product)
    changes = merge.changes
    _apply(product, data)
    db.session.flush()
    if changes:  # a save that changed nothing is not an event
        audit.record("product.updated", actor=actor, target=product, changes=changes)


def save_product(
    actor: Actor,
    product: Product | None,
    data: ProductData,
    *,
    expected_version: int | None,
    opened: Opened | None = None,
) -> Product:
    """Create a product (``product`` None) or update one (see ``update_product``); returns it."""
    if product is None:
        return create_product(actor, data)
    update_product(actor, product, data, expected_version=expected_version, opened=opened)
    return product
