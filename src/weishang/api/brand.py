"""The brand's side of the API, for integrations holding a staff API key: each operation belongs
to a console route and is open to the roles the console's matrix (``console.roles``) lets use
that route with the same method, so a key can do exactly what its role can do in the console."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from weishang.console import roles
from weishang.orders import selectors as order_selectors
from weishang.orders.models import OrderStatus
from weishang.payments import selectors as payment_selectors

from . import auth
from .errors import ERRORS, ApiError
from .pagination import PageParams, page
from .schemas import Text

# Each operation's console route (by the operation's name, which is its URL's name): its role
# check is that route's.
CONSOLE_ROUTES: dict[str, str] = {}


def console_route(route: str):
    """Names the console route whose role check applies to this operation."""

    def decorate(view):
        CONSOLE_ROUTES[view.__name__] = route
        return view

    return decorate


class ConsoleRoleKeyAuth(auth.StaffKeyAuth):
    """A staff API key whose role may use the operation's console route with this method,
    checked before the request's input is read, as the console's middleware checks a page
    before its form: a role that may not act is refused whatever it sent. An operation without
    a route is refused to every role."""

    def authenticate(self, request, key):
        found = super().authenticate(request, key)
        if found is None:
            return None
        match = getattr(request, "resolver_match", None)
        route = CONSOLE_ROUTES.get(match.url_name if match else "", "")
        if not roles.can(found.role, route, request.method):
            area = roles.area_of(route)
            raise ApiError(
                _("Your role may not do this: %(area)s") % {"area": area.label}
                if area
                else _("You may not do this."),
                code="forbidden",
                status=403,
            )
        return found


router = Router(tags=["brand"], auth=ConsoleRoleKeyAuth())


class BrandOrder(Schema):
    number: str
    status: str
    status_label: str
    refund_in_progress: bool
    total_fen: int
    placed_at: datetime
    mobile: str = Field(description="The customer's mobile, masked unless the role ships.")
    recipient: str = Field(description="Masked unless the role ships, takes returns or complaints.")
    line_count: int


class BrandOrderPage(Schema):
    items: list[BrandOrder]
    next_cursor: str | None


def _order_row(order, *, full: bool) -> dict:
    mobile, recipient = roles.order_contact(order, full=full)
    return {
        "number": order.number,
        "status": order.status,
        "status_label": order.get_status_display(),
        "refund_in_progress": order.refund_in_progress,
        "total_fen": order.total_fen,
        "placed_at": order.placed_at,
        "mobile": mobile,
        "recipient": recipient,
        "line_count": order.line_count,
    }


@router.get("/orders", response={200: BrandOrderPage, **ERRORS})
@console_route("order_list")
def brand_orders(
    request,
    params: PageParams,
    status: OrderStatus | None = None,
    q: Text(40) = "",
):
    """Every order, newest first, optionally of one status or matching ``q`` (part of an order
    number or a mobile), as the console's order list."""
    full = roles.role_sees_full_customer_data(request.auth.role)
    found = payment_selectors.with_refund_in_progress(
        order_selectors.search_orders_for_console(status=status, query=q)
    )
    return page(
        found,
        params,
        ordering=("-placed_at", "-pk"),
        row=lambda order: _order_row(order, full=full),
    )
