"""Issue 8, finding 10: CSV exports quote every field, so a ';' inside a value never starts a new
(formula) cell where ';' is the list separator, and leading formula characters stay neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from cube.extensions import db
from tests.catalog_factories import make_asset, make_company, make_product
from tests.workorder_factories import make_work_order

SEMICOLON = "x;=2+3;"
NEUTRALISED = "x;'=2+3;"
FORMULA = "=2+3"
FORMULA_START = ("=", "+", "-", "@")


def _records(kind: str, make_user) -> str:
    """Create two records of ``kind`` named with the hostile texts; the export's URL."""
    if kind == "work-orders":
        requester = make_user("requester")
        make_work_order(requester, SEMICOLON)
        make_work_order(requester, FORMULA)
        return "/work-orders/export?format=csv"
    if kind == "products":
        make_product("P-1", SEMICOLON)
        make_product("P-2", FORMULA)
        return "/products/export?format=csv"
    if kind == "companies":
        make_company(SEMICOLON)
        make_company(FORMULA)
        return "/companies/export?format=csv"
    if kind == "assets":
        product = make_product("P-9", "Pump")
        make_asset(product, "SN-1", name=SEMICOLON)
        make_asset(product, "SN-2", name=FORMULA)
        return "/assets/export?format=csv"
    make_user("requester", name=SEMICOLON)
    make_user("requester", name=FORMULA)
    return "/users/export.csv"


@pytest.mark.parametrize("kind", ["work-orders", "products", "companies", "assets", "users"])
def test_every_csv_export_quotes_every_field_and_neutralises_formulas(admin_client, make_user, kind):
    url = _records(kind, make_user)
    db.session.commit()
    response = admin_client.get(url)
    assert response.status_code == 200
    text = response.get_data(as_text=True).lstrip("\ufeff")
    lines = text.splitlines()
    assert len(lines) >= 3
    for line in lines:
        # Every field is quoted: the line starts and ends with a quote, and fields are joined by '","'.
        assert line.startswith('"'), line
        assert line.endswith('"'), line
        fields = next(csv.reader([line]))
        assert line == ",".join('"' + field.replace('"', '""') + '"' for field in fields)
    assert f'"{NEUTRALISED}"' in text
    assert f'"\'{FORMULA}"' in text
    assert f'"{FORMULA}"' not in text
    # A spreadsheet whose list separator is ';' splits the line at every ';' whatever the quotes: no piece
    # may start (after blanks and quotes) with a formula character.
    for line in lines:
        for piece in line.split(";"):
            assert not piece.lstrip(' \t"').startswith(FORMULA_START), line
    # Read with ',' the values come back whole, each neutralised.
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert NEUTRALISED in cells
    assert "'" + FORMULA in cells
