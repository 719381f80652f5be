"""The customer's store over JSON (the mini-program's): signing in with a mobile code, the
catalogue, his addresses, reviewing and placing an order, paying, cancelling and returning it.
Each endpoint calls the services and selectors the store's pages call (``storefront.views``)."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from weishang import throttle
from weishang.catalog import selectors as catalog
from weishang.catalog.models import Product
from weishang.customers import services as customers
from weishang.distribution import binding
from weishang.orders import after_sales
from weishang.orders import selectors as order_reads
from weishang.orders import services as orders
from weishang.orders.errors import OrderError
from weishang.orders.models import Order
from weishang.payments import selectors as payment_reads
from weishang.payments import services as payments
from weishang.payments.providers import get_provider
from weishang.sales import checkout as sales_checkout
from weishang.sales import services as sales
from weishang.sales import sign_in
from weishang.storefront.forms import ReturnShipmentForm

from . import auth, idempotency
from .errors import ERRORS, ApiError, not_found
from .pagination import PageParams, page
from .schemas import Id, PathKey, Text

router = Router(tags=["store"])
customer_auth = auth.CustomerAuth()
customer_or_anonymous = auth.CustomerOrAnonymousAuth()

# Signing in --------------------------------------------------------------------------------------


class CodeRequest(Schema):
    mobile: Text(20, min_length=1)


class CodeSent(Schema):
    sent: bool
    demo_code: str | None = Field(None, description="Only where the demo shows the code.")


SHARE_KEPT = Field(
    None,
    description="What POST /share-links/open gave to keep when he opened a distributor's "
    "link before signing in: signing in binds him to that distributor, as of that moment.",
)


class TokenRequest(Schema):
    mobile: Text(20, min_length=1)
    code: Text(6, min_length=1)
    share: Text(1000) | None = SHARE_KEPT


def signed_in_tokens(customer, share: str | None) -> dict:
    """His tokens, once the share link he opened before signing in (if any) has bound him."""
    if share:
        binding.claim_cookie_binding(customer=customer, cookie_value=share)
    return auth.tokens_for(customer.user)


class Tokens(Schema):
    access: str
    refresh: str
    token_type: str
    expires_in: int = Field(description="Seconds the access token is valid.")


class RefreshRequest(Schema):
    refresh: Text(1000, min_length=1)


@router.post("/auth/code", response={200: CodeSent, **ERRORS}, auth=None)
def send_code(request, payload: CodeRequest):
    """Sends a 6-digit sign-in code by SMS (limited per number and per client address)."""
    code = sign_in.send_code(mobile=payload.mobile, client=throttle.client(request))
    return {"sent": True, "demo_code": code if settings.OTP_SHOW_ON_PAGE else None}


@router.post("/auth/token", response={200: Tokens, **ERRORS}, auth=None)
def token(request, payload: TokenRequest):
    """Signs in (or up) with the code; wrong codes are limited per number and per client."""
    customer = sign_in.with_code(
        mobile=payload.mobile, code=payload.code, client=throttle.client(request)
    )
    return signed_in_tokens(customer, payload.share)


@router.post("/auth/refresh", response={200: Tokens, **ERRORS}, auth=None)
def refresh(request, payload: RefreshRequest):
    """A new token pair; the refresh token sent is used up."""
    return auth.refresh(token=payload.refresh, client=throttle.client(request))


@router.post("/auth/logout", response={204: None, **ERRORS})
def logout(request, payload: RefreshRequest):
    """Signs out: the refresh token is revoked."""
    auth.revoke(token=payload.refresh, user=request.customer.user)
    return Status(204, None)


# The catalogue -----------------------------------------------------------------------------------


class CategoryOut(Schema):
    slug: str
    name: str


class SkuOut(Schema):
    id: int
    name: str
    price_fen: int
    list_price_fen: int
    price_ends_at: datetime | None
    available: int = Field(description="Units in stock and not reserved.")


class ProductOut(Schema):
    key: str = Field(description="The product's address key (its slug, or its id).")
    name: str
    category: str
    price_fen: int | None = Field(description="The lowest price of its specifications now.")
    image: str | None


class ProductDetail(ProductOut):
    description: str
    images: list[str]
    skus: list[SkuOut]
    return_class: str = Field(description="How the 7-day no-reason return applies.")
    return_class_label: str
    exclusion_reason: str


class ProductPage(Schema):
    items: list[ProductOut]
    next_cursor: str | None


def _available(sku) -> int:
    stock = getattr(sku, "stock", None)
    return max(stock.on_hand - stock.reserved, 0) if stock else 0


def _resales(request, now, sku_ids=None) -> dict:
    """The SKUs the signed-in customer buys at his reseller's price (what placing his order
    charges); none for a visitor, who sees the brand's prices."""
    return sales_checkout.resales_for_customer(request.customer, now, sku_ids)


def _product(product: Product, now, resales: dict) -> dict:
    prices = [sales_checkout.price_of(sku, now, resales).amount_fen for sku in product.skus.all()]
    images = [image.image.url for image in product.images.all()]
    return {
        "key": product.url_key,
        "name": product.name,
        "category": product.category.slug,
        "price_fen": min(prices, default=None),
        "image": images[0] if images else None,
    }


@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, auth=None)
def categories(request):
    return [
        {"slug": category.slug, "name": category.name}
        for category in catalog.categories_with_published_products()
    ]


PRICED_FOR = (
    " Prices are those the caller's order is charged: a signed-in customer's reseller's own "
    "prices where the distributor he is bound to resells a SKU, the brand's otherwise (and for "
    "a visitor sending no token)."
)


@router.get(
    "/products",
    response={200: ProductPage, **ERRORS},
    auth=customer_or_anonymous,
    description="The published products, a keyset page." + PRICED_FOR,
)
def products(request, params: PageParams, category: Text(50) | None = None):
    now = timezone.now()
    resales = _resales(request, now)
    return page(
        catalog.published_products(category or None),
        params,
        ordering=("position", "pk"),
        row=lambda product: _product(product, now, resales),
    )


@router.get(
    "/products/{key}",
    response={200: ProductDetail, **ERRORS},
    auth=customer_or_anonymous,
    description="A published product with its specifications." + PRICED_FOR,
)
def product(request, key: PathKey):
    try:
        found = catalog.published_product(key)
    except Product.DoesNotExist as exc:
        raise not_found() from exc
    now = timezone.now()
    resales = _resales(request, now, [sku.pk for sku in found.skus.all()])
    skus = []
    for sku in found.skus.all():
        price = sales_checkout.price_of(sku, now, resales)
        skus.append(
            {
                "id": sku.pk,
                "name": sku.name,
                "price_fen": price.amount_fen,
                "list_price_fen": price.list_price_fen,
                "price_ends_at": price.period_ends_at,
                "available": _available(sku),
            }
        )
    return {
        **_product(found, now, resales),
        "description": found.description,
        "images": [image.image.url for image in found.images.all()],
        "skus": skus,
        "return_class": found.return_class,
        "return_class_label": str(found.get_return_class_display()),
        "exclusion_reason": found.exclusion_reason,
    }


# Addresses ---------------------------------------------------------------------------------------


class AddressOut(Schema):
    id: int
    recipient: str
    phone: str
    province: str
    city: str
    district: str
    detail: str
    is_default: bool


class NewAddress(Schema):
    recipient: Text(40, min_length=1)
    phone: Text(20, min_length=1)
    district_code: Text(6, min_length=6) = Field(
        description="GB/T 2260 code of the district; it names the province and city too."
    )
    detail: Text(200, min_length=1)
    make_default: bool = False


def _address(address) -> dict:
    return {
        name: getattr(address, name)
        for name in ("id", "recipient", "phone", "province", "city", "district", "detail")
    } | {"is_default": address.is_default}


@router.get("/addresses", response={200: list[AddressOut], **ERRORS})
def addresses(request):
    return [_address(address) for address in request.customer.addresses.all()]


@router.post("/addresses", response={201: AddressOut, **ERRORS})
def add_address(request, payload: NewAddress):
    address = customers.add_address(customer=request.customer, **payload.dict())
    return Status(201, _address(address))


@router.post("/addresses/{address_id}/default", response={200: AddressOut, **ERRORS})
def make_default(request, address_id: Id):
    address = customers.set_default_address(customer=request.customer, address_id=address_id)
    return _address(address)


# The cart -----------------------------------------------------------------------------------------


class CartLine(Schema):
    sku_id: int
    product_key: str
    product_name: str
    sku_name: str
    price_fen: int
    quantity: int
    total_fen: int


class CartOut(Schema):
    lines: list[CartLine]
    goods_fen: int
    freight_fen: int = Field(description="To his default address (the default rule without one).")
    total_fen: int


class CartItemIn(Schema):
    sku_id: Id
    quantity: int = Field(ge=1, le=orders.MAX_QUANTITY)


class CartQuantity(Schema):
    quantity: int = Field(ge=0, le=orders.MAX_QUANTITY, description="0 removes the item.")


def _cart(customer) -> dict:
    now = timezone.now()
    items = list(order_reads.cart_for_customer(customer))
    resales = sales_checkout.resales_for_customer(customer, now, [i.sku_id for i in items])
    lines = [
        sales_checkout.Line(
            item.sku, item.quantity, sales_checkout.price_of(item.sku, now, resales)
        )
        for item in items
    ]
    goods_fen = sum(line.total_fen for line in lines)
    freight_fen = sales_checkout.freight_for(goods_fen, customer.addresses.first())
    return {
        "lines": [
            {
                "sku_id": line.sku.pk,
                "product_key": line.sku.product.url_key,
                "product_name": line.sku.product.name,
                "sku_name": line.sku.name,
                "price_fen": line.price.amount_fen,
                "quantity": line.quantity,
                "total_fen": line.total_fen,
            }
            for line in lines
        ],
        "goods_fen": goods_fen,
        "freight_fen": freight_fen,
        "total_fen": goods_fen + freight_fen,
    }


@router.get("/cart", response={200: CartOut, **ERRORS})
def cart(request):
    return _cart(request.customer)


@router.post("/cart/items", response={200: CartOut, **ERRORS})
def add_to_cart(request, payload: CartItemIn):
    orders.add_to_cart(customer=request.customer, sku_id=payload.sku_id, quantity=payload.quantity)
    return _cart(request.customer)


@router.put("/cart/items/{sku_id}", response={200: CartOut, **ERRORS})
def set_cart_quantity(request, sku_id: Id, payload: CartQuantity):
    orders.set_cart_quantity(customer=request.customer, sku_id=sku_id, quantity=payload.quantity)
    return _cart(request.customer)


# Reviewing and placing an order ------------------------------------------------------------------


class Item(Schema):
    sku_id: Id
    quantity: int = Field(ge=1, le=orders.MAX_QUANTITY)


class Review(Schema):
    items: list[Item] = Field(min_length=1, max_length=50)
    address_id: Id
    coupon_ids: list[Id] | None = Field(
        None, max_length=20, description="Coupons to use; left out, the best combination."
    )
    use_points: bool = False
    use_wallet: bool = False


class NewOrder(Review):
    expected_total_fen: int = Field(
        ge=0, le=2**31 - 1, description="The total the review showed; a different one refuses."
    )
    buyer_note: Text(orders.BUYER_NOTE_LENGTH) = ""
    confirm_return_exclusion: bool = Field(
        False, description="He confirms that some products are excluded from 7-day returns."
    )
    from_cart: bool = Field(False, description="The items come from his cart, emptied once placed.")


class ReviewOut(Schema):
    goods_fen: int
    member_discount_fen: int
    coupon_fen: int
    coupon_ids: list[int]
    points: int
    points_fen: int
    wallet_fen: int
    freight_fen: int
    total_fen: int


def _choice(payload: Review) -> sales_checkout.Choice:
    return sales_checkout.Choice(
        coupon_ids=None if payload.coupon_ids is None else tuple(payload.coupon_ids),
        use_points=payload.use_points,
        use_wallet=payload.use_wallet,
    )


def _quantities(payload: Review) -> dict[int, int]:
    quantities = {}
    for item in payload.items:
        if item.sku_id in quantities:
            raise ApiError(
                _("Each specification may appear once in the order."),
                code="duplicate_item",
                status=422,
                field="items",
            )
        quantities[item.sku_id] = item.quantity
    return quantities


def _own_address(customer, address_id: int):
    address = customer.addresses.filter(pk=address_id).first()
    if address is None:
        raise OrderError(_("Choose a delivery address."))
    return address


@router.post("/checkout/review", response={200: ReviewOut, **ERRORS})
def review(request, payload: Review):
    """What placing these items would charge, as the store's review page shows it."""
    quantities = _quantities(payload)
    now = timezone.now()
    skus = catalog.skus_with_periods(quantities)
    if set(skus) != set(quantities):
        raise OrderError(_("Some items are no longer available."))
    resales = sales_checkout.resales_for_customer(request.customer, now, quantities)
    totals = sales_checkout.review(
        customer_id=request.customer.pk,
        lines=[
            sales_checkout.priced_line(skus[sku_id], qty, now, resales=resales)
            for sku_id, qty in quantities.items()
        ],
        address=_own_address(request.customer, payload.address_id),
        choice=_choice(payload),
        now=now,
    )
    deductions = totals.benefits.deductions
    return {
        "goods_fen": totals.goods_fen,
        "member_discount_fen": totals.benefits.member_discount_fen,
        "coupon_fen": totals.benefits.coupon_fen,
        "coupon_ids": list(totals.benefits.coupon_ids),
        "points": deductions.points,
        "points_fen": deductions.points_fen,
        "wallet_fen": deductions.wallet_fen,
        "freight_fen": totals.freight_fen,
        "total_fen": totals.total_fen,
    }


# His orders --------------------------------------------------------------------------------------


class LineOut(Schema):
    id: int
    product_name: str
    sku_name: str
    unit_price_fen: int
    quantity: int
    line_total_fen: int
    returnable: bool
    returned_quantity: int


class OrderSummary(Schema):
    number: str
    status: str
    status_label: str
    refund_in_progress: bool
    total_fen: int
    refunded_fen: int
    placed_at: datetime
    lines: list[LineOut]


class ReturnOut(Schema):
    number: str
    status: str
    status_label: str
    refund_fen: int
    requested_at: datetime


class OrderDetail(OrderSummary):
    freight_fen: int
    member_discount_fen: int
    coupon_fen: int
    points_fen: int
    wallet_fen: int
    expires_at: datetime
    paid_at: datetime | None
    recipient: str
    phone: str
    address: str
    buyer_note: str
    returns: list[ReturnOut]


class OrderPage(Schema):
    items: list[OrderSummary]
    next_cursor: str | None


def _line(line) -> dict:
    return {
        name: getattr(line, name)
        for name in (
            "id",
            "product_name",
            "sku_name",
            "unit_price_fen",
            "quantity",
            "line_total_fen",
            "returnable",
            "returned_quantity",
        )
    }


def _summary(order: Order, refund_in_progress: bool) -> dict:
    return {
        "number": order.number,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "refund_in_progress": refund_in_progress,
        "total_fen": order.total_fen,
        "refunded_fen": order.refunded_fen,
        "placed_at": order.placed_at,
        "lines": [_line(line) for line in order.lines.all()],
    }


def _detail(order: Order) -> dict:
    return {
        **_summary(order, bool(payment_reads.refunds_in_progress(order))),
        **{
            name: getattr(order, name)
            for name in (
                "freight_fen",
                "member_discount_fen",
                "coupon_fen",
                "points_fen",
                "wallet_fen",
                "expires_at",
                "paid_at",
                "recipient",
                "phone",
                "address",
                "buyer_note",
            )
        },
        "returns": [
            {
                "number": rr.number,
                "status": rr.status,
                "status_label": str(rr.get_status_display()),
                "refund_fen": rr.refund_fen,
                "requested_at": rr.requested_at,
            }
            for rr in order.returns.all()
        ],
    }


def _own_order(request, number: str) -> Order:
    """Someone else's order looks exactly like a missing one."""
    try:
        return order_reads.order_for_customer(request.customer, number)
    except Order.DoesNotExist as exc:
        raise not_found() from exc


def _principal(request) -> str:
    return f"customer:{request.customer.pk}"


@router.get("/orders", response={200: OrderPage, **ERRORS})
def order_list(request, params: PageParams):
    mine = payment_reads.with_refund_in_progress(
        order_reads.order_list_for_customer(request.customer)
    )
    return page(
        mine,
        params,
        ordering=("-placed_at", "-pk"),
        row=lambda order: _summary(order, order.refund_in_progress),
    )


@router.post("/orders", response={201: OrderDetail, **ERRORS})
def place_order(request, payload: NewOrder, idempotency_key: idempotency.IdempotencyKey):
    """Places the reviewed order and reserves its stock; pay it with ``/orders/{number}/pay``."""

    def act():
        customer = request.customer
        order = sales.place_order(
            customer=customer,
            items=_quantities(payload),
            address=_own_address(customer, payload.address_id),
            confirm_return_exclusion=payload.confirm_return_exclusion,
            expected_total_fen=payload.expected_total_fen,
            buyer_note=payload.buyer_note,
            clear_cart=payload.from_cart,
            choice=_choice(payload),
        )
        return 201, _detail(_own_order(request, order.number))

    return idempotency.run(request, principal=_principal(request), key=idempotency_key, act=act)


@router.get("/orders/{number}", response={200: OrderDetail, **ERRORS})
def order_detail(request, number: PathKey):
    return _detail(_own_order(request, number))


class PaymentOut(Schema):
    number: str
    provider: str
    amount_fen: int
    pay_url: str = Field(description="Where the customer completes the payment.")


@router.post("/orders/{number}/pay", response={200: PaymentOut, **ERRORS})
def pay(request, number: PathKey, idempotency_key: idempotency.IdempotencyKey):
    """Starts (or resumes) the payment at the configured provider."""
    order = _own_order(request, number)

    def act():
        payment = payments.start_payment(order=order)
        return 200, {
            "number": payment.number,
            "provider": payment.provider,
            "amount_fen": payment.amount_fen,
            "pay_url": request.build_absolute_uri(
                get_provider(payment.provider).pay_url(payment=payment)
            ),
        }

    return idempotency.run(request, principal=_principal(request), key=idempotency_key, act=act)


class CancelRequest(Schema):
    reason: Text(Order._meta.get_field("cancel_reason").max_length) = ""


@router.post("/orders/{number}/cancel", response={200: OrderDetail, **ERRORS})
def cancel(
    request, number: PathKey, payload: CancelRequest, idempotency_key: idempotency.IdempotencyKey
):
    """Cancels an unpaid order, or a paid one not yet shipped (refunded in full)."""
    order = _own_order(request, number)

    def act():
        sales.cancel_order(order=order, by_brand=False, reason=payload.reason)
        return 200, _detail(_own_order(request, number))

    return idempotency.run(request, principal=_principal(request), key=idempotency_key, act=act)


@router.post("/orders/{number}/confirm", response={200: OrderDetail, **ERRORS})
def confirm_receipt(request, number: PathKey):
    """He says the goods arrived; the 7-day return window runs from the next day."""
    after_sales.confirm_receipt(order=_own_order(request, number), customer=request.customer)
    return _detail(_own_order(request, number))


class ReturnParcel(Schema):
    carrier: Text(16, min_length=1) = Field(description="A carrier code, as the store lists them.")
    tracking_no: Text(40, min_length=1)


@router.post(
    "/orders/{number}/returns/{return_number}/parcel", response={200: OrderDetail, **ERRORS}
)
def return_parcel(request, number: PathKey, return_number: PathKey, payload: ReturnParcel):
    """The carrier and tracking number of the parcel he sent back, checked as the store checks
    them."""
    order = _own_order(request, number)
    return_request = next((rr for rr in order.returns.all() if rr.number == return_number), None)
    if return_request is None:
        raise not_found()
    form = ReturnShipmentForm({**payload.dict(), "return_number": return_number})
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ApiError(errors[0], code="invalid_input", status=422, field=field)
    after_sales.record_return_shipment(
        return_request=return_request,
        customer=request.customer,
        carrier=form.cleaned_data["carrier"],
        tracking_no=form.cleaned_data["tracking_no"],
    )
    return _detail(_own_order(request, number))


class ReturnItem(Schema):
    line_id: Id
    quantity: int = Field(ge=1, le=orders.MAX_QUANTITY)


class ReturnRequestIn(Schema):
    items: list[ReturnItem] = Field(min_length=1, max_length=50)
    reason: Text(300) = ""


@router.post("/orders/{number}/returns", response={201: OrderDetail, **ERRORS})
def request_return(
    request,
    number: PathKey,
    payload: ReturnRequestIn,
    idempotency_key: idempotency.IdempotencyKey,
):
    """A 7-day no-reason return of some of the delivered lines."""
    order = _own_order(request, number)

    def act():
        orders.request_return(
            order=order,
            customer=request.customer,
            quantities={item.line_id: item.quantity for item in payload.items},
            reason=payload.reason,
        )
        return 201, _detail(_own_order(request, number))

    return idempotency.run(request, principal=_principal(request), key=idempotency_key, act=act)
