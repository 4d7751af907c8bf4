"""Views: companies and their contacts."""

from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.edge import act, save_form
from cube.extensions import db
from cube.forms import ConfirmForm
from cube.lookup_answers import answer
from cube.models import Company, CompanyContact
from cube.pagination import page_of
from cube.permissions import requires
from cube.products import companies as service
from cube.products.blueprint import bp
from cube.products.filters import company_filters
from cube.products.forms import CompanyForm, ContactForm
from cube.workorders.queries import recent_work_orders


@bp.route("/companies")
@requires("catalog.view")
def list_companies() -> str:
    """Customers, vendors and manufacturers."""
    form, filters = company_filters()
    page = page_of(service.companies_query(filters))
    return render_template("products/companies.html", form=form, page=page)


@bp.route("/companies/lookup")
@requires("catalog.view")
def lookup_companies() -> Response:
    """Active companies (``manufacturers=1``: manufacturers only), for the catalog's company pickers."""
    makers = request.args.get("manufacturers") == "1"
    return answer(
        partial(service.find_companies, manufacturers_only=makers),
        partial(service.companies_among, manufacturers_only=makers),
    )


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
        done = save_form(
            form,
            lambda: service.save_company(current_user, company, _company_data(form)),
            success=lambda saved: _("%(name)s saved.", name=saved.name),
            redirect_to=lambda saved: url_for("products.show_company", company_id=saved.id),
        )
        if done is not None:
            return done
    return render_template("products/company_form.html", form=form, company=company)


@bp.route("/companies/<int:company_id>")
@requires("catalog.view")
def show_company(company_id: int) -> str:
    """A company with its contacts, products and assets."""
    company = db.get_or_404(Company, company_id)
    return render_template(
        "products/company.html",
        company=company,
        products=service.products_made_by(company),
        assets=service.assets_owned_by(company),
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
    back = url_for("products.show_company", company_id=company.id)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "danger")
        return redirect(back)
    data = service.ContactData(
        name=form.name.data or "",
        email=form.email.data or "",
        phone=form.phone.data or "",
        position=form.position.data or "",
    )
    return act(
        lambda: service.add_contact(current_user, company, data),
        success=_("%(name)s added.", name=data.name),
        redirect_to=back,
    )


@bp.route("/companies/contacts/<int:contact_id>/delete", methods=["POST"])
@requires("catalog.manage")
def remove_contact(contact_id: int) -> Response:
    """Remove a contact person."""
    contact = db.get_or_404(CompanyContact, contact_id)
    back = url_for("products.show_company", company_id=contact.company_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(back)
    return act(lambda: service.remove_contact(current_user, contact), success=_("Contact removed."), redirect_to=back)
