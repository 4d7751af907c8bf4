"""What a check or an import found: row counts, new categories and errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

from cube.i18n import number

MAX_REPORTED_ERRORS = 500


@dataclass(frozen=True)
class RowError:
    """A problem with one cell (or a whole row when ``column`` is empty)."""

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    """What a check or an import found: counts, new categories and errors."""

    kind: str
    rows: int = 0
    new: int = 0
    updates: int = 0
    unchanged: int = 0
    file_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # the first MAX_REPORTED_ERRORS
    error_rows: set[int] = field(default_factory=set)
    error_count: int = 0
    new_categories: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row can be imported."""
        return not self.file_errors and not self.error_count

    @property
    def more_errors(self) -> int:
        """How many errors were found beyond those listed."""
        return self.error_count - len(self.errors)

    def summary(self) -> str:
        """ "N rows: X new, Y updates, U unchanged, Z errors" (Z counts rows with errors)."""
        failed = len(self.error_rows)
        # Translators: the parts of an import's summary, "2 rows: 1 new, 0 updates, 0 unchanged, 1 error".
        return _(
            "%(rows)s: %(new)s, %(updates)s, %(unchanged)s, %(errors)s",
            rows=ngettext("%(count)s row", "%(count)s rows", self.rows, count=number(self.rows)),
            # Translators: rows that will create a new record.
            new=ngettext("%(count)s new", "%(count)s new", self.new, count=number(self.new)),
            updates=ngettext("%(count)s update", "%(count)s updates", self.updates, count=number(self.updates)),
            # Translators: rows that are the same as the saved record.
            unchanged=ngettext(
                "%(count)s unchanged", "%(count)s unchanged", self.unchanged, count=number(self.unchanged)
            ),
            errors=ngettext("%(count)s error", "%(count)s errors", failed, count=number(failed)),
        )

    def add_error(self, row: int, column: str, message: str) -> None:
        """Record a problem on ``row``."""
        self.error_count += 1
        self.error_rows.add(row)
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, message))
