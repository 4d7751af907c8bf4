"""The layout every page draws: who is signed in, and the menu they may see, looked up once per page.

The menu depends only on the language, the person's permissions and where the app is mounted, so it
is worked out once per process for each such combination (translated words and URLs included), not
once per page with a ``can()``, a ``url_for`` and a translation per entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import request, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from cube.i18n import current_language
from cube.models import User


@dataclass(frozen=True)
class Link:
    """One menu entry as drawn: the words, the address, its icon, and the pages that make it active."""

    label: str
    url: str
    icon: str = ""
    active_on: frozenset[str] = frozenset()  # endpoints and blueprint names
    testid: str = ""
    divider_before: bool = False

    def is_active(self) -> bool:
        """True on the pages this entry leads to."""
        return request.endpoint in self.active_on or request.blueprint in self.active_on


@dataclass(frozen=True)
class Menu:
    """The entries one person may see: the bar before the catalogue, the catalogue, the rest, their own menu."""

    main: tuple[Link, ...]
    catalog: tuple[Link, ...]
    admin: tuple[Link, ...]
    personal: tuple[Link, ...]

    @property
    def catalog_active(self) -> bool:
        return request.blueprint == "products"


@dataclass(frozen=True)
class Entry:
    """A menu entry before it is drawn: shown to holders of ``permission`` (None: to everyone)."""

    endpoint: str
    label: LazyString
    permission: str | None = None
    icon: str = ""
    active_on: tuple[str, ...] = ()
    testid: str = ""
    divider_before: bool = False


MAIN = (
    Entry("main.dashboard", _l("Dashboard"), active_on=("main.dashboard",)),
    Entry("workorders.list_work_orders", _l("Work orders"), active_on=("workorders",)),
)
CATALOG = (
    Entry("products.list_products", _l("Products"), "catalog.view", "bi-box"),
    Entry("products.list_assets", _l("Assets"), "catalog.view", "bi-cpu"),
    Entry("products.list_companies", _l("Companies"), "catalog.view", "bi-building"),
    Entry("products.list_locations", _l("Locations"), "catalog.view", "bi-geo-alt"),
    Entry("products.list_categories", _l("Categories"), "catalog.view", "bi-diagram-3"),
    Entry("products.low_stock", _l("Low stock"), "catalog.view", "bi-exclamation-triangle", divider_before=True),
    Entry("products.stock_ledger", _l("Stock ledger"), "catalog.view", "bi-journal-text"),
    Entry("products.import_start", _l("Import CSV"), "catalog.import", "bi-upload"),
)
ADMIN = (
    Entry(
        "users.list_users",
        _l("Users"),
        "user.view",
        active_on=("users.list_users", "users.show_user", "users.edit_user", "users.create_user"),
    ),
    Entry("users.list_teams", _l("Teams"), "team.view", active_on=("users.list_teams", "users.edit_team")),
    Entry("users.roles", _l("Roles"), "role.manage", active_on=("users.roles",)),
    Entry("workflow.list_statuses", _l("Workflow"), "workflow.manage", active_on=("workflow",)),
    Entry("users.audit_log", _l("Audit log"), "audit.view", active_on=("users.audit_log",)),
)
# In this menu, not the bar: the bar keeps to one line at 1200 px in every language.
PERSONAL = (
    Entry("users.profile", _l("Profile"), icon="bi-person"),
    Entry(
        "workorders.checklist_templates",
        _l("Checklist templates"),
        "checklist.manage",
        "bi-ui-checks",
        testid="nav-checklists",
    ),
    Entry("users.site_settings_page", _l("Site settings"), "settings.manage", "bi-gear"),
)


@dataclass(frozen=True)
class Layout:
    """What the layout of this page needs: the signed-in person (None: nobody) and their menu."""

    person: User | None
    menu: Menu | None


def layout() -> Layout:
    """This page's layout (a template global, asked once by base.html)."""
    if not current_user.is_authenticated:
        return Layout(None, None)
    person: User = current_user._get_current_object()
    return Layout(person, _menu(current_language(), person.permissions, request.script_root))


@lru_cache(maxsize=256)
def _menu(_language: str, permissions: frozenset[str], _script_root: str) -> Menu:
    """The menu for holders of ``permissions``, in the language spoken now, for the app mounted here."""

    def links(entries: tuple[Entry, ...]) -> tuple[Link, ...]:
        return tuple(
            Link(str(e.label), url_for(e.endpoint), e.icon, frozenset(e.active_on), e.testid, e.divider_before)
            for e in entries
            if e.permission is None or e.permission in permissions
        )

    catalog = links(CATALOG) if "catalog.view" in permissions else ()  # importing is a catalogue page too
    return Menu(links(MAIN), catalog, links(ADMIN), links(PERSONAL))
