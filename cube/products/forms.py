"""Forms for companies, products, categories, locations, assets and stock movements."""

from __future__ import annotations

from functools import partial

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from cube.forms import CubeForm, LocalizedDecimalField, Lookup, LookupField, options
from cube.parsing import MAX_ID, BoundedIntegerField, optional_int
from cube.products.assets import location_tree
from cube.products.catalog import DEFAULT_SORT, SORTS, UNITS, category_tree
from cube.products.companies import companies_among
from cube.products.inventory import CHOICES as MOVEMENT_CHOICES
from cube.products.labels import ASSET_STATUSES, LOCATION_KINDS
from cube.products.labels import UNITS as UNIT_LABELS

# The catalog's company pickers search active companies (cube.products.company_routes.lookup_companies).
COMPANIES = Lookup("products.lookup_companies", companies_among)
MANUFACTURERS = Lookup(
    "products.lookup_companies", partial(companies_among, manufacturers_only=True), {"manufacturers": "1"}
)


class FilterForm(CubeForm):
    """Base for GET filter forms: no CSRF, garbage values are ignored."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=100)])


class CompanyForm(CubeForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    is_customer = BooleanField(_l("Customer"))
    is_vendor = BooleanField(_l("Vendor"))
    is_manufacturer = BooleanField(_l("Manufacturer"))
    street = StringField(_l("Street"), validators=[Optional(), Length(max=200)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=20)])
    country = StringField(_l("Country"), validators=[Optional(), Length(max=100)])
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=200)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=16_000)])
    active = BooleanField(_l("Active"), default=True)


class ContactForm(CubeForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=40)])


class CompanyFilterForm(FilterForm):
    kind = SelectField(
        _l("Kind"),
        choices=options(
            [("customer", _l("Customers")), ("vendor", _l("Vendors")), ("manufacturer", _l("Manufacturers"))],
            blank=_l("All kinds"),
        ),
        validate_choice=False,
    )
    status = SelectField(
        _l("Status"),
        choices=options([("all", _l("Active and archived")), ("archived", _l("Archived"))], blank=_l("Active")),
        validate_choice=False,
    )


class CategoryForm(CubeForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    parent_id = SelectField(_l("Inside"), coerce=optional_int, validate_choice=True)


class ProductForm(CubeForm):
    version = HiddenField()
    opened = HiddenField()  # the values the edit form opened with, signed (cube.editing.seal)
    sku = StringField(
        _l("SKU"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("Unique; upper and lower case count as the same."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    category_id = SelectField(_l("Category"), coerce=optional_int, validate_choice=True)
    manufacturer_id = LookupField(
        _l("Manufacturer"),
        lookup=COMPANIES,
        blank=_l("No manufacturer"),
        invalid_choice_message=_l("Choose a manufacturer from the list."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=16_000)])
    unit = SelectField(
        _l("Unit of measure"), choices=options((u, UNIT_LABELS.get(u, u)) for u in UNITS), default="each"
    )
    unit_cost = LocalizedDecimalField(
        _l("Unit cost"), places=2, default=0, validators=[Optional(), NumberRange(min=0, max=9_999_999_999)]
    )
    unit_price = LocalizedDecimalField(
        _l("Price"), places=2, default=0, validators=[Optional(), NumberRange(min=0, max=9_999_999_999)]
    )
    min_stock = LocalizedDecimalField(
        _l("Minimum stock"), places=3, default=0, validators=[Optional(), NumberRange(min=0, max=9_999_999_999)]
    )
    specs = TextAreaField(
        _l("Specifications"),
        validators=[Optional(), Length(max=16_000)],
        description=_l("One per line, as Name: value."),
    )
    is_spare_part = BooleanField(_l("Spare part (used in work orders)"))
    active = BooleanField(_l("Active"), default=True)


class ProductFilterForm(FilterForm):
    category = SelectField(_l("Category"), coerce=optional_int, validate_choice=False)
    manufacturer = LookupField(_l("Manufacturer"), lookup=MANUFACTURERS, blank=_l("Any manufacturer"))
    status = SelectField(
        _l("Status"),
        choices=options([("all", _l("Active and archived")), ("archived", _l("Archived"))], blank=_l("Active")),
        validate_choice=False,
    )
    spare = BooleanField(_l("Spare parts only"))
    low = BooleanField(_l("Below minimum stock"))
    sort = SelectField(
        _l("Sort by"),
        choices=options((key, sort.label) for key, sort in SORTS.items()),
        validate_choice=False,
        default=DEFAULT_SORT,
    )
    desc = BooleanField(_l("Descending"))


class LocationForm(CubeForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=options(LOCATION_KINDS.items()))
    parent_id = SelectField(_l("Inside"), coerce=optional_int, validate_choice=True)
    active = BooleanField(_l("Active"), default=True)


class AssetForm(CubeForm):
    version = HiddenField()
    opened = HiddenField()  # the values the edit form opened with, signed (cube.editing.seal)
    product_sku = StringField(_l("Product SKU"), validators=[DataRequired(), Length(max=64)])
    serial_number = StringField(_l("Serial number"), validators=[DataRequired(), Length(max=120)])
    name = StringField(_l("Name or tag"), validators=[Optional(), Length(max=200)])
    location_id = SelectField(_l("Location"), coerce=optional_int, validate_choice=True)
    company_id = LookupField(
        _l("Owner"),
        lookup=COMPANIES,
        blank=_l("No owner"),
        invalid_choice_message=_l("Choose a company from the list."),
    )
    install_date = DateField(_l("Installed on"), validators=[Optional()])
    warranty_end = DateField(_l("Warranty ends"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=options(ASSET_STATUSES.items()))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=16_000)])


class AssetFilterForm(FilterForm):
    status = SelectField(
        _l("Status"),
        choices=options(ASSET_STATUSES.items(), blank=_l("Any status")),
        validate_choice=False,
    )
    location = SelectField(_l("Location"), coerce=optional_int, validate_choice=False)
    company = LookupField(_l("Owner"), lookup=COMPANIES, blank=_l("Any owner"))
    product = BoundedIntegerField(_l("Product"), validators=[Optional()], minimum=1, maximum=MAX_ID)


class StockMovementForm(CubeForm):
    kind = RadioField(
        _l("Movement"),
        choices=options((key, choice.label) for key, choice in MOVEMENT_CHOICES.items()),
        default="receipt",
        validators=[DataRequired()],
    )
    location_id = SelectField(_l("Location"), coerce=optional_int, validate_choice=True, validators=[DataRequired()])
    to_location_id = SelectField(_l("To location (transfers)"), coerce=optional_int, validate_choice=True)
    quantity = LocalizedDecimalField(
        _l("Quantity"), places=3, validators=[DataRequired(), NumberRange(min=0.001, max=9_999_999_999)]
    )
    unit_cost = LocalizedDecimalField(
        _l("Unit cost (receipts)"), places=2, validators=[Optional(), NumberRange(min=0, max=9_999_999_999)]
    )
    reference = StringField(
        _l("Reference"), validators=[Optional(), Length(max=64)], description=_l("Delivery note, work order number ...")
    )
    reason = TextAreaField(_l("Reason (required for adjustments)"), validators=[Optional(), Length(max=2000)])


def category_options(*, blank: str | None) -> list[SelectChoice]:
    """Categories as indented options (tree order)."""
    return options(((c.id, "\u2003" * depth + c.name) for c, depth in category_tree()), blank=blank)


def location_options(*, blank: str | None, active_only: bool = False) -> list[SelectChoice]:
    """Locations as indented options (tree order)."""
    return options(
        ((n.id, "\u2003" * depth + n.name) for n, depth in location_tree(active_only=active_only)), blank=blank
    )
