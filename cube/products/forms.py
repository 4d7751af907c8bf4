"""Forms for companies, products, categories, locations, assets and stock movements."""

from __future__ import annotations

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

from cube.forms import CubeForm, LocalizedDecimalField, options
from cube.models import AssetStatus, LocationKind
from cube.parsing import MAX_ID, BoundedIntegerField, optional_int
from cube.products.assets import location_tree
from cube.products.catalog import DEFAULT_SORT, SORTS, UNITS, category_tree
from cube.products.companies import company_options as company_pairs
from cube.products.inventory import CHOICES as MOVEMENT_CHOICES


class FilterForm(CubeForm):
    """Base for GET filter forms: no CSRF, garbage values are ignored."""

    class Meta:
        csrf = False

    q = SearchField("Search", validators=[Optional(), Length(max=100)])


class CompanyForm(CubeForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    is_customer = BooleanField("Customer")
    is_vendor = BooleanField("Vendor")
    is_manufacturer = BooleanField("Manufacturer")
    street = StringField("Street", validators=[Optional(), Length(max=200)])
    city = StringField("City", validators=[Optional(), Length(max=100)])
    postal_code = StringField("Postal code", validators=[Optional(), Length(max=20)])
    country = StringField("Country", validators=[Optional(), Length(max=100)])
    phone = TelField("Phone", validators=[Optional(), Length(max=40)])
    email = EmailField("E-mail", validators=[Optional(), Length(max=254)])
    website = StringField("Website", validators=[Optional(), Length(max=200)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=16_000)])
    active = BooleanField("Active", default=True)


class ContactForm(CubeForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    position = StringField("Position", validators=[Optional(), Length(max=120)])
    email = EmailField("E-mail", validators=[Optional(), Length(max=254)])
    phone = TelField("Phone", validators=[Optional(), Length(max=40)])


class CompanyFilterForm(FilterForm):
    kind = SelectField(
        "Kind",
        choices=options(
            [("customer", "Customers"), ("vendor", "Vendors"), ("manufacturer", "Manufacturers")], blank="All kinds"
        ),
        validate_choice=False,
    )
    status = SelectField(
        "Status",
        choices=options([("all", "Active and archived"), ("archived", "Archived")], blank="Active"),
        validate_choice=False,
    )


class CategoryForm(CubeForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    parent_id = SelectField("Inside", coerce=optional_int, validate_choice=True)


class ProductForm(CubeForm):
    version = HiddenField()
    opened = HiddenField()  # the values the edit form opened with, signed (cube.editing.seal)
    sku = StringField(
        "SKU",
        validators=[DataRequired(), Length(max=64)],
        description="Unique; upper and lower case count as the same.",
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    category_id = SelectField("Category", coerce=optional_int, validate_choice=True)
    manufacturer_id = SelectField("Manufacturer", coerce=optional_int, validate_choice=True)
    description = TextAreaField("Description", validators=[Optional(), Length(max=16_000)])
    unit = SelectField("Unit of measure", choices=options((u, u) for u in UNITS), default="each")
    unit_cost = LocalizedDecimalField(
        "Unit cost", places=2, default=0, validators=[Optional(), NumberRange(min=0, max=9_999_999_999)]
    )
    unit_price = LocalizedDecimalField(
        "Price", places=2, default=0, validators=[Optional(), NumberRange(min=0, max=9_999_999_999)]
    )
    min_stock = LocalizedDecimalField(
        "Minimum stock", places=3, default=0, validators=[Optional(), NumberRange(min=0, max=9_999_999_999)]
    )
    specs = TextAreaField(
        "Specifications", validators=[Optional(), Length(max=16_000)], description="One per line, as Name: value."
    )
    is_spare_part = BooleanField("Spare part (used in work orders)")
    active = BooleanField("Active", default=True)


class ProductFilterForm(FilterForm):
    category = SelectField("Category", coerce=optional_int, validate_choice=False)
    manufacturer = SelectField("Manufacturer", coerce=optional_int, validate_choice=False)
    status = SelectField(
        "Status",
        choices=options([("all", "Active and archived"), ("archived", "Archived")], blank="Active"),
        validate_choice=False,
    )
    spare = BooleanField("Spare parts only")
    low = BooleanField("Below minimum stock")
    sort = SelectField(
        "Sort by",
        choices=options((key, sort.label) for key, sort in SORTS.items()),
        validate_choice=False,
        default=DEFAULT_SORT,
    )
    desc = BooleanField("Descending")


class LocationForm(CubeForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    kind = SelectField("Kind", choices=options((k.value, k.value.title()) for k in LocationKind))
    parent_id = SelectField("Inside", coerce=optional_int, validate_choice=True)
    active = BooleanField("Active", default=True)


class AssetForm(CubeForm):
    version = HiddenField()
    opened = HiddenField()  # the values the edit form opened with, signed (cube.editing.seal)
    product_sku = StringField("Product SKU", validators=[DataRequired(), Length(max=64)])
    serial_number = StringField("Serial number", validators=[DataRequired(), Length(max=120)])
    name = StringField("Name or tag", validators=[Optional(), Length(max=200)])
    location_id = SelectField("Location", coerce=optional_int, validate_choice=True)
    company_id = SelectField("Owner", coerce=optional_int, validate_choice=True)
    install_date = DateField("Installed on", validators=[Optional()])
    warranty_end = DateField("Warranty ends", validators=[Optional()])
    status = SelectField("Status", choices=options((s.value, s.label.capitalize()) for s in AssetStatus))
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=16_000)])


class AssetFilterForm(FilterForm):
    status = SelectField(
        "Status",
        choices=options(((s.value, s.label.capitalize()) for s in AssetStatus), blank="Any status"),
        validate_choice=False,
    )
    location = SelectField("Location", coerce=optional_int, validate_choice=False)
    company = SelectField("Owner", coerce=optional_int, validate_choice=False)
    product = BoundedIntegerField("Product", validators=[Optional()], minimum=1, maximum=MAX_ID)


class StockMovementForm(CubeForm):
    kind = RadioField(
        "Movement",
        choices=options((key, choice.label) for key, choice in MOVEMENT_CHOICES.items()),
        default="receipt",
        validators=[DataRequired()],
    )
    location_id = SelectField("Location", coerce=optional_int, validate_choice=True, validators=[DataRequired()])
    to_location_id = SelectField("To location (transfers)", coerce=optional_int, validate_choice=True)
    quantity = LocalizedDecimalField(
        "Quantity", places=3, validators=[DataRequired(), NumberRange(min=0.001, max=9_999_999_999)]
    )
    unit_cost = LocalizedDecimalField(
        "Unit cost (receipts)", places=2, validators=[Optional(), NumberRange(min=0, max=9_999_999_999)]
    )
    reference = StringField(
        "Reference", validators=[Optional(), Length(max=64)], description="Delivery note, work order number ..."
    )
    reason = TextAreaField("Reason (required for adjustments)", validators=[Optional(), Length(max=2000)])


def category_options(*, blank: str | None) -> list[SelectChoice]:
    """Categories as indented options (tree order)."""
    return options(((c.id, "\u2003" * depth + c.name) for c, depth in category_tree()), blank=blank)


def location_options(*, blank: str | None, active_only: bool = False) -> list[SelectChoice]:
    """Locations as indented options (tree order)."""
    return options(
        ((n.id, "\u2003" * depth + n.name) for n, depth in location_tree(active_only=active_only)), blank=blank
    )


def company_options(*, blank: str | None, manufacturers_only: bool = False) -> list[SelectChoice]:
    """Active companies by name."""
    return options(company_pairs(manufacturers_only=manufacturers_only), blank=blank)
