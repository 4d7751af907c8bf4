"""Reading an import file: decoding, the header, the row limit and the data rows in chunks."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from cube.exports import FORMULA_PREFIXES
from cube.i18n import number
from cube.products.imports.columns import COLUMNS, KINDS, REQUIRED

CHUNK_SIZE = 500
LINE_BREAK = re.compile(r"\r\n|\r|\n")
# C0 control characters other than tab, newline and carriage return (and DEL), as the forms strip them.
CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])


class FileProblem(Exception):
    """The file as a whole cannot be imported."""


@dataclass
class Record:
    """One non-empty data row: its spreadsheet row number, its cells and what is wrong with its shape."""

    number: int
    cells: dict[str, str]
    shape_error: str = ""


def scan(kind: str, data: bytes, max_rows: int) -> tuple[str, list[str]]:
    """Decode, check the header and count the rows before any row is looked at (FileProblem otherwise)."""
    if kind not in COLUMNS:
        raise FileProblem(_("Choose what the file contains: %(kinds)s.", kinds=", ".join(KINDS)))
    text = _decode(data)
    reader = _reader(text)
    names = _header(kind, reader)
    count = 0
    try:
        for raw in reader:
            cells = [value for value in raw.values() if isinstance(value, str)] + (raw.get(None) or [])
            if any(value.strip() for value in cells):
                count += 1
                if count > max_rows:
                    raise FileProblem(
                        _(
                            "The file has more than %(rows)s rows. Split it into files of at most %(rows)s rows "
                            "and import them one after the other.",
                            rows=number(max_rows),
                        )
                    )
    except csv.Error as exc:
        raise FileProblem(
            _("Line %(line)s cannot be read as CSV: %(error)s.", line=number(reader.line_num), error=exc)
        ) from exc
    if count == 0:
        raise FileProblem(_("The file has a header row but no rows of data."))
    return text, names


def records(text: str, names: list[str]) -> Iterator[Record]:
    """Each non-empty data row with its spreadsheet row number (csv.Error propagates)."""
    reader = _reader(text)
    _header_row = reader.fieldnames  # read the header line
    reader.fieldnames = names
    number, lines_read = 1, reader.line_num
    for raw in reader:
        extra = raw.pop(None, None) or []  # cells beyond the header (DictReader's restkey)
        # DictReader skips blank lines; a spreadsheet shows them as rows, so count them.
        breaks = _line_breaks(raw.values()) + _line_breaks(extra)
        number += 1 + max(0, reader.line_num - lines_read - 1 - breaks)
        lines_read = reader.line_num
        cells = {name: _cell(value) for name, value in raw.items() if isinstance(value, str)}
        shape_error = _shape_error(cells, extra, len(names))
        cells = {name: value for name, value in cells.items() if not name.startswith("\x00")}
        if not shape_error and not any(cells.values()):
            continue  # an empty row
        yield Record(number, cells, shape_error)


def chunks(rows: Iterable[Record]) -> Iterator[list[Record]]:
    """The records in lists of at most CHUNK_SIZE."""
    chunk: list[Record] = []
    for record in rows:
        chunk.append(record)
        if len(chunk) >= CHUNK_SIZE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")  # a leading byte-order mark is fine
    except UnicodeDecodeError as exc:
        raise FileProblem(
            _(
                "The file is not UTF-8 text (byte %(byte)s cannot be read). "
                "Save it as “CSV UTF-8” (comma-separated) and upload it again.",
                byte=number(exc.start + 1),
            )
        ) from exc
    if "\x00" in text:
        raise FileProblem(
            _(
                "The file is not UTF-8 text (it contains NUL bytes: it may be a spreadsheet, an image or UTF-16 "
                "text). Save it as “CSV UTF-8” (comma-separated) and upload it again."
            )
        )
    if not text.strip():
        raise FileProblem(_empty())
    return text


def _empty() -> str:
    return _("The file is empty. It needs a header row and at least one row of data.")


def _reader(text: str) -> csv.DictReader[str]:
    return csv.DictReader(io.StringIO(text, newline=""), strict=True)


def _unnamed(position: int) -> str:
    """The internal name of a column whose header cell is blank (no real name can contain NUL)."""
    return f"\x00{position}"


def _header(kind: str, reader: csv.DictReader[str]) -> list[str]:
    """The normalised column names, or FileProblem naming what is wrong with them."""
    try:
        raw = reader.fieldnames
    except csv.Error as exc:
        raise FileProblem(_("The header row cannot be read as CSV: %(error)s.", error=exc)) from exc
    if not raw:
        raise FileProblem(_empty())
    names = [name.translate(CONTROL).strip().lower() or _unnamed(n) for n, name in enumerate(raw, start=1)]
    known = [name for name in names if not name.startswith("\x00")]
    problems = []
    missing = [column for column in REQUIRED[kind] if column not in known]
    if missing:
        problems.append(_("Missing required columns: %(columns)s.", columns=", ".join(missing)))
    unknown = [name for name in known if name not in COLUMNS[kind]]
    if unknown:
        # Translators: "kind" is the file's kind as the import names it: companies, products or assets.
        problems.append(
            _(
                "Unknown columns: %(unknown)s. The columns for %(kind)s are: %(columns)s.",
                unknown=", ".join(unknown[:20]),
                kind=kind,
                columns=", ".join(COLUMNS[kind]),
            )
        )
    twice = sorted({name for name in known if known.count(name) > 1})
    if twice:
        problems.append(_("These columns appear more than once: %(columns)s.", columns=", ".join(twice)))
    if problems:
        raise FileProblem(" ".join(problems))
    return names


def _cell(value: str) -> str:
    """A cell's text: control characters removed, a neutralised formula's quote removed, trimmed."""
    text = value.translate(CONTROL)
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return text.strip()


def _line_breaks(values: Iterable[Any]) -> int:
    return sum(len(LINE_BREAK.findall(value)) for value in values if isinstance(value, str))


def _shape_error(cells: dict[str, str], extra: list[str], columns: int) -> str:
    if any(_cell(value) for value in extra):
        return _cells_and_columns(columns + len(extra), columns)
    if len(cells) < columns:
        return _cells_and_columns(len(cells), columns)
    unnamed = [name[1:] for name, value in cells.items() if name.startswith("\x00") and value]
    if unnamed:
        return _(
            "Column %(column)s has no name in the header, but this row has a value in it.", column=", ".join(unnamed)
        )
    return ""


def _cells_and_columns(cells: int, columns: int) -> str:
    """A row whose number of cells differs from the header's number of columns."""
    return ngettext(
        "This row has %(count)s cell but the header has %(columns)s columns.",
        "This row has %(count)s cells but the header has %(columns)s columns.",
        cells,
        count=number(cells),
        columns=number(columns),
    )
