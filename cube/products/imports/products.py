"""Checking and writing the rows of a products file, creating the categories they name."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from cube.actors import Actor
from cube.models import Product, ProductCategory
from cube.products import catalog as catalog_service
from cube.products.imports.rows import Companies, Grouped, Kind, Plan, Row, fold, products_by_sku, split_path

MAX_CATEGORY_NAME = 120
AMOUNTS = (("unit_cost", _l("Unit cost"), 2), ("unit_price", _l("Price"), 2), ("min_stock", _l("Minimum stock"), 3))


class Categories:
    """The category tree by (parent, name), creating missing categories on demand."""

    def __init__(self) -> None:
        self.children: Grouped[ProductCategory] = Grouped(lambda category: category.parent_id, "name")
        for category, _depth in catalog_service.category_tree():
            self.children.add(category)

    def find(self, path: tuple[str, ...]) -> int | None:
        """The id of the category at ``path`` (None when any part of it is missing)."""
        parent_id: int | None = None
        for name in path:
            node = self.children.find(parent_id, name)
            if node is None:
                return None
            parent_id = node.id
        return parent_id

    def ensure(self, actor: Actor, path: tuple[str, ...]) -> int:
        """The id of the category at ``path``, creating the missing parts."""
        parent_id: int | None = None
        for name in path:
            node = self.children.find(parent_id, name)
            if node is None:
                node = catalog_service.save_category(actor, None, name, parent_id)  # type: ignore[arg-type]
                self.children.add(node)
            parent_id = node.id
        assert parent_id is not None
        return parent_id


class ProductRows(Kind):
    """Products, matched by SKU ignoring case."""

    kind = "products"
    data_class = catalog_service.ProductData
    field_columns = {"category_id": "category", "manufacturer_id": "manufacturer", "is_spare_part": "spare_part"}

    def __init__(self, header: frozenset[str], categories: Categories, new_categories: list[str]) -> None:
        super().__init__(header)
        self.products: dict[str, Product] = {}
        self.companies = Companies()
        self.categories = categories
        self.new_categories = new_categories

    def prefetch(self, rows: list[Row]) -> None:
        """Load the products and manufacturers the rows name."""
        self.products.update(products_by_sku(rows, "sku"))
        self.companies.load(row.cells.get("manufacturer", "") for row in rows)

    def current(self, record: Any) -> dict[str, Any]:
        """A saved product's values, with its specifications as lists."""
        values = super().current(record)
        values["specs"] = [list(pair) for pair in record.specs or []]
        return values

    def plan(self, row: Row) -> Plan | None:
        """The product's values and any category to create (None when the row has errors)."""
        sku = row.text("sku", missing=_("Enter a SKU."))
        if any(char.isspace() for char in sku):
            row.fail("sku", _("A SKU cannot contain spaces."))
        if sku:
            self.once(
                row,
                "sku",
                sku.lower(),
                lambda first: _(
                    "The SKU %(sku)s (SKUs ignore upper and lower case) is already on row %(row)d of this file.",
                    sku=sku,
                    row=first,
                ),
            )
        record = self.products.get(sku.lower()) if sku else None
        values = self.current(record) if record else asdict(catalog_service.ProductData(sku="", name=""))
        values["sku"] = sku
        values["name"] = row.text("name", missing=_("Enter a name."))
        category_path = self._category(row, values)
        if row.has("manufacturer"):
            values["manufacturer_id"] = self.companies.id_in(row, "manufacturer")
        if row.has("unit"):
            unit = row.cells.get("unit", "").lower() or "each"
            if unit not in catalog_service.UNITS:
                row.fail("unit", _("Choose a unit from: %(units)s.", units=", ".join(catalog_service.UNITS)))
            values["unit"] = unit
        for column, label, places in AMOUNTS:
            if row.has(column):
                values[column] = row.amount(column, places=places, label=str(label))
        if row.has("spare_part"):
            values["is_spare_part"] = row.flag("spare_part", default=False)
        if row.has("active"):
            values["active"] = row.flag("active", default=True)
        if row.has("description"):
            values["description"] = row.text("description")
        if row.has("specs"):
            values["specs"] = _specs(row)
        if row.errors:
            return None
        return Plan(row.number, record, values, category_path)

    def _category(self, row: Row, values: dict[str, Any]) -> tuple[str, ...] | None:
        """Set the category id; the path to create when it does not exist yet."""
        if not row.has("category"):
            return None
        text = row.text("category")
        if not text:
            values["category_id"] = None
            return None
        path = split_path(text)
        if any(not part for part in path):
            row.fail("category", _("Write the category as a path of names, e.g. Spare parts > Bearings."))
            return None
        if any(len(part) > MAX_CATEGORY_NAME for part in path):
            row.fail(
                "category",
                ngettext(
                    "A category name can be at most %(num)d character.",
                    "A category name can be at most %(num)d characters.",
                    MAX_CATEGORY_NAME,
                ),
            )
            return None
        found = self.categories.find(path)
        values["category_id"] = found
        if found is not None:
            return None
        shown = " > ".join(path)
        if fold(shown) not in {fold(known) for known in self.new_categories}:
            self.new_categories.append(shown)
        return path

    def apply(self, actor: Actor, plan: Plan) -> None:
        """Create the missing categories, then create or update the product."""
        values = dict(plan.values)
        if plan.category_path is not None:
            values["category_id"] = self.categories.ensure(actor, plan.category_path)
        catalog_service.save_product(actor, plan.record, catalog_service.ProductData(**values), expected_version=None)


def _specs(row: Row) -> list[list[str]]:
    """Specifications from "Name: value | Name: value"."""
    specs = []
    for part in row.cells.get("specs", "").split("|"):
        part = part.strip()
        if not part:
            continue
        name, separator, value = part.partition(":")
        name, value = name.strip(), value.strip()
        if not separator or not name:
            row.fail("specs", _("Write specifications as Name: value pairs separated by | (a vertical bar)."))
            return []
        if len(name) > 80 or len(value) > 500:
            row.fail(
                "specs",
                _(
                    "A specification name can be at most %(name)d characters and a value at most %(value)d.",
                    name=80,
                    value=500,
                ),
            )
            return []
        specs.append([name, value])
    if len(specs) > catalog_service.MAX_SPECS:
        row.fail(
            "specs",
            ngettext("At most %(num)d specification.", "At most %(num)d specifications.", catalog_service.MAX_SPECS),
        )
    return specs
