"""The reseller prices a visitor of the store sees: those of the distributor his order would be
attributed to, so the price shown is the price charged (E-commerce Law Art. 49). A signed-in
customer sees his binding's reseller's prices (``sales.checkout``, as placing charges them); a
visitor not yet signed in, those of the distributor whose share link brought him, or of the
micro-store he is in. Computed once per request; no query for a visitor no distributor brought."""

from django.utils import timezone

from weishang.catalog.rules import Price
from weishang.catalog.selectors import sku_price
from weishang.distribution.binding import REF_COOKIE, read_ref_cookie
from weishang.distribution.models import Distributor
from weishang.distribution.tokens import PARAM, read_token
from weishang.reseller import pricing as reseller_pricing
from weishang.sales import checkout as sales_checkout


def _brought_by(request) -> int | None:
    token = read_token(request.GET.get(PARAM))
    if token is None:
        pending = read_ref_cookie(request.COOKIES.get(REF_COOKIE))
        token = read_token(pending.token) if pending else None
    return token.distributor_id if token else None


def for_request(request, *, store: Distributor | None = None) -> dict:
    """``{sku_id: Resale}`` for this visitor; ``store`` is the micro-store he is browsing."""
    if hasattr(request, "_resales"):
        return request._resales
    user = request.user
    customer = getattr(user, "customer", None) if user.is_authenticated else None
    if customer is not None:
        resales = sales_checkout.resales_for_customer(customer, timezone.now())
    else:
        brought_by = _brought_by(request)
        if brought_by is not None and (store is None or store.pk != brought_by):
            store = Distributor.objects.filter(pk=brought_by).first()
        resales = reseller_pricing.resales_for(store)
    request._resales = resales
    return resales


def his_lowest_price(distributor: Distributor, product) -> Price | None:
    """The cheapest price of the product's active SKUs for a buyer he brings: his own where he
    resells a SKU, the brand's elsewhere; None for no product, or when he resells none of it
    (then the brand's price is drawn, as before). One query."""
    if product is None:
        return None
    skus = [sku for sku in product.skus.all() if sku.is_active]
    resales = reseller_pricing.resales_for(distributor, [sku.pk for sku in skus])
    if not resales:
        return None
    prices = [resales[s.pk].price if s.pk in resales else sku_price(s) for s in skus]
    return min(prices, key=lambda price: price.amount_fen)
