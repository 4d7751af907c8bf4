"""The company, product and asset list filters read from the query string.

The list pages and their exports read them here, so a download holds what the
page shows and no view module imports another.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from cube.products.assets import AssetFilters
from cube.products.catalog import DEFAULT_SORT, ProductFilters
from cube.products.companies import CompanyFilters
from cube.products.forms import (
    AssetFilterForm,
    CompanyFilterForm,
    ProductFilterForm,
    category_options,
    location_options,
)


def _active(status: str) -> bool | None:
    """The status picker as a filter: blank means active only, "archived" archived only, anything else both."""
    return {"": True, "archived": False}.get(status)


def company_filters() -> tuple[CompanyFilterForm, CompanyFilters]:
    """The company list filters from the query string (unknown values are ignored)."""
    form = CompanyFilterForm(request.args)
    form.validate()
    filters = CompanyFilters(
        q=(form.q.data or "") if not form.q.errors else "",
        kind=form.kind.data or "",
        active=_active(form.status.data or ""),
    )
    return form, filters


def product_filters() -> tuple[ProductFilterForm, ProductFilters]:
    """The catalog filters from the query string (unknown values are ignored)."""
    form = ProductFilterForm(request.args)
    form.category.choices = category_options(blank=_("Any category"))
    form.validate()
    filters = ProductFilters(
        q=(form.q.data or "") if not form.q.errors else "",
        category_id=form.category.data,
        manufacturer_id=form.manufacturer.data if not form.manufacturer.errors else None,
        active=_active(form.status.data or ""),
        spare_parts=bool(form.spare.data),
        low_stock=bool(form.low.data),
        sort=form.sort.data or DEFAULT_SORT,
        descending=bool(form.desc.data),
    )
    return form, filters


def asset_filters() -> tuple[AssetFilterForm, AssetFilters]:
    """The asset list filters from the query string (unknown values are ignored)."""
    form = AssetFilterForm(request.args)
    form.location.choices = location_options(blank=_("Anywhere"))
    form.validate()
    filters = AssetFilters(
        q=(form.q.data or "") if not form.q.errors else "",
        status=form.status.data or "",
        product_id=form.product.data if not form.product.errors else None,
        location_id=form.location.data,
        company_id=form.company.data if not form.company.errors else None,
    )
    return form, filters
