"""The work order pages on a phone: filters behind a button with removable chips, cards for rows, key facts first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from cube.extensions import db
from tests.workorder_factories import make_work_order, status_named

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    """An element of the parsed page: its tag, attributes, children and text."""

    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The element's text, whitespace collapsed."""
        return " ".join("".join(self._texts()).split())

    def _texts(self) -> list[str]:
        """Text of this element and its descendants in order."""
        out = list(self.parts)
        for child in self.children:
            out.extend(child._texts())
        return out

    def all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Descendants with ``tag`` (any if None) whose attributes equal ``attrs`` (``data_testid`` for data-testid)."""
        wanted = {key.replace("_", "-"): value for key, value in attrs.items()}
        found = []
        for child in self.children:
            if (tag is None or child.tag == tag) and all(child.attrs.get(k) == v for k, v in wanted.items()):
                found.append(child)
            found.extend(child.all(tag, **attrs))
        return found

    def one(self, tag: str | None = None, **attrs: str) -> Node:
        """The single descendant matching."""
        found = self.all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]

    def classes(self) -> set[str]:
        """The element's classes."""
        return set(self.attrs.get("class", "").split())


class TreeBuilder(HTMLParser):
    """A small HTML tree (enough for these pages)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        holder = self.stack[-1]
        holder.children.append(Node("#text", {}, parts=[data]))


def tree(response) -> Node:  # type: ignore[no-untyped-def]
    """The parsed page of a 200 response."""
    assert response.status_code == 200, response.status_code
    builder = TreeBuilder()
    builder.feed(response.get_data(as_text=True))
    return builder.root


def query_of(url: str) -> list[tuple[str, str]]:
    """The query pairs of ``url``, in order."""
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def facts_of(card: Node) -> dict[str, str]:
    """A card's facts: term -> value."""
    return dict(zip([dt.text for dt in card.all("dt")], [dd.text for dd in card.all("dd")], strict=True))


def test_filters_in_use_are_counted_and_each_is_a_chip_that_removes_it(client_as):
    supervisor = client_as("supervisor")
    new = status_named("New")
    make_work_order(supervisor.user, "Pump seal", due_at=datetime(2026, 1, 6, 9, tzinfo=UTC))
    make_work_order(supervisor.user, "Fan belt")
    url = f"/work-orders?view=my&q=pump&status={new.id}&due_from=2026-01-05&sort=due&page=2&assignee="
    page = tree(supervisor.get(url))

    panel = page.one("details", data_testid="filter-panel")
    assert "open" not in panel.attrs  # collapsed: the list comes first
    assert panel.one("summary").text.startswith("Filters 3")
    count = page.one(data_testid="filter-count")
    assert count.one("span", aria_hidden="true").text == "3"  # seen
    assert count.one("span", **{"class": "visually-hidden"}).text == "3 filters in use"  # heard
    chips = {chip.attrs["data-testid"]: chip for chip in page.one(data_testid="filter-chips").all("a")}
    assert set(chips) == {"chip-q", "chip-status", "chip-due_from", "clear-filters"}
    assert chips["chip-q"].text == "Search: pump"
    assert chips["chip-status"].text == "Status: New"
    assert chips["chip-due_from"].text == "Due from: 2026-01-05"
    assert chips["chip-status"].attrs["aria-label"] == "Remove the filter Status: New"
    everything = [("view", "my"), ("q", "pump"), ("status", str(new.id)), ("due_from", "2026-01-05"), ("sort", "due")]
    for key in ("q", "status", "due_from"):
        href = chips[f"chip-{key}"].attrs["href"]
        assert urlsplit(href).path == "/work-orders"
        # Only that filter goes (and the page number, which belonged to the old result); the rest stay in order.
        assert [pair for pair in query_of(href) if pair[1]] == [pair for pair in everything if pair[0] != key]
    clear = chips["clear-filters"].attrs["href"]
    assert [pair for pair in query_of(clear) if pair[1]] == [("view", "my"), ("sort", "due")]

    # Following a chip's link shows the list without that filter: two chips left.
    after = tree(supervisor.get(chips["chip-q"].attrs["href"]))
    assert after.one(data_testid="filter-count").text.startswith("22 filters")
    assert {a.attrs["data-testid"] for a in after.one(data_testid="filter-chips").all("a")} == {
        "chip-status",
        "chip-due_from",
        "clear-filters",
    }


def test_no_chips_without_filters_nor_for_values_the_list_ignores(client_as):
    supervisor = client_as("supervisor")
    make_work_order(supervisor.user, "Pump seal")
    for url in (
        "/work-orders",
        "/work-orders?view=all-the-things&sort=due",
        "/work-orders?status=abc&due_from=yesterday&category=<x>&product=x&asset=-1&q=%20%20&team=",
    ):
        page = tree(supervisor.get(url))
        assert page.one("details", data_testid="filter-panel").one("summary").text == "Filters", url
        assert not page.all(data_testid="filter-count"), url
        assert not page.all(data_testid="filter-chips"), url
        assert "Pump seal" in page.one(data_testid="work-order-cards").text, url  # nothing was filtered


def test_choice_filters_show_their_names_and_carried_ids_their_number(client_as, make_user):
    supervisor = client_as("supervisor")
    tech = make_user("technician", name="Tia Tech")
    make_work_order(supervisor.user, "Pump seal", assignees=(tech,))
    page = tree(supervisor.get(f"/work-orders?assignee={tech.id}&category=open&product=7&created_to=2026-02-01"))
    texts = {a.attrs["data-testid"]: a.text for a in page.one(data_testid="filter-chips").all("a")}
    assert texts == {
        "chip-category": "Stage: Open",
        "chip-assignee": "Assignee: Tia Tech",
        "chip-product": "Product id: 7",
        "chip-created_to": "Created to: 2026-02-01",
        "clear-filters": "Clear all",
    }


def test_each_row_is_also_a_card_for_small_screens(client_as, make_user):
    supervisor = client_as("supervisor")
    tech = make_user("technician", name="Tia Tech")
    first = make_work_order(
        supervisor.user, "Pump seal", assignees=(tech, supervisor.user), due_at=datetime(2026, 3, 2, 14, tzinfo=UTC)
    )
    second = make_work_order(supervisor.user, "Fan belt")
    page = tree(supervisor.get("/work-orders"))

    # The table is for wide screens, the cards for small ones: each copy is display:none at the other size.
    table = page.one("table", data_testid="work-order-table")
    wrapper = next(node for node in page.all("div") if table in node.children)
    assert {"d-none", "d-md-block"} <= wrapper.classes()
    cards = page.one("ul", data_testid="work-order-cards")
    assert "d-md-none" in cards.classes()
    numbers = [card.attrs["data-testid"] for card in cards.all("li")]
    assert numbers == [f"wo-card-{second.number}", f"wo-card-{first.number}"]

    card = cards.one("li", data_testid=f"wo-card-{first.number}")
    link = card.one("a")
    assert (link.text, link.attrs["href"]) == (first.number, f"/work-orders/{first.id}")
    assert card.one(data_testid="card-status").text == "New"
    assert "Pump seal" in card.text
    facts = facts_of(card)
    assert facts["Priority"] == first.priority.name
    assert facts["Assignees"] in {f"Tia Tech, {supervisor.user.name}", f"{supervisor.user.name}, Tia Tech"}
    assert facts["Due"].startswith("2026-03-02")
    assert facts_of(cards.one("li", data_testid=f"wo-card-{second.number}"))["Due"] == "—"

    # The supervisor may change work orders in bulk: each card has its own checkbox (ids unique on the page).
    boxes = card.all("input", type="checkbox")
    assert [(box.attrs["name"], box.attrs["value"]) for box in boxes] == [("ids", str(first.id))]
    ids = [node.attrs["id"] for node in page.all() if "id" in node.attrs]
    assert len(ids) == len(set(ids))


def test_cards_for_someone_without_bulk_changes_have_no_checkbox_and_an_empty_list_shows_the_table(client_as):
    requester = client_as("requester")
    page = tree(requester.get("/work-orders"))
    assert not page.all(data_testid="work-order-cards")
    table = page.one("table", data_testid="work-order-table")
    wrapper = next(node for node in page.all("div") if table in node.children)
    assert "d-none" not in wrapper.classes()  # the empty state shows at every width
    make_work_order(requester.user, "Door sticks")
    page = tree(requester.get("/work-orders"))
    assert not page.one(data_testid="work-order-cards").all("input")


def test_board_and_calendar_filters_are_chips_too_and_the_calendar_keeps_its_month(client_as):
    supervisor = client_as("supervisor")
    new = status_named("New")
    board = tree(supervisor.get(f"/work-orders/board?q=pump&status={new.id}"))
    assert board.one(data_testid="filter-count").text == "22 filters in use"  # "2" shown, "2 filters in use" heard
    chips = {a.attrs["data-testid"]: a.attrs["href"] for a in board.one(data_testid="filter-chips").all("a")}
    # The status filter is carried from the list (no field for it here), yet it is in force, so it is shown.
    assert chips["chip-status"] == "/work-orders/board?q=pump"
    assert chips["chip-q"] == f"/work-orders/board?status={new.id}"

    calendar = tree(supervisor.get("/work-orders/calendar?month=2026-02&q=pump"))
    chips = {a.attrs["data-testid"]: a.attrs["href"] for a in calendar.one(data_testid="filter-chips").all("a")}
    same_month = "/work-orders/calendar?month=2026-02"
    assert chips == {"chip-q": same_month, "clear-filters": same_month}


def test_detail_page_puts_the_key_facts_before_the_description_and_timeline(client_as):
    supervisor = client_as("supervisor")
    work_order = make_work_order(supervisor.user, "Pump seal", description="Leaks at the shaft.")
    db.session.commit()
    html = supervisor.get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    positions = [
        html.index('data-testid="work-order-status"'),
        html.index('id="actions-heading"'),  # next steps
        html.index('data-testid="assignees"'),
        html.index(">Due<"),
        html.index(">Location<"),
        html.index(">Description<"),
        html.index('id="timeline-heading"'),
    ]
    assert positions == sorted(positions)
    # From 992 px the main column goes back to the left of the facts.
    assert '<div class="col-lg-8 order-lg-first">' in html
