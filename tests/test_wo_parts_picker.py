"""Using a part as a technician meets it: find it by name or SKU, see the stock per location, keep the input.

And the timer: a run under a minute logs nothing, and a manual entry of no time is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from cube.errors import ValidationFailed
from cube.extensions import db
from cube.models import Location, Product, TimeLog, utcnow
from cube.products import inventory
from cube.workorders import part_picker, timelogs
from tests.catalog_factories import database_state, make_location, make_product, stock
from tests.support import count, event_kinds, fresh, post, statements_for
from tests.workorder_factories import Job, job_in_progress, make_work_order


@dataclass
class Stocked(Job):
    """A technician's work order in progress, a filter stocked in two places (most in the van) and a pump."""

    filter: Product
    pump: Product
    stores: Location
    van: Location
    empty: Location


@pytest.fixture
def job(client_as: Callable[[str], FlaskClient], make_team: Callable[..., Any]) -> Stocked:
    base = job_in_progress(client_as("technician"), make_team)
    air_filter = make_product("FLT-G4", "Air panel filter", unit_cost="12.40")
    pump = make_product("PMP-7", "Circulation pump", unit_cost="80")
    stores, van, empty = make_location("Stores"), make_location("Van 3"), make_location("Annex")
    stock(air_filter, stores, "4")
    stock(air_filter, van, "12")
    return Stocked(base.client, base.tech, base.work_order, air_filter, pump, stores, van, empty)


def options_of(page: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, text, selected) of each option of the select ``name`` on the page."""
    select_html = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert select_html is not None, name
    found = re.findall(r'<option([^>]*)value="([^"]*)"([^>]*)>([^<]*)</option>', select_html.group(1))
    return [(value, text.strip(), "selected" in before + after) for before, value, after, text in found]


def chosen(page: str, name: str) -> str:
    """The value of the selected option of the select ``name``."""
    return next((value for value, _text, selected in options_of(page, name) if selected), "")


# -- finding a part -------------------------------------------------------------------------------


def test_search_finds_products_by_a_word_of_the_name_or_the_start_of_the_sku(job: Stocked):
    assert part_picker.search("panel") == [job.filter]  # a word inside the name
    assert part_picker.search("AIR") == [job.filter]  # case ignored
    assert part_picker.search("pmp") == [job.pump]  # SKU prefix
    assert part_picker.search("ump") == []  # neither a word's start nor the SKU's
    assert part_picker.search("%") == []  # wildcards are taken literally
    assert part_picker.search("_") == []
    assert part_picker.search("   ") == []
    job.pump.active = False
    db.session.commit()
    assert part_picker.search("pmp") == []  # archived products are not offered


def test_the_page_lists_active_products_as_sku_and_name_and_locations_with_their_stock(job: Stocked):
    archived = make_product("OLD-1", "Old filter")
    archived.active = False
    db.session.commit()
    page = job.client.get(job.base).get_data(as_text=True)
    products = options_of(page, "part-product_id")
    assert [text for _value, text, _selected in products] == [
        "Choose a part",
        "FLT-G4 — Air panel filter",
        "PMP-7 — Circulation pump",
    ]
    assert "data-parts-picker" in page
    assert "js/parts-picker.js" in page
    assert "data-search-url" not in page  # a small catalog is listed whole and searched in the page


def test_show_stock_lists_locations_with_stock_first_and_defaults_to_the_most(job: Stocked):
    before = database_state()
    response = post(job.client, f"{job.base}/parts", {"part-product_id": str(job.filter.id), "part-look": "1"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    texts = [text for _value, text, _selected in options_of(page, "part-location_id")]
    assert texts[:3] == ["Choose a location", "Van 3 (12 each)", "Stores (4 each)"]
    assert "Annex" in texts[3:]  # no stock there: offered after the others, without a quantity
    assert '<optgroup label="In stock">' in page
    assert '<optgroup label="No stock here">' in page
    assert chosen(page, "part-location_id") == str(job.van.id)
    assert chosen(page, "part-product_id") == str(job.filter.id)
    table = page[page.index('data-testid="part-stock"') :]
    assert table.index("Van 3") < table.index("Stores")
    assert "12 each" in table
    assert "Annex" not in table[: table.index("</table>")]
    assert database_state() == before  # looking uses nothing


def test_a_product_held_nowhere_says_so_and_chooses_no_location(job: Stocked):
    response = post(job.client, f"{job.base}/parts", {"part-product_id": str(job.pump.id), "part-look": "1"})
    page = response.get_data(as_text=True)
    assert "PMP-7 is not in stock anywhere." in page
    assert chosen(page, "part-location_id") == ""


def test_a_refused_use_shows_the_form_again_with_everything_typed(job: Stocked):
    before = database_state()
    data = {"part-product_id": str(job.filter.id), "part-location_id": str(job.stores.id), "part-quantity": "5"}
    response = post(job.client, f"{job.base}/parts", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Only 4 each of FLT-G4 on hand" in page
    assert chosen(page, "part-product_id") == str(job.filter.id)
    assert chosen(page, "part-location_id") == str(job.stores.id)  # not moved to the best-stocked place
    assert re.search(r'name="part-quantity"[^>]*value="5"', page)
    assert '<details open data-testid="use-part">' in page
    assert database_state() == before


def test_a_form_missing_the_part_says_so_and_keeps_the_rest(job: Stocked):
    data = {"part-product_id": "", "part-location_id": str(job.van.id), "part-quantity": "2"}
    response = post(job.client, f"{job.base}/parts", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose a part." in page
    assert chosen(page, "part-location_id") == str(job.van.id)
    assert re.search(r'name="part-quantity"[^>]*value="2"', page)
    assert inventory.on_hand(job.filter.id, job.van.id) == Decimal("12")


def test_using_the_chosen_part_issues_it_from_the_chosen_place(job: Stocked):
    data = {"part-product_id": str(job.filter.id), "part-location_id": str(job.van.id), "part-quantity": "2"}
    response = post(job.client, f"{job.base}/parts", data)
    assert response.status_code == 302
    assert inventory.on_hand(job.filter.id, job.van.id) == Decimal("10")
    assert inventory.on_hand(job.filter.id, job.stores.id) == Decimal("4")
    assert fresh(job.work_order).actual_cost == Decimal("24.80")


# -- a large catalog ------------------------------------------------------------------------------


def test_a_large_catalog_lists_only_the_chosen_part_and_search_matches(job: Stocked, monkeypatch):
    monkeypatch.setattr(part_picker, "LIST_LIMIT", 1)  # two active products: more than the page lists
    assert part_picker.is_large_catalog()
    page = job.client.get(job.base).get_data(as_text=True)
    assert [value for value, _text, _sel in options_of(page, "part-product_id")] == [""]
    assert 'data-search-url="/work-orders/parts/search"' in page
    assert 'name="part-q"' in page  # without JavaScript: find, then choose

    found = post(job.client, f"{job.base}/parts", {"part-q": "circ", "part-look": "1"}).get_data(as_text=True)
    assert [text for _value, text, _sel in options_of(found, "part-product_id")] == [
        "Choose a part",
        "PMP-7 — Circulation pump",
    ]
    kept = post(
        job.client,
        f"{job.base}/parts",
        {"part-product_id": str(job.filter.id), "part-location_id": "", "part-quantity": "1"},
    ).get_data(as_text=True)
    assert options_of(kept, "part-product_id")[1:] == [(str(job.filter.id), "FLT-G4 — Air panel filter", True)]

    monkeypatch.setattr(part_picker, "LIST_LIMIT", 2)
    assert not part_picker.is_large_catalog()


def test_the_search_endpoint_answers_matches_bounded(job: Stocked):
    for n in range(part_picker.SEARCH_LIMIT + 5):
        make_product(f"GSK-{n:02}", f"Gasket {n:02}")
    response = job.client.get("/work-orders/parts/search?q=gasket")
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert len(results) == part_picker.SEARCH_LIMIT
    assert results[0]["text"] == "GSK-00 — Gasket 00"
    assert job.client.get("/work-orders/parts/search?q=flt").get_json()["results"] == [
        {"value": job.filter.id, "text": "FLT-G4 — Air panel filter"}
    ]
    assert job.client.get("/work-orders/parts/search").get_json()["results"] == []
    long_term = job.client.get("/work-orders/parts/search?q=" + "a" * 5000)
    assert long_term.status_code == 200
    assert long_term.get_json()["results"] == []


def test_the_stock_endpoint_answers_places_best_stocked_first(job: Stocked):
    data = job.client.get(f"/work-orders/parts/{job.filter.id}/stock").get_json()
    assert data["default_location_id"] == job.van.id
    places = [(p["value"], p["on_hand"], p["in_stock"]) for p in data["locations"]]
    assert places[:2] == [(job.van.id, "12", True), (job.stores.id, "4", True)]
    assert (job.empty.id, "0", False) in places
    assert data["locations"][0]["text"] == "Van 3 (12 each)"
    assert job.client.get(f"/work-orders/parts/{job.pump.id}/stock").get_json()["default_location_id"] is None
    job.pump.active = False
    db.session.commit()
    assert job.client.get(f"/work-orders/parts/{job.pump.id}/stock").status_code == 404
    assert job.client.get("/work-orders/parts/999999/stock").status_code == 404


@pytest.mark.parametrize("role", ["manager", "requester"])
def test_people_who_do_no_work_may_not_look_parts_up(job: Stocked, client_as, role: str):
    client = client_as(role)
    assert client.get("/work-orders/parts/search?q=flt").status_code == 403
    assert client.get(f"/work-orders/parts/{job.filter.id}/stock").status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_people_who_work_may_look_parts_up(job: Stocked, client_as, role: str):
    client = client_as(role)
    assert client.get("/work-orders/parts/search?q=flt").get_json()["results"][0]["value"] == job.filter.id
    assert client.get(f"/work-orders/parts/{job.filter.id}/stock").get_json()["default_location_id"] == job.van.id


# -- the timer ------------------------------------------------------------------------------------


def test_a_timer_stopped_within_a_minute_logs_nothing_and_says_so(job: Stocked):
    post(job.client, f"{job.base}/timer/start")
    [log] = db.session.scalars(select(TimeLog))
    log.started_at = utcnow() - timedelta(seconds=50)
    db.session.commit()
    response = post(job.client, f"{job.base}/timer/stop", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Timer stopped after less than a minute; nothing was logged." in page
    assert 'data-testid="time-logs"' not in page  # no "0.00 h" row
    assert count(TimeLog) == 0
    work_order = fresh(job.work_order)
    assert (work_order.actual_hours, work_order.actual_cost) == (Decimal("0"), Decimal("0"))
    assert event_kinds(work_order)[-2:] == ["timer_started", "timer_discarded"]
    assert "Start timer" in job.client.get(job.base).get_data(as_text=True)


def test_a_timer_of_a_minute_or_more_is_logged(job: Stocked):
    log = timelogs.start_timer(job.tech, job.work_order)
    log.started_at = utcnow() - timedelta(seconds=61)
    db.session.commit()
    stopped = timelogs.stop_timer(job.tech, job.work_order)
    db.session.commit()
    assert stopped is not None
    assert stopped.hours == Decimal("0.02")
    assert count(TimeLog) == 1


def test_switching_timers_within_a_minute_discards_the_first(job: Stocked):
    other = make_work_order(job.tech, "Second job", assignees=(job.tech,))
    timelogs.start_timer(job.tech, job.work_order)
    timelogs.start_timer(job.tech, other)
    db.session.commit()
    assert [log.work_order_id for log in db.session.scalars(select(TimeLog))] == [other.id]
    assert "timer_discarded" in event_kinds(job.work_order)


def test_a_manual_entry_of_no_time_is_refused(job: Stocked):
    start = utcnow() - timedelta(hours=2)
    for hours in ("0", "0.00", "-0"):
        with pytest.raises(ValidationFailed, match="more than zero"):
            timelogs.add_entry(job.tech, job.work_order, start, hours=hours)
        db.session.rollback()
    with pytest.raises(ValidationFailed, match="at least a minute"):
        timelogs.add_entry(job.tech, job.work_order, start, ended_at=start + timedelta(seconds=59))
    db.session.rollback()
    response = post(
        job.client,
        f"{job.base}/time",
        {"time-started_at": "2024-01-01T08:00", "time-hours": "0"},
        follow_redirects=True,
    )
    assert "more than zero" in response.get_data(as_text=True)
    assert count(TimeLog) == 0
    assert fresh(job.work_order).actual_hours == Decimal("0")


def test_the_look_ups_and_the_page_do_not_grow_with_products_or_places(job: Stocked):
    urls = [job.base, f"/work-orders/parts/{job.filter.id}/stock", "/work-orders/parts/search?q=a"]
    few = [statements_for(job.client, url) for url in urls]
    for n in range(6):
        place = make_location(f"Shelf {n}")
        stock(make_product(f"AIR-{n}", f"Air filter {n}"), place, "1")
        stock(job.filter, place, str(n + 1))
    assert [statements_for(job.client, url) for url in urls] == few
