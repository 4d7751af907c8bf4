"""Companies (customers, vendors, manufacturers) and their contacts."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, func, or_, select

from cube import audit
from cube.actors import Actor
from cube.errors import ValidationFailed
from cube.extensions import db
from cube.lookups import LOOKUP_LIMIT, Option, cleaned_term, starts_a_word
from cube.models import Asset, Company, CompanyContact, Product
from cube.products.catalog import require_manager
from cube.validation import optional_text, required_text

KIND_COLUMNS = {
    "customer": Company.is_customer,
    "vendor": Company.is_vendor,
    "manufacturer": Company.is_manufacturer,
}


@dataclass(frozen=True)
class CompanyData:
    """The editable fields of a company."""

    name: str
    is_customer: bool = False
    is_vendor: bool = False
    is_manufacturer: bool = False
    street: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    notes: str = ""
    active: bool = True


@dataclass(frozen=True)
class ContactData:
    """A contact person's details."""

    name: str
    email: str = ""
    phone: str = ""
    position: str = ""


@dataclass(frozen=True)
class CompanyFilters:
    """What the company list is narrowed by."""

    q: str = ""
    kind: str = ""
    active: bool | None = True


def companies_query(filters: CompanyFilters) -> Select[tuple[Company]]:
    """Companies matching ``filters``, by name."""
    query = select(Company).order_by(Company.name)
    if filters.q:
        needle = filters.q.strip().lower()
        query = query.where(
            or_(
                func.lower(Company.name).contains(needle, autoescape=True),
                func.lower(Company.city).contains(needle, autoescape=True),
                func.lower(Company.email).contains(needle, autoescape=True),
            )
        )
    if filters.kind in KIND_COLUMNS:
        query = query.where(KIND_COLUMNS[filters.kind].is_(True))
    if filters.active is not None:
        query = query.where(Company.active.is_(filters.active))
    return query


def _companies(
    *where: ColumnElement[bool], active_only: bool, manufacturers_only: bool, limit: int | None = None
) -> list[Option]:
    """Companies matching ``where`` (active ones, manufacturers only, when asked) as picker options, by name."""
    query = select(Company.id, Company.name).where(*where).order_by(Company.name, Company.id).limit(limit)
    if active_only:
        query = query.where(Company.active.is_(True))
    if manufacturers_only:
        query = query.where(Company.is_manufacturer.is_(True))
    return [Option(row.id, row.name) for row in db.session.execute(query)]


def find_companies(term: str, *, active_only: bool = True, manufacturers_only: bool = False) -> list[Option]:
    """A company picker's search: companies whose name (or a word of it) starts with ``term``, capped."""
    wanted = cleaned_term(term)
    if not wanted:
        return []
    match = starts_a_word(Company.name, wanted)
    return _companies(match, active_only=active_only, manufacturers_only=manufacturers_only, limit=LOOKUP_LIMIT)


def companies_among(
    ids: Collection[int], *, active_only: bool = True, manufacturers_only: bool = False
) -> list[Option]:
    """The companies among ``ids`` that a company picker offers (active ones, manufacturers only, when asked)."""
    if not ids:
        return []
    return _companies(Company.id.in_(set(ids)), active_only=active_only, manufacturers_only=manufacturers_only)


def products_made_by(company: Company, *, limit: int = 50) -> list[Product]:
    """The first ``limit`` products this company manufactures, by name."""
    query = select(Product).where(Product.manufacturer_id == company.id).order_by(Product.name, Product.id)
    return list(db.session.scalars(query.limit(limit)))


def assets_owned_by(company: Company, *, limit: int = 50) -> list[Asset]:
    """The ``limit`` newest assets this company owns."""
    query = select(Asset).where(Asset.company_id == company.id).order_by(Asset.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def company_by_name(name: str) -> Company | None:
    """The company called ``name`` (exact, trimmed)."""
    return db.session.scalar(select(Company).where(Company.name == name.strip()))


def _optional_email(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(_("Enter a valid e-mail address (%(problem)s).", problem=exc), field=field) from exc
    return value.lower()


def _clean(data: CompanyData) -> CompanyData:
    name = required_text(data.name, field="name", label=_("A name"), max_length=200)
    return CompanyData(
        name=name,
        is_customer=data.is_customer,
        is_vendor=data.is_vendor,
        is_manufacturer=data.is_manufacturer,
        street=optional_text(data.street, field="street", label=_("Street"), max_length=200),
        city=optional_text(data.city, field="city", label=_("City"), max_length=100),
        postal_code=optional_text(data.postal_code, field="postal_code", label=_("Postal code"), max_length=20),
        country=optional_text(data.country, field="country", label=_("Country"), max_length=100),
        phone=optional_text(data.phone, field="phone", label=_("Phone"), max_length=40),
        email=_optional_email(data.email, "email"),
        website=optional_text(data.website, field="website", label=_("Website"), max_length=200),
        notes=optional_text(data.notes, field="notes", label=_("Notes"), max_length=16_000),
        active=data.active,
    )


def save_company(actor: Actor, company: Company | None, data: CompanyData) -> Company:
    """Create (``company`` None) or update a company; names are unique."""
    require_manager(actor)
    data = _clean(data)
    clash = select(Company.id).where(Company.name == data.name)
    if company is not None:
        clash = clash.where(Company.id != company.id)
    if db.session.scalar(clash) is not None:
        raise ValidationFailed(_("Another company has this name."), field="name")
    created = company is None
    if company is None:
        company = Company()
        db.session.add(company)
    for field in CompanyData.__dataclass_fields__:
        setattr(company, field, getattr(data, field))
    db.session.flush()
    audit.record("company.created" if created else "company.updated", actor=actor, target=company, name=company.name)
    return company


def add_contact(actor: Actor, company: Company, data: ContactData) -> CompanyContact:
    """Add a contact person to a company."""
    require_manager(actor)
    contact = CompanyContact(
        company=company,
        name=required_text(data.name, field="name", label=_("A name"), max_length=120),
        email=_optional_email(data.email, "email"),
        phone=optional_text(data.phone, field="phone", label=_("Phone"), max_length=40),
        position=data.position.strip()[:120],
    )
    db.session.add(contact)
    db.session.flush()
    audit.record("company.contact_added", actor=actor, target=company, contact=contact.name)
    return contact


def remove_contact(actor: Actor, contact: CompanyContact) -> None:
    """Remove a contact person (contacts are details, not business records)."""
    require_manager(actor)
    audit.record("company.contact_removed", actor=actor, target=contact.company, contact=contact.name)
    db.session.delete(contact)
    db.session.flush()
