"""What a check or an import found: row counts, new categories and errors."""

from __future__ import annotations

from dataclasses import dataclass, field

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
        return (
            f"{self.rows:,} {_plural(self.rows, 'row')}: {self.new:,} new, "
            f"{self.updates:,} {_plural(self.updates, 'update')}, {self.unchanged:,} unchanged, "
            f"{failed:,} {_plural(failed, 'error')}"
        )

    def add_error(self, row: int, column: str, message: str) -> None:
        """Record a problem on ``row``."""
        self.error_count += 1
        self.error_rows.add(row)
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, message))


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"
