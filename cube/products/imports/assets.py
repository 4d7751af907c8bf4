"""Checking and writing the rows of an assets file."""

from __future__ import annotations

from dataclasses import asdict

from flask_babel import gettext as _
from sqlalchemy import select

from cube.actors import Actor
from cube.extensions import db
from cube.models import Asset, AssetStatus, Product
from cube.products import assets as asset_service
from cube.products.imports.rows import Companies, Grouped, Kind, Plan, Row, fold, products_by_sku, split_path


class AssetRows(Kind):
    """Assets, matched by product SKU and serial number."""

    kind = "assets"
    data_class = asset_service.AssetData
    field_columns = {"product_id": "product_sku", "location_id": "location", "company_id": "owner"}
    statuses = frozenset(status.value for status in AssetStatus)

    def __init__(self, header: frozenset[str], locations: dict[str, int]) -> None:
        super().__init__(header)
        self.products: dict[str, Product] = {}
        self.assets: Grouped[Asset] = Grouped(
            lambda asset: (asset.product_id, fold(asset.serial_number)), "serial_number"
        )
        self.companies = Companies()
        self.locations = locations

    def prefetch(self, rows: list[Row]) -> None:
        """Load the products, assets and owners the rows name."""
        self.products.update(products_by_sku(rows, "product_sku"))
        serials = sorted({row.cells.get("serial_number", "") for row in rows} - {""})
        if serials:
            for asset in db.session.scalars(select(Asset).where(Asset.serial_number.in_(serials))):
                self.assets.add(asset)
        self.companies.load(row.cells.get("owner", "") for row in rows)

    def plan(self, row: Row) -> Plan | None:
        """The asset's values (None when the row has errors)."""
        sku = row.text("product_sku", missing=_("Enter the product's SKU."))
        serial = row.text("serial_number", missing=_("Enter a serial number."))
        product = self.products.get(sku.lower()) if sku else None
        if sku and product is None:
            row.fail("product_sku", _("No product has the SKU %(sku)s.", sku=repr(sku)))
        record = None
        if product is not None and serial:
            self.once(
                row,
                "serial_number",
                (product.id, fold(serial)),
                lambda first: _(
                    "%(sku)s serial number %(serial)s is already on row %(row)d of this file.",
                    sku=sku,
                    serial=serial,
                    row=first,
                ),
            )
            record = self.assets.find((product.id, fold(serial)), serial)
        values = self.current(record) if record else asdict(asset_service.AssetData(product_id=0, serial_number=""))
        values["product_id"] = product.id if product else 0
        values["serial_number"] = serial
        for column in ("name", "notes"):
            if row.has(column):
                values[column] = row.text(column)
        if row.has("location"):
            values["location_id"] = self._location(row)
        if row.has("owner"):
            values["company_id"] = self.companies.id_in(row, "owner")
        for column in ("install_date", "warranty_end"):
            if row.has(column):
                values[column] = row.day(column)
        if values["install_date"] and values["warranty_end"] and values["warranty_end"] < values["install_date"]:
            row.fail("warranty_end", _("The warranty cannot end before the install date."))
        if row.has("status"):
            status = row.cells.get("status", "").lower().replace(" ", "_") or AssetStatus.IN_SERVICE.value
            if status not in self.statuses:
                # Translators: the statuses are the words the file must contain; they stay in English.
                row.fail(
                    "status",
                    _(
                        "Write %(in_service)s, %(down)s or %(retired)s.",
                        in_service="in_service",
                        down="down",
                        retired="retired",
                    ),
                )
            values["status"] = status
        if row.errors:
            return None
        return Plan(row.number, record, values)

    def _location(self, row: Row) -> int | None:
        text = row.text("location")
        if not text:
            return None
        found = self.locations.get(" > ".join(split_path(text)))
        if found is None:
            row.fail(
                "location",
                _("No location has the path %(path)s (write it as Site > Building > Area).", path=repr(text)),
            )
        return found

    def apply(self, actor: Actor, plan: Plan) -> None:
        """Create or update the asset."""
        asset = asset_service.save_asset(
            actor, plan.record, asset_service.AssetData(**plan.values), expected_version=None
        )
        if plan.record is None:
            self.assets.add(asset)
