"""Spreadsheet-safe CSV and XLSX downloads, streamed."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator

from flask import Response, stream_with_context
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Where ';' is the list separator a spreadsheet splits a CSV line at every ';', quotes or not: a formula
# character right after one would start a live cell, so that piece gets the same leading quote.
SPLIT_FORMULA = re.compile(r';(?=[\s"]*[=+\-@])')

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_CELL_MAX = 32_767  # Excel refuses to open a file with a longer cell
XLSX_CHUNK = 64 * 1024
XLSX_MEMORY = 8 * 1024 * 1024  # a bigger workbook is spooled to a temporary file


def neutralise(value: object) -> str:
    """The cell as text, with a leading quote when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _csv_cell(value: object) -> str:
    """A CSV field: neutralised at its start and after every ';' that could begin a cell."""
    return SPLIT_FORMULA.sub(";'", neutralise(value))


def _csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    buffer = io.StringIO()
    # Every field quoted: where ';' is the list separator an unquoted "x;=2+3;" would split into a live formula cell.
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    yield "\ufeff"  # byte-order mark so spreadsheet programs read UTF-8
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_response(rows: Iterable[Iterable[object]], filename: str) -> Response:
    """Stream ``rows`` as a CSV attachment."""
    response = Response(stream_with_context(_csv_lines(rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: object, *, bold: bool = False) -> Cell:
    """A text cell: characters XML cannot hold removed, neutralised, and never a formula."""
    text = "" if value is None else str(value)
    text = neutralise(ILLEGAL_CHARACTERS_RE.sub("", text))[:XLSX_CELL_MAX]
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # plain text whatever it looks like (openpyxl would store "=..." as a formula)
    if bold:
        cell.font = Font(bold=True)
    return cell


def _xlsx_chunks(rows: Iterable[Iterable[object]], sheet_title: str) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    with tempfile.SpooledTemporaryFile(max_size=XLSX_MEMORY) as buffer:
        try:
            for number, row in enumerate(rows):
                sheet.append([_xlsx_cell(sheet, value, bold=number == 0) for value in row])
            workbook.save(buffer)
        except BaseException:
            _discard_sheet(sheet)
            raise
        buffer.seek(0)
        while chunk := buffer.read(XLSX_CHUNK):
            yield chunk


def _discard_sheet(sheet: WriteOnlyWorksheet) -> None:
    """Close and remove the temporary file openpyxl spools rows to, when the export fails half-way."""
    with contextlib.suppress(Exception):
        sheet.close()
    writer = getattr(sheet, "_writer", None)  # openpyxl keeps it private; best effort only
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.cleanup()


def xlsx_response(rows: Iterable[Iterable[object]], filename: str, *, sheet_title: str = "") -> Response:
    """Stream ``rows`` (header first, in bold) as an XLSX attachment of text cells (one sheet, "Export" by default)."""
    title = sheet_title or _("Export")
    response = Response(stream_with_context(_xlsx_chunks(rows, title)), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
