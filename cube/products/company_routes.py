"""Views: companies and their contacts."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from cube.errors import DomainError
from cube.extensions import db
from cube.forms import ConfirmForm, show_error
from cube.models import Asset, Company, CompanyContact, Product
from cube.pagination import page_of
from cube.permissions import requires
from cube.products import companies as service
from cube.products.forms import CompanyFilterForm, CompanyForm, ContactForm
from cube.products.routes import bp
from cube.workorders.queries import recent_work_orders


def company_filters(form: CompanyFilterForm) -> service.CompanyFilters:
    """The list filters from a validated filter form."""
    status = form.status.data or ""
    return service.CompanyFilters(
        q=(form.q.data or "") if not form.q.errors else "",
        kind=form.kind.data or "",
        active={"": True, "archived": False}.get(status),
    )


@bp.route("/companies")
@requires("catalog.view")
def list_companies() -> str:
    """Customers, vendors and manufacturers."""
    form = CompanyFilterForm(request.args)
    form.validate()
    page = page_of(service.companies_query(company_filters(form)))
    return render_template("products/companies.html", form=form, page=page)


def _company_data(form: CompanyForm) -> service.CompanyData:
    values = {name: form.data[name] for name in service.CompanyData.__dataclass_fields__}
    return service.CompanyData(**{name: value if value is not None else "" for name, value in values.items()})


@bp.route("/companies/new", methods=["GET", "POST"], defaults={"company_id": None})
@bp.route("/companies/<int:company_id>/edit", methods=["GET", "POST"])
@requires("catalog.manage")
def edit_company(company_id: int | None) -> Response | str:
    """Create or edit a company."""
    company = db.get_or_404(Company, company_id) if company_id is not None else None
    form = CompanyForm(obj=company)
    if form.validate_on_submit():
        try:
            company = service.save_company(current_user, company, _company_data(form))
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"{company.name} saved.", "success")
            return redirect(url_for("products.show_company", company_id=company.id))
    return render_template("products/company_form.html", form=form, company=company)


@bp.route("/companies/<int:company_id>")
@requires("catalog.view")
def show_company(company_id: int) -> str:
    """A company with its contacts, products and assets."""
    company = db.get_or_404(Company, company_id)
    products = db.session.scalars(
        select(Product).where(Product.manufacturer_id == company.id).order_by(Product.name).limit(50)
    ).all()
    assets = db.session.scalars(
        select(Asset).where(Asset.company_id == company.id).order_by(Asset.id.desc()).limit(50)
    ).all()
    return render_template(
        "products/company.html",
        company=company,
        products=products,
        assets=assets,
        work_orders=recent_work_orders(current_user, company_id=company.id),
        contact_form=ContactForm(prefix="contact"),
        confirm=ConfirmForm(),
    )


@bp.route("/companies/<int:company_id>/contacts", methods=["POST"])
@requires("catalog.manage")
def add_contact(company_id: int) -> Response:
    """Add a contact person."""
    company = db.get_or_404(Company, company_id)
    form = ContactForm(prefix="contact")
    if form.validate_on_submit():
        data = service.ContactData(
            name=form.name.data or "",
            email=form.email.data or "",
            phone=form.phone.data or "",
            position=form.position.data or "",
        )
        try:
            service.add_contact(current_user, company, data)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(f"{data.name} added.", "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "danger")
    return redirect(url_for("products.show_company", company_id=company.id))


@bp.route("/companies/contacts/<int:contact_id>/delete", methods=["POST"])
@requires("catalog.manage")
def remove_contact(contact_id: int) -> Response:
    """Remove a contact person."""
    contact = db.get_or_404(CompanyContact, contact_id)
    company_id = contact.company_id
    if ConfirmForm().validate_on_submit():
        service.remove_contact(current_user, contact)
        db.session.commit()
        flash("Contact removed.", "success")
    return redirect(url_for("products.show_company", company_id=company_id))
