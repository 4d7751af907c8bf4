"""Checking and writing the rows of a companies file."""

from __future__ import annotations

from dataclasses import asdict

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from cube.actors import Actor
from cube.products import companies as company_service
from cube.products.imports.rows import Companies, Kind, Plan, Row, fold


class CompanyRows(Kind):
    """Companies, matched by name."""

    kind = "companies"
    data_class = company_service.CompanyData
    field_columns = {"is_customer": "customer", "is_vendor": "vendor", "is_manufacturer": "manufacturer"}
    flags = {"customer": "is_customer", "vendor": "is_vendor", "manufacturer": "is_manufacturer", "active": "active"}
    texts = ("street", "city", "postal_code", "country", "phone", "website", "notes")

    def __init__(self, header: frozenset[str]) -> None:
        super().__init__(header)
        self.companies = Companies()

    def prefetch(self, rows: list[Row]) -> None:
        """Load the companies the rows name."""
        self.companies.load(row.cells.get("name", "") for row in rows)

    def plan(self, row: Row) -> Plan | None:
        """The company's values (None when the row has errors)."""
        name = row.text("name", missing=_("Enter a company name."))
        if name:
            self.once(
                row,
                "name",
                fold(name),
                lambda first: _("The company %(name)s is already on row %(row)d of this file.", name=name, row=first),
            )
        record = self.companies.get(name) if name else None
        values = self.current(record) if record else asdict(company_service.CompanyData(name=""))
        values["name"] = name
        for column, attribute in self.flags.items():
            if row.has(column):
                values[attribute] = row.flag(column, default=attribute == "active")
        for column in self.texts:
            if row.has(column):
                values[column] = row.text(column)
        if row.has("email"):
            values["email"] = self._email(row)
        if row.errors:
            return None
        return Plan(row.number, record, values)

    @staticmethod
    def _email(row: Row) -> str:
        value = row.text("email")
        if not value:
            return ""
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError as exc:
            row.fail("email", _("Enter a valid e-mail address (%(reason)s).", reason=exc))
        return value.lower()

    def apply(self, actor: Actor, plan: Plan) -> None:
        """Create or update the company."""
        data = company_service.CompanyData(**plan.values)
        company = company_service.save_company(actor, plan.record, data)
        if plan.record is None:
            self.companies.add(company)
