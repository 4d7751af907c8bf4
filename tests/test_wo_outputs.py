"""Work order outputs: the PDF of one work order and the CSV/XLSX export of the filtered list."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from cube.extensions import db
from cube.models import ChecklistItem, Comment, PartUsage, TimeLog, WorkOrder
from cube.workorders import services
from cube.workorders.exporting import COLUMNS as VISIBLE_COLUMNS
from cube.workorders.exporting import COST_COLUMNS
from tests.catalog_factories import make_location, make_product
from tests.support import QueryCounter, csv_rows, xlsx_rows
from tests.workorder_factories import make_work_order, status_named

COLUMNS = (*VISIBLE_COLUMNS, *COST_COLUMNS)  # the export client may see costs

FORMULA = '=HYPERLINK("http://evil.example","click")'
MARKUP = '<script>alert(1)</script> <b>bold</b> & <para> </para> <font color="red">x</font> &amp;'


def pdf_text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Text with line breaks and repeated spaces folded, so wrapped phrases still match."""
    return " ".join(text.split())


def fill_work_order(work_order: WorkOrder, person, *, items: int = 2, comments: int = 1) -> None:
    """Add checklist answers, a part, time and comments straight to the tables (their services live elsewhere)."""
    now = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
    for number in range(items):
        db.session.add(
            ChecklistItem(
                work_order_id=work_order.id,
                label=f"Check pressure {number}",
                kind="text",
                required=number == 0,
                position=number,
                answer=f"Reading {number}: 3.{number} bar",
                answered_by_id=person.id,
                answered_at=now,
            )
        )
    db.session.add(
        ChecklistItem(work_order_id=work_order.id, label="Seal intact", kind="pass_fail", position=99, answer="fail")
    )
    product = make_product(f"GSK-{work_order.id}", "Gasket 40 mm")
    shelf = make_location(f"Shelf {work_order.id}")
    db.session.add(
        PartUsage(
            work_order_id=work_order.id,
            product_id=product.id,
            location_id=shelf.id,
            quantity=Decimal("2"),
            unit_cost=Decimal("7.25"),
            used_by_id=person.id,
        )
    )
    db.session.add(
        TimeLog(
            work_order_id=work_order.id,
            user_id=person.id,
            started_at=now,
            ended_at=now + timedelta(hours=1, minutes=30),
            hours=Decimal("1.50"),
            note="Drained the loop",
        )
    )
    for number in range(comments):
        db.session.add(Comment(work_order_id=work_order.id, author_id=person.id, body=f"Customer note {number}"))
    db.session.commit()


# --- PDF --------------------------------------------------------------------------------------------------------


def test_pdf_has_the_work_order_its_checklist_parts_time_and_comments(client_as):
    client = client_as("manager")
    work_order = make_work_order(client.user, "Replace pump seal", description="Leaks under load")
    fill_work_order(work_order, client.user)

    response = client.get(f"/work-orders/{work_order.id}.pdf")
    text = flat(pdf_text(response))

    assert response.headers["Content-Disposition"] == f"attachment; filename={work_order.number}.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    for expected in (
        work_order.number,
        "Replace pump seal",
        "Leaks under load",
        "Reading 0: 3.0 bar",
        "Reading 1: 3.1 bar",
        "Fail",
        f"GSK-{work_order.id}",
        "Gasket 40 mm",
        "14.50",  # 2 x 7.25
        "Drained the loop",
        "1.50",
        "Customer note 0",
        "Signature:",
        f"http://localhost/work-orders/{work_order.id}",  # the link the QR code holds, printed under it
    ):
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(response.get_data()))
    assert reader.metadata.title.startswith(work_order.number)
    assert len(reader.pages[0].images) == 1  # the QR code


def test_pdf_shows_markup_and_script_literally(client_as):
    client = client_as("manager")
    work_order = make_work_order(client.user, MARKUP[:200], description=MARKUP + "\x07\x1b")
    services.add_comment(client.user, work_order, "</para><img src='x'/> & more")
    db.session.commit()

    text = flat(pdf_text(client.get(f"/work-orders/{work_order.id}.pdf")))

    assert "<script>alert(1)</script> <b>bold</b> & <para> </para>" in text
    assert '<font color="red">x</font> &amp;' in text
    assert "</para><img src='x'/> & more" in text


def test_pdf_of_a_work_order_the_user_may_not_see_is_404(client_as, make_user):
    someone = make_user("requester")
    hidden = make_work_order(someone, "Not yours")
    technician = client_as("technician")

    assert technician.get(f"/work-orders/{hidden.id}.pdf").status_code == 404
    assert technician.get("/work-orders/2147483647.pdf").status_code == 404
    mine = make_work_order(someone, "Assigned to you", assignees=(technician.user,))
    assert technician.get(f"/work-orders/{mine.id}.pdf").status_code == 200


def test_pdf_needs_sign_in(client, make_user):
    work_order = make_work_order(make_user("requester"))
    response = client.get(f"/work-orders/{work_order.id}.pdf")
    assert response.status_code == 302
    assert "/auth/" in response.location


def test_pdf_statements_do_not_grow_with_records(client_as):
    client = client_as("manager")
    small = make_work_order(client.user, "Small")
    fill_work_order(small, client.user, items=1, comments=1)
    big = make_work_order(client.user, "Big")
    fill_work_order(big, client.user, items=12, comments=10)
    urls = [f"/work-orders/{small.id}.pdf", f"/work-orders/{big.id}.pdf"]
    client.get(urls[0])

    counts = []
    for url in urls:
        with QueryCounter(db.engine) as counter:
            assert client.get(url).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


# --- Export -----------------------------------------------------------------------------------------------------


@pytest.fixture
def export_data(client_as, make_user, make_team):
    """A supervisor of one team; pump work in and out of the team, archived, and not about pumps."""
    supervisor = client_as("supervisor")
    other = make_user("manager")  # files work for teams (a requester may not choose the team)
    team = make_team("Pumps team", supervisor=supervisor.user)
    rival = make_team("Other team")
    due = datetime(2031, 5, 6, 7, 8, tzinfo=UTC)
    formula = make_work_order(other, FORMULA + " pump", team_id=team.id, due_at=due, estimated_hours="2.5")
    plain = make_work_order(other, "Pump bearing", team_id=team.id, assignees=(supervisor.user,))
    make_work_order(other, "Door hinge", team_id=team.id)  # filtered out by q
    make_work_order(other, "Pump in another team", team_id=rival.id)  # not visible
    archived = make_work_order(other, "Archived pump", team_id=team.id)
    archived.archived = True
    db.session.commit()
    return {"client": supervisor, "formula": formula, "plain": plain}


def test_csv_export_has_exactly_the_filtered_visible_rows_neutralised(export_data):
    response = export_data["client"].get("/work-orders/export?format=csv&q=pump&sort=number")
    assert response.is_streamed
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="work-orders-')
    rows = csv_rows(response)

    assert rows[0] == list(COLUMNS)
    formula, plain = export_data["formula"], export_data["plain"]
    assert [row[0] for row in rows[1:]] == sorted([formula.number, plain.number])
    by_number = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]}
    assert by_number[formula.number]["Title"] == "'" + FORMULA + " pump"
    assert by_number[formula.number]["Team"] == "Pumps team"
    assert by_number[formula.number]["Due"] == "2031-05-06 07:08"
    assert by_number[formula.number]["Estimated hours"] == "2.50"
    assert by_number[formula.number]["Status category"] == "open"
    assert by_number[plain.number]["Assignees"] == export_data["client"].user.name
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_xlsx_export_has_the_same_rows_and_no_formula_cells(export_data):
    response = export_data["client"].get("/work-orders/export?format=xlsx&q=pump&sort=number")
    assert response.is_streamed
    rows = xlsx_rows(response)

    assert rows[0] == list(COLUMNS)
    assert sorted(row[0] for row in rows[1:]) == sorted([export_data["formula"].number, export_data["plain"].number])
    titles = {row[1] for row in rows[1:]}
    assert "'" + FORMULA + " pump" in titles


def test_export_follows_the_status_filter(export_data):
    plain = export_data["plain"]
    plain.status = status_named("Approved")
    db.session.commit()
    rows = csv_rows(export_data["client"].get(f"/work-orders/export?format=csv&status={plain.status_id}"))
    assert [row[0] for row in rows[1:]] == [plain.number]


def test_export_statements_do_not_grow_with_rows(client_as, make_user, make_team):
    manager = client_as("manager")
    team = make_team("Counting team")
    people = [make_user("technician") for _ in range(3)]
    site = make_location("Counting site")

    def add(count: int, offset: int) -> None:
        for number in range(count):
            make_work_order(
                people[number % 3],
                f"Row {offset + number}",
                team_id=team.id,
                location_id=site.id,
                assignees=(people[(number + 1) % 3],),
            )

    def statements() -> int:
        manager.get("/work-orders/export?format=csv").get_data()
        with QueryCounter(db.engine) as counter:
            response = manager.get("/work-orders/export?format=csv")
            assert len(csv_rows(response)) > 1
        return counter.count

    add(2, 0)
    few = statements()
    add(20, 100)
    many = statements()
    assert few == many, (few, many)


def test_export_refuses_an_unknown_format_and_users_without_the_permission(export_data, client_as):
    assert export_data["client"].get("/work-orders/export?format=pdf").status_code == 400
    assert export_data["client"].get("/work-orders/export").status_code == 200  # CSV by default
    assert client_as("technician").get("/work-orders/export?format=csv").status_code == 403
    assert client_as("requester").get("/work-orders/export?format=xlsx").status_code == 403


def test_list_page_links_board_calendar_and_exports_with_the_filters(client_as):
    manager = client_as("manager")
    page = manager.get("/work-orders?q=pump&page=2").get_data(as_text=True)
    assert 'href="/work-orders/board?q=pump"' in page
    assert 'href="/work-orders/calendar?q=pump"' in page
    assert 'href="/work-orders/export?format=csv&amp;q=pump"' in page
    assert 'href="/work-orders/export?format=xlsx&amp;q=pump"' in page

    technician_page = client_as("technician").get("/work-orders").get_data(as_text=True)
    assert 'href="/work-orders/board"' in technician_page
    assert "/work-orders/export" not in technician_page
