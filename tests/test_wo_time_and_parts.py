"""Time and parts on work orders: timers, manual entries, stock issued and returned, costs, access."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from cube.errors import InvalidTransition, NotAllowed, ValidationFailed
from cube.extensions import db
from cube.models import (
    Location,
    PartUsage,
    Product,
    StockMovement,
    TimeLog,
    User,
    utcnow,
)
from cube.products import inventory
from cube.workorders import costs, parts, timelogs
from tests.catalog_factories import make_location, make_product, stock
from tests.support import count, event_kinds, fresh, post
from tests.workorder_factories import Job, job_in_progress, make_work_order, move_to


@dataclass
class Setup(Job):
    """A technician (rate 40/h) with a client, a work order in progress assigned to them, and stock."""

    product: Product
    store: Location


@pytest.fixture
def job(client_as: Callable[[str], FlaskClient], make_team: Callable[..., Any]) -> Setup:
    client = client_as("technician")
    client.user.hourly_rate = Decimal("40.00")  # type: ignore[attr-defined]
    db.session.commit()
    base = job_in_progress(client, make_team)
    product = make_product("FLT-1", "Filter", unit_cost="12.50")
    store = make_location("Stores")
    stock(product, store, "10")
    return Setup(base.client, base.tech, base.work_order, product, store)


def running(user: User) -> list[TimeLog]:
    db.session.expire_all()
    return list(db.session.scalars(select(TimeLog).where(TimeLog.user_id == user.id, TimeLog.ended_at.is_(None))))


def every_change(job: Setup, log: TimeLog, usage: PartUsage) -> list[tuple[str, dict[str, str]]]:
    """Every time-and-parts form of the job's work order, each with valid data."""
    return [
        (f"{job.base}/timer/start", {}),
        (f"{job.base}/time", {"time-started_at": "2024-01-01T08:00", "time-hours": "1"}),
        (f"{job.base}/time/{log.id}/delete", {}),
        (
            f"{job.base}/parts",
            {"part-product_id": str(job.product.id), "part-location_id": str(job.store.id), "part-quantity": "1"},
        ),
        (f"{job.base}/parts/{usage.id}/return", {f"return-{usage.id}-quantity": "1"}),
    ]


# -- timers ---------------------------------------------------------------------------------------


def test_a_timer_starts_and_stops_and_logs_its_hours(job: Setup):
    response = post(job.client, f"{job.base}/timer/start")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{job.base}#time")
    [log] = running(job.tech)
    assert log.hourly_rate == Decimal("40.00")
    assert "Your timer is running" in job.client.get(job.base).get_data(as_text=True)

    log.started_at = utcnow() - timedelta(minutes=90)  # as if it had been running for an hour and a half
    db.session.commit()
    assert post(job.client, f"{job.base}/timer/stop").status_code == 302
    assert running(job.tech) == []
    log = db.session.get(TimeLog, log.id)
    assert log.hours == Decimal("1.50")
    assert log.ended_at is not None
    work_order = fresh(job.work_order)
    assert work_order.actual_hours == Decimal("1.50")
    assert work_order.actual_cost == Decimal("60.00")
    assert event_kinds(work_order)[-2:] == ["timer_started", "time_logged"]


def test_one_running_timer_per_person_across_work_orders(job: Setup):
    other = make_work_order(job.tech, "Second job", assignees=(job.tech,))
    post(job.client, f"{job.base}/timer/start")
    post(job.client, f"{job.base}/timer/start")  # a double click starts nothing new
    [first] = running(job.tech)
    assert first.work_order_id == job.work_order.id
    first.started_at = utcnow() - timedelta(minutes=20)  # long enough to be logged when it stops
    db.session.commit()

    post(job.client, f"/work-orders/{other.id}/timer/start")
    assert [log.work_order_id for log in running(job.tech)] == [other.id]
    stopped = db.session.scalars(select(TimeLog).where(TimeLog.work_order_id == job.work_order.id)).all()
    assert len(stopped) == 1
    assert stopped[0].ended_at is not None
    page = job.client.get(job.base).get_data(as_text=True)
    assert f"Your timer on {other.number} stops" in page


def test_stopping_without_a_running_timer_is_refused(job: Setup):
    response = post(job.client, f"{job.base}/timer/stop", follow_redirects=True)
    assert "You have no timer running on this work order." in response.get_data(as_text=True)
    with pytest.raises(InvalidTransition):
        timelogs.stop_timer(job.tech, job.work_order)


def test_the_hours_are_rounded_to_two_decimals():
    start = utcnow()
    assert timelogs.hours_between(start, start + timedelta(minutes=20)) == Decimal("0.33")
    assert timelogs.hours_between(start, start + timedelta(seconds=18)) == Decimal("0.01")


# -- manual entries -------------------------------------------------------------------------------


def test_manual_entries_by_hours_or_end_time(job: Setup):
    start = (utcnow() - timedelta(hours=5)).replace(microsecond=0)
    by_hours = timelogs.add_entry(job.tech, job.work_order, start, hours="1.25", note="Stripped the pump")
    by_end = timelogs.add_entry(job.tech, job.work_order, start, ended_at=start + timedelta(minutes=45))
    db.session.commit()
    assert by_hours.hours == Decimal("1.25")
    assert by_hours.ended_at == start + timedelta(minutes=75)
    assert by_end.hours == Decimal("0.75")
    assert fresh(job.work_order).actual_hours == Decimal("2.00")


def test_a_manual_entry_over_http_uses_the_users_time_zone(job: Setup):
    job.tech.timezone = "Europe/Berlin"
    db.session.commit()
    start = (utcnow() - timedelta(days=1)).astimezone(timelogs_zone("Europe/Berlin")).replace(second=0, microsecond=0)
    response = post(
        job.client,
        f"{job.base}/time",
        {"time-started_at": start.strftime("%Y-%m-%dT%H:%M"), "time-hours": "2", "time-note": "Night call"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#time")
    log = db.session.scalar(select(TimeLog).where(TimeLog.work_order_id == job.work_order.id))
    assert log is not None
    assert log.started_at == start
    assert (log.hours, log.note) == (Decimal("2.00"), "Night call")


def timelogs_zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


@pytest.mark.parametrize(
    ("hours", "ended_minutes", "message"),
    [
        ("0", None, "more than zero"),
        ("-1", None, "cannot be less than"),
        ("24.01", None, "at most 24 hours"),
        ("1.005", None, "at most 2 decimals"),
        ("abc", None, "must be a number"),
        (None, None, "either the hours or when"),
        ("1", 60, "either the hours or when"),
        (None, -10, "after the start"),
        (None, 25 * 60, "at most 24 hours"),
        ("3", None, "in the future"),
    ],
)
def test_bad_manual_entries_are_refused(job: Setup, hours: str | None, ended_minutes: int | None, message: str):
    start = utcnow() - timedelta(hours=2)
    ended = start + timedelta(minutes=ended_minutes) if ended_minutes is not None else None
    if message == "at most 24 hours" and ended is not None:
        start = start - timedelta(days=2)
        ended = start + timedelta(minutes=ended_minutes or 0)
    with pytest.raises(ValidationFailed, match=message):
        timelogs.add_entry(job.tech, job.work_order, start, hours=hours, ended_at=ended)
    db.session.rollback()
    assert count(TimeLog) == 0
    assert fresh(job.work_order).actual_hours == Decimal("0")


def test_a_bad_manual_entry_over_http_is_flashed(job: Setup):
    start = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = post(
        job.client, f"{job.base}/time", {"time-started_at": start, "time-hours": "1"}, follow_redirects=True
    )
    assert "Time cannot be logged in the future." in response.get_data(as_text=True)
    missing = post(job.client, f"{job.base}/time", {"time-hours": "1"}, follow_redirects=True)
    assert "Started:" in missing.get_data(as_text=True)
    assert count(TimeLog) == 0


# -- totals ---------------------------------------------------------------------------------------


def test_hours_and_costs_add_up_labour_at_each_persons_rate_and_parts(
    job: Setup, make_user: Callable[..., User], client_as: Callable[[str], FlaskClient]
):
    colleague = make_user("technician")
    colleague.hourly_rate = Decimal("55.50")
    db.session.commit()
    start = utcnow() - timedelta(hours=10)
    timelogs.add_entry(job.tech, job.work_order, start, hours="1.5")
    timelogs.add_entry(job.tech, job.work_order, start, hours="2.25")
    timelogs.add_entry(colleague, job.work_order, start, hours="1")
    parts.use_part(job.tech, job.work_order, job.product.id, job.store.id, "2")
    db.session.commit()

    work_order = fresh(job.work_order)
    assert work_order.actual_hours == Decimal("4.75")
    assert work_order.actual_cost == Decimal("3.75") * 40 + Decimal("55.50") + 2 * Decimal("12.50")
    totals = costs.totals(work_order)
    assert (totals.hours, totals.labour_cost, totals.parts_cost) == (
        Decimal("4.75"),
        Decimal("205.50"),
        Decimal("25.00"),
    )

    # A pay rise later does not rewrite old entries.
    job.tech.hourly_rate = Decimal("100")
    db.session.commit()
    timelogs.add_entry(job.tech, job.work_order, start, hours="0.5")
    db.session.commit()
    assert fresh(job.work_order).actual_cost == Decimal("205.50") + Decimal("50.00") + Decimal("25.00")

    page = client_as("manager").get(job.base).get_data(as_text=True)  # technicians see no costs
    assert "Labour cost: <strong>255.50</strong>" in page
    assert "Parts cost: <strong>25.00</strong>" in page
    assert "Hours: <strong>5.25</strong>" in page


def test_a_running_timer_adds_no_hours_until_stopped(job: Setup):
    timelogs.start_timer(job.tech, job.work_order)
    costs.recalculate(job.work_order)
    db.session.commit()
    assert fresh(job.work_order).actual_hours == Decimal("0")


def test_logging_time_does_not_bump_the_work_orders_edit_version(job: Setup):
    version = fresh(job.work_order).version
    timelogs.add_entry(job.tech, job.work_order, utcnow() - timedelta(hours=2), hours="1")
    db.session.commit()
    assert fresh(job.work_order).version == version


# -- deleting entries -----------------------------------------------------------------------------


def test_people_delete_their_own_entries_and_editors_anyones(
    job: Setup, client_as: Callable[[str], FlaskClient], make_team: Callable[..., Any]
):
    start = utcnow() - timedelta(hours=3)
    mine = timelogs.add_entry(job.tech, job.work_order, start, hours="1")
    colleague_client = client_as("technician")
    colleague: User = colleague_client.user  # type: ignore[attr-defined]
    job.work_order.assignees = [job.tech, colleague]
    theirs = timelogs.add_entry(colleague, job.work_order, start, hours="2")
    db.session.commit()

    # A colleague may not delete my entry (403) ...
    assert post(colleague_client, f"{job.base}/time/{mine.id}/delete").status_code == 403
    assert count(TimeLog) == 2
    # ... but I may, and the totals follow.
    assert post(job.client, f"{job.base}/time/{mine.id}/delete").status_code == 302
    assert count(TimeLog) == 1
    assert fresh(job.work_order).actual_hours == Decimal("2.00")
    # A manager (workorder.edit) may delete anyone's.
    manager = client_as("manager")
    assert post(manager, f"{job.base}/time/{theirs.id}/delete").status_code == 302
    assert count(TimeLog) == 0
    assert fresh(job.work_order).actual_hours == Decimal("0.00")
    assert event_kinds(job.work_order).count("time_deleted") == 2


# -- parts ----------------------------------------------------------------------------------------


def test_using_a_part_issues_stock_in_the_same_transaction(job: Setup):
    response = post(
        job.client,
        f"{job.base}/parts",
        {"part-product_id": str(job.product.id), "part-location_id": str(job.store.id), "part-quantity": "3"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{job.base}#parts")
    db.session.expire_all()
    assert inventory.on_hand(job.product.id, job.store.id) == Decimal("7")
    usage = db.session.scalar(select(PartUsage))
    assert usage is not None
    assert (usage.quantity, usage.unit_cost, usage.used_by_id) == (Decimal("3"), Decimal("12.50"), job.tech.id)
    movement = db.session.get(StockMovement, usage.stock_movement_id)
    assert movement is not None
    assert (movement.kind, movement.quantity, movement.reference) == ("issue", Decimal("-3"), job.work_order.number)
    assert fresh(job.work_order).actual_cost == Decimal("37.50")
    assert "part_used" in event_kinds(job.work_order)
    assert inventory.ledger_mismatches() == []


def test_a_part_counted_in_pieces_is_taken_whole(job: Setup):
    """Half a filter is not taken from stock: counted units need a whole number; measured ones do not."""
    assert job.product.unit in parts.COUNTED_UNITS
    form = {"part-product_id": str(job.product.id), "part-location_id": str(job.store.id), "part-quantity": "1.5"}
    response = post(job.client, f"{job.base}/parts", form)
    assert response.status_code == 422
    assert "counted in whole" in response.get_data(as_text=True)
    db.session.expire_all()
    assert inventory.on_hand(job.product.id, job.store.id) == Decimal("10")
    assert db.session.scalar(select(PartUsage)) is None
    job.product.unit = "m"  # cable by the metre: 1.5 is a length
    db.session.commit()
    assert post(job.client, f"{job.base}/parts", form).status_code == 302
    db.session.expire_all()
    assert inventory.on_hand(job.product.id, job.store.id) == Decimal("8.5")


def test_insufficient_stock_leaves_nothing_written(job: Setup):
    response = post(
        job.client,
        f"{job.base}/parts",
        {"part-product_id": str(job.product.id), "part-location_id": str(job.store.id), "part-quantity": "11"},
        follow_redirects=True,
    )
    assert "Only 10 each of FLT-1 on hand" in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(PartUsage) == 0
    assert inventory.on_hand(job.product.id, job.store.id) == Decimal("10")
    assert count(StockMovement, StockMovement.kind == "issue") == 0
    assert fresh(job.work_order).actual_cost == Decimal("0")
    assert "part_used" not in event_kinds(job.work_order)


def test_an_unknown_sku_or_bad_quantity_is_refused(job: Setup):
    for data in (
        {"part-product_id": "999999", "part-location_id": str(job.store.id), "part-quantity": "1"},
        {"part-product_id": str(job.product.id), "part-location_id": str(job.store.id), "part-quantity": "0"},
        {"part-product_id": str(job.product.id), "part-location_id": "", "part-quantity": "1"},
    ):
        assert post(job.client, f"{job.base}/parts", data).status_code == 422  # the page again, input kept
    assert count(PartUsage) == 0
    with pytest.raises(ValidationFailed):
        parts.use_part(job.tech, job.work_order, job.product.id, job.store.id, "0.0001")


def test_returning_parts_restores_stock_but_never_more_than_was_used(job: Setup):
    usage = parts.use_part(job.tech, job.work_order, job.product.id, job.store.id, "4")
    db.session.commit()
    url = f"{job.base}/parts/{usage.id}/return"

    assert post(job.client, url, {f"return-{usage.id}-quantity": "1.5"}).status_code == 302
    db.session.expire_all()
    assert inventory.on_hand(job.product.id, job.store.id) == Decimal("7.5")
    returned = db.session.scalar(select(PartUsage).where(PartUsage.quantity < 0))
    assert returned is not None
    assert (returned.quantity, returned.unit_cost) == (Decimal("-1.5"), Decimal("12.50"))
    movement = db.session.get(StockMovement, returned.stock_movement_id)
    assert movement is not None
    assert (movement.kind, movement.reference) == ("return", job.work_order.number)
    assert fresh(job.work_order).actual_cost == Decimal("2.5") * Decimal("12.50")

    too_many = post(job.client, url, {f"return-{usage.id}-quantity": "2.501"}, follow_redirects=True)
    assert "Only 2.5 each of FLT-1 can be returned." in too_many.get_data(as_text=True)
    assert post(job.client, url, {f"return-{usage.id}-quantity": "2.5"}).status_code == 302
    db.session.expire_all()
    assert inventory.on_hand(job.product.id, job.store.id) == Decimal("10")
    assert fresh(job.work_order).actual_cost == Decimal("0.00")
    with pytest.raises(ValidationFailed, match="Only 0 each"):
        parts.return_part(job.tech, job.work_order, db.session.get(PartUsage, usage.id), "1")
    db.session.rollback()
    with pytest.raises(ValidationFailed, match="not a return"):
        parts.return_part(job.tech, job.work_order, returned, "1")
    db.session.rollback()
    assert event_kinds(job.work_order).count("part_returned") == 2
    assert inventory.ledger_mismatches() == []


def test_the_unit_cost_is_the_one_of_the_day(job: Setup):
    old = parts.use_part(job.tech, job.work_order, job.product.id, job.store.id, "2")
    db.session.commit()
    job.product.unit_cost = Decimal("20.00")
    db.session.commit()
    new = parts.use_part(job.tech, job.work_order, job.product.id, job.store.id, "1")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(PartUsage, old.id).unit_cost == Decimal("12.50")
    assert db.session.get(PartUsage, new.id).unit_cost == Decimal("20.00")
    assert fresh(job.work_order).actual_cost == Decimal("45.00")

    # A return credits what the returned usage was charged, and only up to what is out at that cost.
    parts.return_part(job.tech, job.work_order, db.session.get(PartUsage, old.id), "2")
    db.session.commit()
    assert fresh(job.work_order).actual_cost == Decimal("20.00")
    with pytest.raises(ValidationFailed):
        parts.return_part(job.tech, job.work_order, db.session.get(PartUsage, old.id), "1")


# -- access and state -----------------------------------------------------------------------------


def test_a_requester_cannot_log_time_or_parts(job: Setup, client_as: Callable[[str], FlaskClient]):
    client = client_as("requester")
    requester: User = client.user  # type: ignore[attr-defined]
    work_order = make_work_order(requester, "Light flickers")
    usage = parts.use_part(job.tech, work_order, job.product.id, job.store.id, "1")
    log = timelogs.add_entry(job.tech, work_order, utcnow() - timedelta(hours=2), hours="1")
    db.session.commit()
    base = f"/work-orders/{work_order.id}"
    assert client.get(base).status_code == 200
    for url, data in (
        (f"{base}/timer/start", {}),
        (f"{base}/timer/stop", {}),
        (f"{base}/time", {"time-started_at": "2024-01-01T08:00", "time-hours": "1"}),
        (f"{base}/time/{log.id}/delete", {}),
        (
            f"{base}/parts",
            {"part-product_id": str(job.product.id), "part-location_id": str(job.store.id), "part-quantity": "1"},
        ),
        (f"{base}/parts/{usage.id}/return", {f"return-{usage.id}-quantity": "1"}),
    ):
        assert post(client, url, data).status_code == 403, url
    assert count(TimeLog) == 1
    assert count(PartUsage) == 1
    assert inventory.on_hand(job.product.id, job.store.id) == Decimal("9")
    with pytest.raises(NotAllowed):
        timelogs.start_timer(requester, work_order)
    page = client.get(base).get_data(as_text=True)
    assert "Start timer" not in page
    assert "Use part" not in page


def test_a_technician_of_another_team_gets_404_and_changes_nothing(
    job: Setup, client_as: Callable[[str], FlaskClient], make_team: Callable[..., Any]
):
    usage = parts.use_part(job.tech, job.work_order, job.product.id, job.store.id, "1")
    log = timelogs.add_entry(job.tech, job.work_order, utcnow() - timedelta(hours=2), hours="1")
    db.session.commit()
    outsider = client_as("technician")
    make_team("Electrical", members=(outsider.user,))  # type: ignore[attr-defined]
    for url, data in every_change(job, log, usage):
        assert post(outsider, url, data).status_code == 404, url
    assert count(TimeLog) == 1
    assert count(PartUsage) == 1
    assert running(outsider.user) == []  # type: ignore[attr-defined]
    assert inventory.on_hand(job.product.id, job.store.id) == Decimal("9")


def test_records_of_another_work_order_are_404(job: Setup):
    other = make_work_order(job.tech, "Other", assignees=(job.tech,))
    usage = parts.use_part(job.tech, other, job.product.id, job.store.id, "1")
    log = timelogs.add_entry(job.tech, other, utcnow() - timedelta(hours=2), hours="1")
    db.session.commit()
    assert post(job.client, f"{job.base}/time/{log.id}/delete").status_code == 404
    assert (
        post(job.client, f"{job.base}/parts/{usage.id}/return", {f"return-{usage.id}-quantity": "1"}).status_code == 404
    )
    assert count(TimeLog) == 1
    assert count(PartUsage) == 1


@pytest.mark.parametrize("status", ["Completed", "Closed", "Cancelled"])
def test_a_done_or_cancelled_work_order_refuses_time_and_parts(job: Setup, status: str):
    usage = parts.use_part(job.tech, job.work_order, job.product.id, job.store.id, "2")
    log = timelogs.add_entry(job.tech, job.work_order, utcnow() - timedelta(hours=2), hours="1")
    db.session.commit()
    move_to(job.work_order, status)
    for url, data in every_change(job, log, usage):
        response = post(job.client, url, data, follow_redirects=True)
        assert "can no longer change" in response.get_data(as_text=True), url
    assert running(job.tech) == []
    assert count(TimeLog) == 1
    assert count(PartUsage) == 1
    assert inventory.on_hand(job.product.id, job.store.id) == Decimal("8")
    assert fresh(job.work_order).actual_cost == Decimal("65.00")


def test_a_timer_left_running_can_still_be_stopped_after_completion(job: Setup):
    timelogs.start_timer(job.tech, job.work_order)
    db.session.commit()
    move_to(job.work_order, "Completed")
    assert post(job.client, f"{job.base}/timer/stop").status_code == 302
    assert running(job.tech) == []


def test_posts_without_csrf_are_refused(job: Setup):
    assert job.client.post(f"{job.base}/timer/start").status_code == 400
    data = {"part-product_id": str(job.product.id), "part-location_id": str(job.store.id), "part-quantity": "1"}
    assert job.client.post(f"{job.base}/parts", data=data).status_code == 400
    assert job.client.post(f"{job.base}/time", data={"time-hours": "1"}).status_code == 400
    assert running(job.tech) == []
    assert count(PartUsage) == 0
    assert inventory.on_hand(job.product.id, job.store.id) == Decimal("10")


class _Inputs(HTMLParser):
    """Collects form controls and label targets of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label" and found.get("for"):
            self.labelled.add(found["for"] or "")
        if tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.controls.append(found)


def test_the_detail_page_shows_time_and_parts_with_labelled_inputs(job: Setup):
    timelogs.add_entry(job.tech, job.work_order, utcnow() - timedelta(hours=3), hours="1", note="Checked seals")
    parts.use_part(job.tech, job.work_order, job.product.id, job.store.id, "2")
    timelogs.start_timer(job.tech, job.work_order)
    db.session.commit()
    response = job.client.get(job.base)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for marker in ('id="time"', 'id="parts"', "Checked seals", "FLT-1", "Stop timer", "Use part", "Return"):
        assert marker in page, marker
    assert "style=" not in page
    assert "<script>" not in page
    parser = _Inputs()
    parser.feed(page)
    unlabelled = [c for c in parser.controls if c.get("id") not in parser.labelled and not c.get("aria-label")]
    assert unlabelled == []
