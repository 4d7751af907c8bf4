"""The Kanban board and the month calendar of work orders."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from cube.extensions import db
from cube.models import Status, WorkOrder, utcnow
from cube.workorders import board_routes
from tests.support import events_of, post, sign_in, statements_for
from tests.workorder_factories import make_work_order, move_to, status_named, transition_named

COLUMN = re.compile(r'<section [^>]*data-status="(\d+)"')


def columns_of(page: str) -> dict[int, str]:
    """The HTML of each board column, by status id."""
    found = list(COLUMN.finditer(page))
    columns = {}
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(page)
        columns[int(match.group(1))] = page[match.start() : end]
    return columns


def card_column(page: str, number: str) -> int | None:
    """The status id of the column showing the card of ``number``."""
    hits = [status for status, html in columns_of(page).items() if f'data-testid="card-{number}"' in html]
    assert len(hits) <= 1, hits
    return hits[0] if hits else None


def board(client, query: str = "") -> str:
    response = client.get("/work-orders/board" + query)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


# --- Board ------------------------------------------------------------------------------------------------------


def test_board_has_a_column_per_active_status_in_order_and_the_cards_in_them(client_as, make_user):
    manager = client_as("manager")
    tech = make_user("technician", name="Tess Tech")
    new = make_work_order(manager.user, "Fresh request")
    busy = make_work_order(manager.user, "Busy job", assignees=(tech,), due_at=datetime(2031, 2, 3, 4, 5, tzinfo=UTC))
    move_to(busy, "In progress")
    retired = Status(name="Retired status", category="open", position=5, active=False)
    db.session.add(retired)
    db.session.commit()

    page = board(manager)

    statuses = db.session.scalars(select(Status).where(Status.active.is_(True)).order_by(Status.position)).all()
    assert list(columns_of(page)) == [s.id for s in statuses]
    assert retired.id not in columns_of(page)
    assert card_column(page, new.number) == status_named("New").id
    assert card_column(page, busy.number) == status_named("In progress").id
    busy_card = columns_of(page)[status_named("In progress").id]
    assert "Busy job" in busy_card
    assert "Tess Tech" in busy_card
    assert "2031-02-03 04:05" in busy_card  # the due time in the reader's zone, ISO (the default date style)
    assert "Normal" in busy_card  # the priority


def test_board_buttons_are_the_transitions_the_user_may_take(client_as, make_user):
    manager = client_as("manager")
    work_order = make_work_order(manager.user, "Needs approval")
    approve = transition_named("New", "Approve")
    reject = transition_named("New", "Reject")

    page = board(manager)
    column = columns_of(page)[status_named("New").id]
    assert f'data-testid="move-{work_order.id}-{approve.id}"' in column
    assert f'data-testid="move-{work_order.id}-{reject.id}"' in column
    # A transition that needs a reason asks for it, and the browser will not send the form without one.
    reason_input = re.search(rf'<input [^>]*id="reason-{work_order.id}-{reject.id}"[^>]*>', column)
    assert reason_input
    assert "required" in reason_input.group(0)
    assert 'value="/work-orders/board"' in column  # "next" brings the user back to the board

    technician = client_as("technician")
    mine = make_work_order(technician.user, "My own request")
    tech_column = columns_of(board(technician))[status_named("New").id]
    assert f'data-testid="card-{mine.number}"' in tech_column
    assert f'data-testid="move-{mine.id}-{approve.id}"' not in tech_column  # technicians do not approve


def test_moving_a_card_on_the_board_is_a_transition(client_as):
    manager = client_as("manager")
    work_order = make_work_order(manager.user, "Approve me")
    approve = transition_named("New", "Approve")
    back = "/work-orders/board?q=approve"

    response = post(manager, f"/work-orders/{work_order.id}/transition", {"transition_id": approve.id, "next": back})

    assert response.status_code == 302
    assert response.location == back
    db.session.refresh(work_order)
    assert work_order.status.name == "Approved"
    assert card_column(board(manager, "?q=approve"), work_order.number) == status_named("Approved").id


def test_board_moves_keep_the_guards(client_as, make_user):
    manager = client_as("supervisor")  # holds workorder.work, which pausing needs
    tech = make_user("technician")
    work_order = make_work_order(manager.user, "Running job", assignees=(tech,))
    move_to(work_order, "In progress")
    pause = transition_named("In progress", "Pause")
    before = len(events_of(work_order))

    refused = post(
        manager,
        f"/work-orders/{work_order.id}/transition",
        {"transition_id": pause.id, "reason": "  ", "next": "/work-orders/board"},
    )

    # From the board the refusal comes back to the board with the reason.
    assert refused.status_code == 302
    assert refused.location == "/work-orders/board"
    assert "Give a reason" in manager.get(refused.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(WorkOrder, work_order.id).status.name == "In progress"
    assert len(events_of(work_order)) == before
    assert card_column(board(manager), work_order.number) == status_named("In progress").id

    # A button for a status the card is no longer in (a stale board) is refused too.
    approve = transition_named("New", "Approve")
    stale = post(manager, f"/work-orders/{work_order.id}/transition", {"transition_id": approve.id})
    assert stale.status_code == 409
    assert db.session.get(WorkOrder, work_order.id).status.name == "In progress"

    paused = post(
        manager,
        f"/work-orders/{work_order.id}/transition",
        {"transition_id": pause.id, "reason": "Waiting for parts", "next": "/work-orders/board"},
    )
    assert paused.status_code == 302
    db.session.expire_all()
    assert db.session.get(WorkOrder, work_order.id).status.name == "On hold"


def test_technician_sees_only_the_cards_they_may_see(client_as, make_user, make_team):
    technician = client_as("technician")
    stranger = make_user("requester")
    team = make_team("Night shift", members=(technician.user,))
    assigned = make_work_order(stranger, "Assigned to the technician", assignees=(technician.user,))
    team_work = make_work_order(stranger, "Team work")
    team_work.team_id = team.id  # set-up: a requester may not choose the team themselves
    db.session.commit()
    hidden = make_work_order(stranger, "Someone else's")

    page = board(technician)

    assert f'data-testid="card-{assigned.number}"' in page
    assert f'data-testid="card-{team_work.number}"' in page
    assert hidden.number not in page
    assert "Someone else" not in page


def test_board_honours_the_list_filters(client_as):
    manager = client_as("manager")
    pump = make_work_order(manager.user, "Pump noise")
    door = make_work_order(manager.user, "Door hinge")

    page = board(manager, "?q=pump")

    assert pump.number in page
    assert door.number not in page
    assert board(manager, "?status=not-a-number&due_from=garbage&sort=drop table")  # bad filters are ignored


def test_columns_stop_at_the_limit_and_link_to_the_list(client_as, monkeypatch):
    monkeypatch.setattr(board_routes, "BOARD_LIMIT", 2)
    manager = client_as("manager")
    orders = [make_work_order(manager.user, f"Job {n}") for n in range(3)]
    new = status_named("New")

    page = board(manager, "?q=job&page=4")
    column = columns_of(page)[new.id]

    assert column.count('data-testid="card-') == 2
    assert orders[0].number not in column  # newest first: the oldest is the one left out
    assert f'data-testid="column-total-{new.id}">3<' in column
    link = re.search(rf'href="([^"]+)" data-testid="more-{new.id}"', column)
    assert link is not None
    assert "1 more in the list" in column
    assert link.group(1) == f"/work-orders?q=job&amp;status={new.id}"


def test_board_statements_do_not_grow_with_cards(client_as, make_user):
    manager = client_as("manager")
    helpers = [make_user("technician") for _ in range(3)]

    def add(count: int, offset: int) -> None:
        for number in range(count):
            work_order = make_work_order(manager.user, f"Card {offset + number}", assignees=(helpers[number % 3],))
            if number % 2:
                move_to(work_order, "In progress")

    add(2, 0)
    few = statements_for(manager, "/work-orders/board")
    add(14, 100)
    many = statements_for(manager, "/work-orders/board")
    assert many == few, (few, many)
    assert few <= 11, few


# --- Calendar ---------------------------------------------------------------------------------------------------


def calendar(client, query: str = "") -> str:
    response = client.get("/work-orders/calendar" + query)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def day_cell(page: str, day: str) -> str:
    match = re.search(rf'<td [^>]*data-day="{day}">(.*?)</td>', page, re.S)
    assert match, day
    return match.group(1)


@pytest.fixture
def auckland(app, make_user):
    """A signed-in manager whose time zone is 13 hours ahead of UTC in January and February."""
    user = make_user("manager", timezone="Pacific/Auckland")
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    client.user = user
    return client


def test_calendar_puts_due_and_start_dates_on_the_users_local_day(auckland):
    # 12:00 UTC on 31 January is 01:00 on 1 February in Auckland; 09:00 UTC is 22:00 on 31 January.
    work_order = make_work_order(
        auckland.user,
        "Boiler service",
        planned_start=datetime(2031, 1, 31, 9, 0, tzinfo=UTC),
        due_at=datetime(2031, 1, 31, 12, 0, tzinfo=UTC),
    )

    february = calendar(auckland, "?month=2031-02")
    assert "February 2031" in february
    first = day_cell(february, "2031-02-01")
    assert f'data-testid="entry-due-{work_order.number}"' in first
    assert "Due 01:00" in first  # the local time in the reader's zone, ISO (the default date style)
    january_in_february_grid = day_cell(february, "2031-01-31")  # the grid starts on Monday 27 January
    assert work_order.number not in january_in_february_grid  # the start is not in February: not listed

    january = calendar(auckland, "?month=2031-01")
    last = day_cell(january, "2031-01-31")
    assert f'data-testid="entry-start-{work_order.number}"' in last
    assert "Start 22:00" in last
    assert f"entry-due-{work_order.number}" not in january


def test_calendar_weeks_start_on_monday_and_link_the_neighbouring_months(client_as):
    page = calendar(client_as("manager"), "?month=2031-01&q=boiler")
    rows = re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>")[1], re.S)
    first_row_days = re.findall(r'data-day="([\d-]+)"', rows[0])
    assert first_row_days[0] == "2030-12-30"  # a Monday
    assert first_row_days[-1] == "2031-01-05"
    assert len(rows) == 5
    assert 'href="/work-orders/calendar?q=boiler&amp;month=2030-12"' in page
    assert 'href="/work-orders/calendar?q=boiler&amp;month=2031-02"' in page


@pytest.mark.parametrize(
    "month", ["garbage", "2031-13", "2031-00", "0000-01", "9999-12", "2031-1x", "2031-02-01", "-1", "x" * 5000]
)
def test_calendar_survives_a_bad_month(auckland, month):
    page = calendar(auckland, f"?month={month}")
    this_month = utcnow().astimezone(ZoneInfo("Pacific/Auckland")).strftime("%B %Y")
    assert f'data-testid="calendar-month">{this_month}<' in page


def test_calendar_only_shows_visible_work_orders(client_as, make_user):
    technician = client_as("technician")
    stranger = make_user("requester")
    due = datetime(2031, 6, 10, 8, 0, tzinfo=UTC)
    mine = make_work_order(stranger, "Mine", assignees=(technician.user,), due_at=due)
    hidden = make_work_order(stranger, "Hidden", due_at=due)

    cell = day_cell(calendar(technician, "?month=2031-06"), "2031-06-10")

    assert mine.number in cell
    assert hidden.number not in cell


def test_calendar_is_one_query_for_the_month(client_as):
    client = client_as("manager")

    make_work_order(client.user, "One", due_at=datetime(2031, 6, 1, 8, 0, tzinfo=UTC))
    few = statements_for(client, "/work-orders/calendar?month=2031-06")
    for day in range(2, 20):
        make_work_order(client.user, f"Day {day}", due_at=datetime(2031, 6, day, 8, 0, tzinfo=UTC))
    many = statements_for(client, "/work-orders/calendar?month=2031-06")
    assert few == many, (few, many)
