"""Views: parts used on a work order (issued from stock, returned to it)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cube.edge import act
from cube.i18n import number
from cube.models import PartUsage
from cube.permissions import requires
from cube.products.forms import location_options
from cube.workorders import parts, services
from cube.workorders.blueprint import bp
from cube.workorders.forms import PartForm, ReturnForm
from cube.workorders.pages import detail_at, refused

ANCHOR = "parts"


@bp.route("/<int:work_order_id>/parts", methods=["POST"])
@requires("workorder.work")
def use_part(work_order_id: int) -> Response:
    """Use a catalog part: stock is issued from the chosen location at today's unit cost."""
    work_order = services.get_visible(current_user, work_order_id)
    form = PartForm(prefix="part")
    form.location_id.choices = location_options(blank=_("Choose a location"), active_only=True)
    if not form.validate_on_submit():
        return refused(work_order.id, ANCHOR, form)

    def run() -> PartUsage:
        product_id = services.product_id_for_sku(form.product_sku.data) or 0
        return parts.use_part(
            current_user, work_order, product_id, form.location_id.data or 0, form.quantity.data or Decimal(0)
        )

    return act(
        run,
        success=lambda usage: _(
            "%(quantity)s × %(sku)s used from %(location)s.",
            quantity=number(usage.quantity),
            sku=usage.product.sku,
            location=usage.location.path,
        ),
        redirect_to=detail_at(work_order.id, ANCHOR),
    )


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
