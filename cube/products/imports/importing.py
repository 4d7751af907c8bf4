"""The dry run and the import: every row of a file checked, then written in the caller's transaction."""

from __future__ import annotations

import csv
from typing import Any

from flask_babel import gettext as _

from cube import audit
from cube.actors import Actor, require
from cube.errors import ValidationFailed
from cube.products import assets as asset_service
from cube.products.catalog import require_manager
from cube.products.imports.assets import AssetRows
from cube.products.imports.companies import CompanyRows
from cube.products.imports.products import Categories, ProductRows
from cube.products.imports.reading import FileProblem, chunks, records, scan
from cube.products.imports.result import ImportResult
from cube.products.imports.rows import Kind, Row


def check_file(kind: str, data: bytes, *, max_rows: int) -> ImportResult:
    """Dry run: read and check every row of a CSV file of ``kind`` without writing anything."""
    return _run(kind, data, max_rows, writer=None)


def import_file(actor: Actor, kind: str, data: bytes, *, max_rows: int) -> ImportResult:
    """Check the whole file, then create or update every row; when ``ok`` is False the caller must roll back.

    Needs ``catalog.import``, and ``catalog.manage`` as well: every row is written through the catalog
    services, so an import cannot change what its author could not change by hand.
    """
    require(actor, "catalog.import", _("You may not import into the catalog."))
    require_manager(actor)
    checked = _run(kind, data, max_rows, writer=None)
    if not checked.ok:
        return checked
    result = _run(kind, data, max_rows, writer=actor)
    if result.ok:
        audit.record(
            "catalog.imported",
            actor=actor,
            kind=kind,
            rows=result.rows,
            new=result.new,
            updates=result.updates,
            unchanged=result.unchanged,
        )
    return result


def _handler(kind: str, header: frozenset[str], result: ImportResult) -> Kind:
    if kind == "companies":
        return CompanyRows(header)
    if kind == "products":
        return ProductRows(header, Categories(), result.new_categories)
    locations = {node.path: node.id for node, _ in asset_service.location_tree()}
    return AssetRows(header, locations)


def _same(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return all(before.get(name) == value for name, value in after.items())


def _run(kind: str, data: bytes, max_rows: int, *, writer: Actor | None) -> ImportResult:
    """Check every row; with a ``writer`` also create or update them as that actor (None: a dry run)."""
    result = ImportResult(kind=kind)
    try:
        text, names = scan(kind, data, max_rows)
    except FileProblem as exc:
        result.file_errors.append(str(exc))
        return result
    header = frozenset(names)
    handler = _handler(kind, header, result)
    try:
        for chunk in chunks(records(text, names)):
            rows = [Row(kind, record, header) for record in chunk]
            handler.prefetch(rows)
            for row in rows:
                result.rows += 1
                plan = handler.plan(row)
                for column, message in row.errors:
                    result.add_error(row.number, column, message)
                if plan is None:
                    continue
                unchanged = plan.record is not None and plan.category_path is None
                if unchanged and _same(handler.current(plan.record), plan.values):
                    result.unchanged += 1
                    continue
                if plan.record is None:
                    result.new += 1
                else:
                    result.updates += 1
                if writer is not None:
                    try:
                        handler.apply(writer, plan)
                    except ValidationFailed as exc:
                        result.add_error(plan.row, handler.column_of(exc.field), exc.message)
                        return result  # the caller rolls back: nothing of this import is kept
    except csv.Error as exc:  # scan read the same text, so this is not expected
        result.file_errors.append(_("The file cannot be read as CSV: %(error)s.", error=exc))
    return result
