"""Empty states say what to do next, and offer only the actions the reader may take."""

from __future__ import annotations

import html
import re

from cube.extensions import db
from cube.users import roles as role_service
from tests.support import sign_in
from tests.workorder_factories import make_work_order

STATE = re.compile(
    r'data-testid="empty-state">\s*<p class="mb-1">(.*?)</p>\s*'
    r'(?:<div class="d-flex flex-wrap gap-2">(.*?)</div>\s*)?</div>',
    re.S,
)


def empty_state(page: str) -> tuple[str, list[tuple[str, str]]]:
    """The empty state's message and its links (text, href); fails when the page has none or several."""
    found = STATE.findall(page)
    assert len(found) == 1, page
    message, actions = found[0]
    links = [
        (html.unescape(" ".join(re.sub(r"<[^>]+>", " ", text).split())), html.unescape(href))
        for href, text in re.findall(r'<a class="[^"]*" href="([^"]*)"[^>]*>(.*?)</a>', actions, re.S)
    ]
    return html.unescape(message), links


def test_an_empty_work_order_list_offers_to_create_one(client_as):
    client = client_as("supervisor")
    page = client.get("/work-orders").get_data(as_text=True)
    assert empty_state(page) == (
        "No work orders yet: create the first one.",
        [("Create a work order", "/work-orders/new")],
    )


def test_filters_that_match_nothing_offer_to_clear_them_or_create(client_as, make_user):
    client = client_as("supervisor")
    make_work_order(client.user, "Fix the pump")
    db.session.commit()
    listed = client.get("/work-orders").get_data(as_text=True)
    assert "Fix the pump" in listed
    assert 'data-testid="empty-state"' not in listed  # a list with rows says nothing of the kind
    page = client.get("/work-orders?q=nothing+like+this").get_data(as_text=True)
    assert "Fix the pump" not in page
    assert empty_state(page) == (
        "No work orders match these filters: clear them or create a work order.",
        [("Clear the filters", "/work-orders"), ("Create a work order", "/work-orders/new")],
    )
    quick_view = client.get("/work-orders?view=overdue").get_data(as_text=True)
    assert empty_state(quick_view)[1][0] == ("Clear the filters", "/work-orders")


def test_a_reader_who_may_not_create_is_not_offered_to(app, make_user):
    admin = make_user("admin")
    role = role_service.create_role(admin, "watcher", "Follows the team's work")
    wanted = {row.id: set(row.permissions) for row in role_service.all_roles()}
    wanted[role.id] = {"workorder.view_team"}
    role_service.set_permissions(admin, wanted)
    db.session.commit()
    watcher = make_user("watcher")
    client = app.test_client()
    assert sign_in(client, watcher.email).status_code == 302
    page = client.get("/work-orders").get_data(as_text=True)
    assert empty_state(page) == ("No work orders for you yet: work assigned to you or your team shows here.", [])
    assert "/work-orders/new" not in page
    filtered = client.get("/work-orders?q=pump").get_data(as_text=True)
    assert empty_state(filtered) == (
        "No work orders match these filters: clear them to see more.",
        [("Clear the filters", "/work-orders")],
    )
    assert "/work-orders/new" not in filtered


def test_other_lists_say_what_to_do_next_for_each_reader(client_as):
    admin, technician = client_as("admin"), client_as("technician")
    message, links = empty_state(admin.get("/products").get_data(as_text=True))
    assert message == "No products yet: add them one by one or import a file."
    assert [text for text, _ in links] == ["Add product", "Import products"]
    assert empty_state(technician.get("/products").get_data(as_text=True)) == (
        "No products yet: the catalogue team adds them.",
        [],
    )
    assert empty_state(technician.get("/products?q=pump").get_data(as_text=True)) == (
        "No products match these filters.",
        [("Clear the filters", "/products")],
    )
    for url, text in (
        ("/assets", "Add asset"),
        ("/companies", "Add company"),
        ("/locations", "Add location"),
        ("/teams", "Add team"),
    ):
        assert text in [label for label, _ in empty_state(admin.get(url).get_data(as_text=True))[1]], url
        page = technician.get(url)
        if url == "/teams":  # technicians do not see teams at all
            assert page.status_code == 403, url
        else:
            assert page.status_code == 200, url
            assert empty_state(page.get_data(as_text=True))[1] == [], url
    for url in ("/stock/low", "/stock/movements", "/work-orders/checklist-templates"):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert empty_state(response.get_data(as_text=True))[0], url
