"""Views: parts used on a work order (issued from stock, returned to it), and the part picker's look-ups."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.edge import REFUSED, act, save_form
from cube.i18n import number
from cube.models import PartUsage
from cube.permissions import requires
from cube.workorders import part_picker, parts, services
from cube.workorders.blueprint import bp
from cube.workorders.forms import PartForm, ReturnForm
from cube.workorders.pages import detail_at, detail_page, refused

ANCHOR = "parts"


@bp.route("/<int:work_order_id>/parts", methods=["POST"])
@requires("workorder.work")
def use_part(work_order_id: int) -> Response:
    """Use a catalog part: stock is issued from the chosen location at today's unit cost.

    "Show stock" (or "Find" in a large catalog) shows the page again with the product's stock per location
    and uses nothing; a refusal shows the page again (422) with everything typed still in the form.
    """
    work_order = services.get_visible(current_user, work_order_id)
    form = PartForm(prefix="part")

    def run() -> PartUsage:
        return parts.use_part(
            current_user,
            work_order,
            form.product_id.data or 0,
            form.location_id.data or 0,
            form.quantity.data or Decimal(0),
        )

    def used(usage: PartUsage) -> str:
        return _(
            "%(quantity)s × %(sku)s used from %(location)s.",
            quantity=number(usage.quantity),
            sku=usage.product.sku,
            location=usage.location.path,
        )

    back = detail_at(work_order.id, ANCHOR)
    if not parts.can_use_parts(current_user, work_order):  # the page shows no form to refuse in: say why up top
        return act(run, success=used, redirect_to=back)
    looking = bool(form.look.data)
    g.part_picker = part_picker.prepare(form, default_location_too=looking, open=True)
    if looking:
        return detail_page(work_order.id, 200)
    if not form.validate_on_submit():
        return detail_page(work_order.id, REFUSED)
    return save_form(form, run, success=used, redirect_to=back) or detail_page(work_order.id, REFUSED)


@bp.route("/<int:work_order_id>/parts/<int:usage_id>/return", methods=["POST"])
@requires("workorder.work")
def return_part(work_order_id: int, usage_id: int) -> Response:
    """Return unused parts of a usage to the location they came from."""
    work_order = services.get_visible(current_user, work_order_id)
    usage = parts.get_usage(work_order, usage_id)
    form = ReturnForm(prefix=f"return-{usage.id}")
    if not form.validate_on_submit():
        return refused(work_order.id, ANCHOR, form)
    return act(
        lambda: parts.return_part(current_user, work_order, usage, form.quantity.data or Decimal(0)),
        success=lambda returned: _(
            "%(quantity)s × %(sku)s returned to stock.", quantity=number(-returned.quantity), sku=usage.product.sku
        ),
        redirect_to=detail_at(work_order.id, ANCHOR),
    )


@bp.route("/parts/search")
@requires("workorder.work")
def search_parts() -> Response:
    """The picker's search in a large catalog: at most 20 active products whose SKU or name starts with ``q``."""
    found = part_picker.search(request.args.get("q", ""))
    return jsonify(results=[{"value": p.id, "text": part_picker.product_label(p)} for p in found])


@bp.route("/parts/<int:product_id>/stock")
@requires("workorder.work")
def part_stock(product_id: int) -> Response:
    """The picker's stock look-up: a product's active locations with what each holds, best-stocked first."""
    product = part_picker.active_product(product_id)
    if product is None:
        abort(404)
    places = part_picker.places_for(product)
    return jsonify(
        product_id=product.id,
        default_location_id=part_picker.default_location(places),
        locations=[
            {"value": p.id, "text": p.label, "on_hand": f"{p.on_hand.normalize():f}", "in_stock": p.on_hand > 0}
            for p in places
        ],
        groups={"in_stock": _("In stock"), "elsewhere": _("No stock here")},
    )
