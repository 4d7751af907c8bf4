"""Issue 8, finding 3: huge, negative and non-numeric integers in query strings and forms never give a 500.

The sweep walks ``app.url_map``: every GET endpoint a signed-in admin reaches is requested with every query
argument the code reads (the filter forms' fields, ``page``, and each ``request.args.get`` key in the
sources) set to hostile values. Every form with an integer field is posted with hostile values and must be
refused with nothing written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import IntegerField
from wtforms.fields.core import UnboundField

import cube
from cube.actors import SYSTEM
from cube.extensions import db
from cube.models import CustomField, Priority, Status, Transition, WorkOrderType
from cube.pagination import MAX_PAGE
from cube.parsing import MAX_ID, BoundedIntegerField, bounded_int, optional_int
from cube.products import companies, images
from cube.workflow import settings as configuration
from tests.catalog_factories import make_asset, make_company, make_location, make_product
from tests.files import png
from tests.support import post
from tests.workorder_factories import make_work_order, status_named

HOSTILE = [
    "99999999999999999999999",
    "9" * 400,
    "-1",
    "-99999999999999999999999",
    "0",
    "abc",
    "²",  # str.isdigit() says yes, int() says no
    "١٢",  # Arabic-Indic digits: int() reads them
    "1e5",
    "0x1f",
    " 12 ",
]
SOURCE_ARG = re.compile(r"""request\.args\.get\(\s*["']([a-z_]+)["']""")


def _source_query_args() -> set[str]:
    """Every key the code reads with ``request.args.get(...)``."""
    root = Path(cube.__file__).parent
    return {key for path in root.rglob("*.py") for key in SOURCE_ARG.findall(path.read_text(encoding="utf-8"))}


def _form_classes() -> Iterator[type[FlaskForm]]:
    pending = list(FlaskForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        yield cls


def _fields(cls: type[FlaskForm]) -> dict[str, UnboundField]:
    return {name: value for name in dir(cls) if isinstance(value := getattr(cls, name, None), UnboundField)}


def _filter_form_args() -> set[str]:
    """The field names of every GET filter form (the forms without CSRF)."""
    names: set[str] = set()
    for cls in _form_classes():
        if getattr(getattr(cls, "Meta", None), "csrf", True) is False:
            names |= set(_fields(cls))
    return names


def _row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


@pytest.fixture
def ids(app: Flask, make_user, make_team) -> dict[str, int]:
    """One record of each kind an admin page can show, keyed by the URL argument's name without ``_id``."""
    from cube.workorders import attachments, checklists

    requester = make_user("requester")
    admin = make_user("admin")
    product = make_product("SWEEP-1")
    company = make_company("Sweep Co")
    work_order = make_work_order(requester, "Sweep")
    found = {
        "user": requester.id,
        "team": make_team("Sweep team").id,
        "product": product.id,
        "company": company.id,
        "contact": companies.add_contact(SYSTEM, company, companies.ContactData(name="Sweep Contact")).id,
        "asset": make_asset(product).id,
        "location": make_location("Sweep shelf").id,
        "image": images.add_image(SYSTEM, product, "sweep.png", png(4, 4)).id,
        "work_order": work_order.id,
        "item": checklists.add_item(admin, work_order, "Look", "pass_fail", False).id,
        "attachment": attachments.add_attachment(admin, work_order, "p.png", png(4, 4)).id,
        "template": checklists.save_template(
            admin, None, "Sweep checks", [{"label": "Look", "kind": "pass_fail", "required": False}]
        ).id,
        "status": status_named("New").id,
        "transition": db.session.scalar(select(Transition.id).order_by(Transition.id)),
        "priority": db.session.scalar(select(Priority.id).order_by(Priority.id)),
        "type": db.session.scalar(select(WorkOrderType.id).order_by(WorkOrderType.id)),
        "field": configuration.save_custom_field(admin, None, "serial", "Serial", "text", "", False, 0, True).id,
    }
    db.session.commit()
    return found


def _get_urls(app: Flask, ids: dict[str, int]) -> list[str]:
    """A URL for every GET endpoint (path arguments filled from ``ids``; unknown ids are simply 404s)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values: dict[str, Any] = {}
        for name, converter in rule._converters.items():
            if type(converter).__name__ == "AnyConverter":
                values[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "thumb"
            elif type(converter).__name__ in {"IdConverter", "IntegerConverter"}:
                values[name] = ids.get(name.removesuffix("_id"), 1)
            else:
                values[name] = "products"
        urls.append(rule.build(values, append_unknown=False)[1])
    return urls


def test_the_sweep_knows_every_query_argument_the_code_reads():
    args = _filter_form_args() | _source_query_args()
    # the lists, exports, board and calendar read these
    assert {"page", "q", "product", "asset", "location", "company", "status", "month", "format"} <= args


def test_every_get_endpoint_survives_hostile_integers(app, admin_client: FlaskClient, ids):
    urls = _get_urls(app, ids)
    assert len(urls) > 40
    args = sorted(_filter_form_args() | _source_query_args() - {"next", "format"})
    before = _row_counts()
    failures = []
    for url in urls:
        for value in HOSTILE:
            response = admin_client.get(url, query_string={name: value for name in args})
            response.get_data()  # finish streamed downloads inside the request
            if response.status_code >= 500:
                failures.append((url, value, response.status_code))
        response = admin_client.get(url, query_string={"format": HOSTILE[0]})
        if response.status_code >= 500:
            failures.append((url, "format", response.status_code))
    assert failures == []
    assert _row_counts() == before


@pytest.mark.parametrize("url", ["/products", "/companies", "/assets", "/stock/low", "/users", "/audit"])
@pytest.mark.parametrize("page", ["99999999999999999999999", "-3", "abc", "²", str(MAX_PAGE + 1)])
def test_a_bad_page_number_shows_the_first_page(admin_client, ids, url, page):
    first = admin_client.get(url).get_data(as_text=True)
    response = admin_client.get(url, query_string={"page": page})
    assert response.status_code == 200
    rows = response.get_data(as_text=True).count("<tr")
    assert rows == first.count("<tr")
    assert rows > 1 or url == "/stock/low"  # a header and at least one record


def test_a_huge_product_filter_on_assets_is_ignored(admin_client, ids):
    everything = admin_client.get("/assets").get_data(as_text=True)
    response = admin_client.get("/assets", query_string={"product": "99999999999999999999999"})
    assert response.status_code == 200
    assert "SN-1" in everything
    assert "SN-1" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("+12", 12),
        (12, 12),
        ("0", None),
        ("-1", None),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("9" * 400, None),
        ("9" * 5000, None),  # int() itself refuses more than 4,300 digits
        ("²", None),
        ("١٢", None),
        ("1e5", None),
        ("", None),
        (None, None),
        (True, None),
        (12.5, None),
    ],
)
def test_ids_are_read_as_small_ascii_integers(value, expected):
    assert optional_int(value) == expected


def test_bounded_int_falls_back_to_its_default():
    assert bounded_int("7", 1, 10, 1) == 7
    assert bounded_int("11", 1, 10, 1) == 1
    assert bounded_int("-7", -10, 10) == -7
    assert bounded_int("x", 1, 10, 3) == 3


@pytest.mark.parametrize("version", ["²", "9" * 400, "-1", "x"])
def test_a_hostile_version_in_an_edit_form_is_no_500(admin_client, ids, version):
    from tests.workorder_factories import default_ids

    type_id, priority_id = default_ids()
    forms = [
        (f"/products/{ids['product']}/edit", {"sku": "SWEEP-1", "name": "Valve", "unit": "each", "active": "y"}),
        (f"/assets/{ids['asset']}/edit", {"product_sku": "SWEEP-1", "serial_number": "SN-1", "status": "in_service"}),
        (f"/work-orders/{ids['work_order']}/edit", {"title": "Swept", "type_id": type_id, "priority_id": priority_id}),
    ]
    for url, data in forms:
        response = post(admin_client, url, {**data, "version": version})
        assert response.status_code in {302, 409, 422}, (url, response.status_code)


# --- forms with integer fields -----------------------------------------------------------------------------------

STATUS = {"name": "Parked", "category": "waiting", "color": "info", "active": "y"}
PRIORITY = {"name": "Someday", "color": "light", "active": "y"}
FIELD = {"key": "sweep_no", "label": "Sweep number", "kind": "text", "active": "y"}


def _transition_data(source: str = "Rejected", target: str = "Closed") -> dict[str, Any]:
    return {
        "from_status_id": str(status_named(source).id),
        "to_status_id": str(status_named(target).id),
        "name": "Sweep",
        "permission": "workorder.review",
    }


def _approve_id() -> int:
    return db.session.scalar(select(Transition.id).where(Transition.to_status_id == status_named("Approved").id))


def _status_id() -> int:
    return status_named("New").id


# form class -> (integer field, [(url, data)]): every form with an integer field must be listed here.
FORMS = {
    "StatusForm": (
        "position",
        Status,
        lambda: [("/admin/workflow/statuses/new", STATUS), (f"/admin/workflow/statuses/{_status_id()}/edit", STATUS)],
    ),
    "PriorityForm": (
        "position",
        Priority,
        lambda: [
            ("/admin/workflow/priorities/new", PRIORITY),
            (f"/admin/workflow/priorities/{db.session.scalar(select(Priority.id))}/edit", PRIORITY),
        ],
    ),
    "TransitionRuleForm": (
        "position",
        Transition,
        lambda: [
            ("/admin/workflow/transitions/new", _transition_data()),
            (f"/admin/workflow/transitions/{_approve_id()}/edit", _transition_data("New", "Approved")),
        ],
    ),
    "CustomFieldForm": ("position", CustomField, lambda: [("/admin/workflow/custom-fields/new", FIELD)]),
    "AssetFilterForm": ("product", None, lambda: []),  # a GET filter: covered by the sweep above
}


def test_every_integer_field_is_bounded_and_swept():
    found = {}
    for cls in _form_classes():
        for name, unbound in _fields(cls).items():
            if issubclass(unbound.field_class, IntegerField):
                assert issubclass(unbound.field_class, BoundedIntegerField), (cls.__name__, name)
                found[cls.__name__] = name
    assert found == {name: field for name, (field, _, _) in FORMS.items()}


@pytest.mark.parametrize("form", [name for name, (_, model, _) in FORMS.items() if model is not None])
def test_hostile_integers_in_forms_are_refused_and_write_nothing(admin_client, form):
    field, model, targets = FORMS[form]
    for url, data in targets():
        for value in HOSTILE:
            if value.strip().isascii() and value.strip().isdigit() and int(value) <= configuration.MAX_POSITION:
                continue  # a valid order
            before = _row_counts()
            response = post(admin_client, url, {**data, field: value})
            assert response.status_code == 422, (url, value, response.status_code)
            assert "Number must be between" in response.get_data(as_text=True) or "Not a valid integer" in (
                response.get_data(as_text=True)
            )
            assert _row_counts() == before, (url, value)
    # The same data with a sensible number is accepted: the refusals above were the integer's doing.
    url, data = targets()[0]
    before = _row_counts()[model.__table__.name]
    response = post(admin_client, url, {**data, field: "42"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _row_counts()[model.__table__.name] == before + 1
