"""The board as supervisors meet it: finished work folded with its count, bounded columns, counts in one statement."""

from __future__ import annotations

import re

from sqlalchemy import select

from cube.extensions import db
from cube.models import Status, StatusCategory
from cube.workorders import board, board_routes
from tests.support import statements_for
from tests.test_wo_board_calendar import board as board_page
from tests.test_wo_board_calendar import card_column, columns_of
from tests.workorder_factories import make_work_order, move_to, status_named

FOLDED = {StatusCategory.DONE, StatusCategory.CANCELLED}


def fold_of(column: str) -> str:
    """The opening ``<details>`` tag of a folded column ('' when the column is not folded)."""
    found = re.search(r"<details [^>]*>", column)
    return found.group(0) if found else ""


def total_in(column: str, status_id: int) -> str:
    """The count a column shows in its header."""
    found = re.search(rf'data-testid="column-total-{status_id}"[^>]*>([^<]*)<', column)
    assert found, column[:300]
    return found.group(1)


def active_statuses() -> list[Status]:
    """The board's statuses in order."""
    return list(db.session.scalars(select(Status).where(Status.active.is_(True)).order_by(Status.position)))


def test_finished_and_cancelled_columns_are_folded_with_their_counts(client_as):
    manager = client_as("manager")
    done = [make_work_order(manager.user, f"Done job {n}") for n in range(3)]
    for work_order in done:
        move_to(work_order, "Completed")
    cancelled = make_work_order(manager.user, "Dropped job")
    move_to(cancelled, "Cancelled")
    fresh = make_work_order(manager.user, "Fresh job")

    columns = columns_of(board_page(manager))

    statuses = active_statuses()
    assert {s.category for s in statuses} >= FOLDED | {StatusCategory.OPEN}
    for status in statuses:
        column = columns[status.id]
        if status.category in FOLDED:
            # A <details> closed by default: it opens without JavaScript; its summary names the status and the count.
            assert fold_of(column) == f'<details class="board-fold" data-testid="fold-{status.id}">', status.name
            summary = column[column.index("<summary") : column.index("</summary>")]
            assert status.name in summary
            assert f'data-testid="column-total-{status.id}"' in summary
        else:
            assert 'class="board-fold"' not in column, status.name  # open work is never folded
    assert total_in(columns[status_named("Completed").id], status_named("Completed").id) == "3"
    assert total_in(columns[status_named("Cancelled").id], status_named("Cancelled").id) == "1"
    assert total_in(columns[status_named("Closed").id], status_named("Closed").id) == "0"
    assert total_in(columns[status_named("New").id], status_named("New").id) == "1"
    # The folded cards are still on the page, inside their column, for whoever opens it.
    assert all(card_column(board_page(manager), w.number) == status_named("Completed").id for w in done)
    assert card_column(board_page(manager), cancelled.number) == status_named("Cancelled").id
    assert card_column(board_page(manager), fresh.number) == status_named("New").id


def test_a_folded_column_the_filters_single_out_opens_by_itself(client_as):
    manager = client_as("manager")
    completed, closed, cancelled = status_named("Completed"), status_named("Closed"), status_named("Cancelled")

    by_status = columns_of(board_page(manager, f"?status={completed.id}"))
    assert " open>" in fold_of(by_status[completed.id])
    assert " open>" not in fold_of(by_status[closed.id])
    assert " open>" not in fold_of(by_status[cancelled.id])

    by_category = columns_of(board_page(manager, "?category=done"))
    assert " open>" in fold_of(by_category[completed.id])
    assert " open>" in fold_of(by_category[closed.id])
    assert " open>" not in fold_of(by_category[cancelled.id])

    plain = columns_of(board_page(manager))
    assert not any(" open>" in fold_of(column) for column in plain.values())


def test_columns_show_twenty_cards_and_count_them_all(client_as):
    manager = client_as("manager")
    orders = [make_work_order(manager.user, f"Bulk job {n}") for n in range(23)]
    new = status_named("New")

    column = columns_of(board_page(manager))[new.id]

    assert board_routes.BOARD_LIMIT == 20
    assert column.count('data-testid="card-') == 20
    assert total_in(column, new.id) == "23"
    assert "3 more in the list" in column
    assert all(w.number not in column for w in orders[:3])  # newest first: the three oldest wait in the list


def test_a_folded_column_beyond_the_bound_links_to_its_filtered_list(client_as, monkeypatch):
    monkeypatch.setattr(board_routes, "BOARD_LIMIT", 2)
    manager = client_as("manager")
    completed = status_named("Completed")
    done = [make_work_order(manager.user, f"Finished {n}") for n in range(5)]
    for work_order in done:
        move_to(work_order, "Completed")
    elsewhere = make_work_order(manager.user, "Finished elsewhere")  # same words, another status
    move_to(elsewhere, "Closed")

    column = columns_of(board_page(manager, "?q=finished"))[completed.id]

    assert column.count('data-testid="card-') == 2
    assert total_in(column, completed.id) == "5"
    assert "3 more in the list" in column
    link = re.search(rf'href="([^"]+)" data-testid="more-{completed.id}"', column)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    assert url == f"/work-orders?q=finished&status={completed.id}"

    listed = manager.get(url)
    assert listed.status_code == 200
    page = listed.get_data(as_text=True)
    assert all(w.number in page for w in done)  # the list holds all five, not only the board's two
    assert elsewhere.number not in page


def test_counts_are_what_the_reader_may_see(client_as, make_user):
    technician = client_as("technician")
    stranger = make_user("requester")
    mine = [make_work_order(stranger, f"Mine {n}", assignees=(technician.user,)) for n in range(2)]
    for _ in range(4):
        make_work_order(stranger, "Not mine")
    move_to(mine[1], "Completed")

    columns = columns_of(board_page(technician))

    assert total_in(columns[status_named("New").id], status_named("New").id) == "1"
    assert total_in(columns[status_named("Completed").id], status_named("Completed").id) == "1"


def test_board_statement_count_is_pinned(client_as, make_user, monkeypatch):
    monkeypatch.setattr(board_routes, "BOARD_LIMIT", 3)
    manager = client_as("manager")
    helper = make_user("technician")
    make_work_order(manager.user, "First", assignees=(helper,))
    few = statements_for(manager, "/work-orders/board")
    for number in range(12):  # more cards than the bound, in open and folded columns
        work_order = make_work_order(manager.user, f"More {number}", assignees=(helper,))
        move_to(work_order, ("New", "In progress", "Completed", "Cancelled")[number % 4])
    many = statements_for(manager, "/work-orders/board")

    # Statuses, the first and counted cards (one statement for every column), their assignees' names, the
    # transitions, and the page's own (user, filter choices): the same however many cards and columns.
    # (Cards are plain rows: no assignee is loaded as a person with a role. The assignee and company filters
    # list only their chosen value, none here: the pickers find the rest on demand.)
    assert many == few == 9, (few, many)


def test_a_column_counts_up_to_the_cap_and_says_when_there_are_more(client_as, monkeypatch):
    monkeypatch.setattr(board, "COUNT_CAP", 3)
    monkeypatch.setattr(board_routes, "BOARD_LIMIT", 2)
    manager = client_as("manager")
    for number in range(3):
        make_work_order(manager.user, f"Counted {number}")
    new = status_named("New")

    at_cap = columns_of(board_page(manager))[new.id]
    assert total_in(at_cap, new.id) == "3"  # exactly the cap is still a count
    assert "1 more in the list" in at_cap
    assert "More than" not in at_cap

    for number in range(2):
        make_work_order(manager.user, f"Beyond {number}")
    beyond = columns_of(board_page(manager))[new.id]

    assert total_in(beyond, new.id) == "3+"
    assert 'title="More than 3 work orders"' in beyond
    assert beyond.count('data-testid="card-') == 2
    link = re.search(rf'href="([^"]+)" data-testid="more-{new.id}">More in the list<', beyond)
    assert link is not None
    assert link.group(1) == f"/work-orders?status={new.id}"
