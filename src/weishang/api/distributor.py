"""The distributor's own console over JSON: his orders and customers (masked as the console masks
them), his balances and ledger, withdrawals, payout accounts and share links with their QR
codes. Only his own rows: the distributor comes from the token, never from the path. Each
endpoint calls what the distributor console's views call (``console.distributor_views``)."""

from datetime import datetime

from django.http import HttpResponse
from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import Field

from weishang.catalog import selectors as catalog
from weishang.catalog.models import Product
from weishang.commissions import payout_accounts
from weishang.commissions import selectors as commission_selectors
from weishang.commissions import services as commissions
from weishang.distribution import selectors, services, sharing
from weishang.distribution.models import PayoutAccount, ShareSource
from weishang.inputs import INT_MAX

from . import auth, idempotency
from .errors import ERRORS, not_found
from .namespace import API_NAMESPACE
from .pagination import PageParams, page
from .schemas import Id, PathKey, Text

router = Router(tags=["distributor"], auth=auth.DistributorAuth())


class AttributedOrder(Schema):
    number: str
    products: str
    total_fen: int
    refunded_fen: int
    refund_in_progress: bool
    status: str
    status_code: str
    placed_at: datetime
    name: str = Field(description="The recipient's name, masked.")
    phone: str = Field(description="The recipient's phone, masked.")


class AttributedOrderPage(Schema):
    items: list[AttributedOrder]
    next_cursor: str | None


class BoundCustomer(Schema):
    name: str
    phone: str
    city: str
    paid_orders: int
    last_order_at: datetime | None
    bound_at: datetime
    expires_at: datetime | None
    source: str


class BoundCustomerPage(Schema):
    items: list[BoundCustomer]
    next_cursor: str | None


@router.get("/orders", response={200: AttributedOrderPage, **ERRORS})
def orders(request, params: PageParams):
    """Orders attributed to him, newest first."""
    return page(
        selectors.orders_for_distributor(request.distributor),
        params,
        ordering=("-placed_at", "-pk"),
        row=selectors.order_row,
    )


@router.get("/customers", response={200: BoundCustomerPage, **ERRORS})
def customers(request, params: PageParams):
    """His bound customers, newest binding first."""
    return page(
        selectors.customers_for_distributor(request.distributor),
        params,
        ordering=("-bound_at", "-pk"),
        row=selectors.customer_row,
    )


# Money -------------------------------------------------------------------------------------------


class Balances(Schema):
    pending: int
    held: int
    available: int
    withdrawing: int


class LedgerEventOut(Schema):
    at: datetime
    kind: str
    event: str
    state: str
    sign: str
    amount_fen: int
    order_number: str
    withheld_fen: int
    net_fen: int


class Earnings(Schema):
    balances: Balances
    events: list[LedgerEventOut] = Field(description="His latest ledger events, newest first.")


@router.get("/earnings", response={200: Earnings, **ERRORS})
def earnings(request):
    """His balances (fen) and latest ledger events, in his words."""
    distributor = request.distributor
    events = commission_selectors.ledger_events(distributor, limit=200)
    return {
        "balances": commission_selectors.balances(distributor),
        "events": [
            {
                name: str(value) if name in {"event", "state"} else value
                for name, value in vars(event).items()
            }
            for event in events
        ],
    }


class PayoutAccountOut(Schema):
    id: int
    kind: str
    description: str = Field(description="The account masked as people read it.")


@router.get("/payout-accounts", response={200: list[PayoutAccountOut], **ERRORS})
def accounts(request):
    return [_account(account) for account in payout_accounts.active_accounts(request.distributor)]


class NewPayoutAccount(Schema):
    kind: PayoutAccount.Kind
    number: Text(64, min_length=1)
    holder_name: Text(40, min_length=1)
    consent: bool = Field(
        description="His separate consent that the brand keeps the account (PIPL Art. 29)."
    )


def _account(account) -> dict:
    return {
        "id": account.pk,
        "kind": account.kind,
        "description": payout_accounts.describe(account),
    }


@router.post("/payout-accounts", response={201: PayoutAccountOut, **ERRORS})
def add_account(request, payload: NewPayoutAccount):
    """Adds an account in his own verified name; the number is checked and kept encrypted."""
    account = payout_accounts.add_payout_account(distributor=request.distributor, **payload.dict())
    return Status(201, _account(account))


@router.delete("/payout-accounts/{account_id}", response={204: None, **ERRORS})
def remove_account(request, account_id: Id):
    """Removes one of his accounts from use; past withdrawals keep naming it."""
    payout_accounts.remove_payout_account(distributor=request.distributor, account_id=account_id)
    return Status(204, None)


class WithdrawalOut(Schema):
    id: int
    amount_fen: int
    status: str
    status_label: str
    reason: str
    payout_account: str | None
    requested_at: datetime


class WithdrawalPage(Schema):
    items: list[WithdrawalOut]
    next_cursor: str | None


class WithdrawalRequest(Schema):
    amount_fen: int = Field(ge=1, le=INT_MAX)
    payout_account_id: Id


def _withdrawal(withdrawal) -> dict:
    account = withdrawal.payout_account
    return {
        "id": withdrawal.pk,
        "amount_fen": withdrawal.amount_fen,
        "status": withdrawal.status,
        "status_label": str(withdrawal.get_status_display()),
        "reason": withdrawal.reason,
        "payout_account": payout_accounts.describe(account) if account else None,
        "requested_at": withdrawal.requested_at,
    }


@router.get("/withdrawals", response={200: WithdrawalPage, **ERRORS})
def withdrawals(request, params: PageParams):
    return page(
        commission_selectors.withdrawals_of(request.distributor),
        params,
        ordering=("-requested_at", "-pk"),
        row=_withdrawal,
    )


@router.post("/withdrawals", response={201: WithdrawalOut, **ERRORS})
def request_withdrawal(
    request, payload: WithdrawalRequest, idempotency_key: idempotency.IdempotencyKey
):
    """Reserves part of his available balance for payout into one of his accounts; the brand
    reviews it."""
    distributor = request.distributor

    def act():
        withdrawal = commissions.request_withdrawal(
            distributor=distributor,
            amount_fen=payload.amount_fen,
            request_key=f"api-{idempotency_key}"[:64],
            payout_account=payload.payout_account_id,
        )
        return 201, _withdrawal(withdrawal)

    return idempotency.run(
        request, principal=f"distributor:{distributor.pk}", key=idempotency_key, act=act
    )


# Sharing -----------------------------------------------------------------------------------------


class ShareLinks(Schema):
    store_link: str
    invite_link: str


class ProductLink(Schema):
    key: str
    name: str
    link: str
    qr_svg: str = Field(description="This API's address of the link's QR code (SVG).")


class ProductLinkPage(Schema):
    items: list[ProductLink]
    next_cursor: str | None


@router.get("/share", response={200: ShareLinks, **ERRORS})
def share(request):
    """His store's share link and the link inviting others to apply as distributors."""
    distributor = request.distributor
    return {
        "store_link": sharing.share_url(distributor, source=ShareSource.STORE_LINK),
        "invite_link": sharing.invite_url(distributor),
    }


@router.get("/share/products", response={200: ProductLinkPage, **ERRORS})
def share_products(request, params: PageParams):
    """A share link for each published product."""
    distributor = request.distributor
    return page(
        catalog.published_products(),
        params,
        ordering=("position", "pk"),
        row=lambda product: {
            "key": product.url_key,
            "name": product.name,
            "link": sharing.share_url(
                distributor, source=ShareSource.PRODUCT_LINK, product=product
            ),
            "qr_svg": request.build_absolute_uri(
                reverse(f"{API_NAMESPACE}:product_qr", kwargs={"key": product.url_key})
            ),
        },
    )


@router.get(
    "/share/products/{key}/qr.svg",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {200: {"description": "The QR code", "content": {"image/svg+xml": {}}}}
    },
)
def product_qr(request, key: PathKey):
    """The QR code of his share link for the product."""
    distributor = request.distributor
    if not distributor.can_sell:
        raise not_found()
    try:
        product = catalog.published_product(key)
    except Product.DoesNotExist as exc:
        raise not_found() from exc
    url = sharing.share_url(distributor, source=ShareSource.QR, product=product)
    return HttpResponse(sharing.qr_svg(url), content_type="image/svg+xml")


# The micro-store ---------------------------------------------------------------------------------


class Store(Schema):
    store_name: str
    intro: str
    store_url: str
    featured: list[str] = Field(description="Keys of the products his store shows first, in order.")


class StoreIn(Schema):
    store_name: Text(40, min_length=1)
    intro: Text(300) = ""


class FeaturedIn(Schema):
    product_ids: list[Id] = Field(max_length=50, description="Products to show first, in order.")


def _store(distributor) -> dict:
    featured = selectors.featured_product_ids(distributor)
    keys = {p.pk: p.url_key for p in catalog.published_products().filter(pk__in=featured)}
    return {
        "store_name": distributor.store_name,
        "intro": distributor.intro,
        "store_url": sharing.absolute(reverse("storefront:microstore", args=[distributor.slug])),
        "featured": [keys[pk] for pk in featured if pk in keys],
    }


@router.get("/store", response={200: Store, **ERRORS})
def store(request):
    return _store(request.distributor)


@router.put("/store", response={200: Store, **ERRORS})
def update_store(request, payload: StoreIn):
    """His store's name and introduction; prices stay the brand's."""
    distributor = services.update_store(
        distributor=request.distributor, store_name=payload.store_name, intro=payload.intro
    )
    return _store(distributor)


@router.put("/store/featured", response={200: Store, **ERRORS})
def set_featured(request, payload: FeaturedIn):
    """The published products his store shows first, in this order."""
    services.set_featured_products(distributor=request.distributor, product_ids=payload.product_ids)
    return _store(request.distributor)
