"""The parts table names each stock location by its full path, without a query per location level."""

from __future__ import annotations

from collections.abc import Callable

from cube.extensions import db
from cube.workorders import parts
from tests.catalog_factories import make_location, make_product, stock
from tests.support import statements_for
from tests.workorder_factories import job_in_progress


def test_part_locations_show_their_path_in_a_fixed_number_of_statements(
    client_as: Callable, make_team: Callable
) -> None:
    job = job_in_progress(client_as("technician"), make_team)
    manager = client_as("manager")  # no parts form, so no list of every location loaded by the page
    product = make_product("BRG-9", "Bearing")
    shelf = make_location("Shelf")
    stock(product, shelf, "10")
    parts.use_part(job.tech, job.work_order, product.id, shelf.id, "1")
    db.session.commit()
    shallow = statements_for(manager, job.base)

    site = make_location("North site")
    building = make_location("Workshop", "building", site)
    room = make_location("Cage", "area", building)
    bin_ = make_location("Bin 7", "area", room)
    stock(product, bin_, "5")
    parts.use_part(job.tech, job.work_order, product.id, bin_.id, "1")
    db.session.commit()

    page = manager.get(job.base).get_data(as_text=True)
    assert "North site &gt; Workshop &gt; Cage &gt; Bin 7" in page
    assert ">Shelf<" in page
    assert statements_for(manager, job.base) == shallow  # four levels deeper, not one query more
