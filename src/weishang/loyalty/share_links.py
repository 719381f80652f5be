"""Customers' own share links (分享有礼): any signed-in customer gets a link, QR code and poster for
a product, carrying a signed token that names him (not a distributor) and the product.

A visitor who opens such a link is remembered for ``REMEMBER_DAYS``; an order he places then
records the sharer (``Order.shared_by``). It never binds anyone to a distributor: the distributor
link (``?ref=``) and its binding are a different thing. A forged, altered or stale token reads as
``None`` and the visitor simply browses.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from weishang.catalog.models import Product
from weishang.customers.models import Customer
from weishang.customers.personal_data import closed_mobile
from weishang.distribution import sharing

from .models import CustomerShare

SALT = "weishang.customer-share"
PARAM = "share"
MAX_AGE_SECONDS = 180 * 24 * 3600
REMEMBER_DAYS = 7


@dataclass(frozen=True)
class ShareToken:
    customer_id: int
    product_id: int


def make_token(*, customer_id: int, product_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object([customer_id, product_id], compress=True)


def read_token(token: str | None, *, max_age: int = MAX_AGE_SECONDS) -> ShareToken | None:
    if not token:
        return None
    try:
        customer_id, product_id = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=max_age
        )
        return ShareToken(int(customer_id), int(product_id))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def sharer(customer_id: int, *, lock: bool = False) -> Customer | None:
    """The customer a share link names, or None once he closed his account: a closed account's
    links attribute no order and earn nothing. ``lock`` holds his row to the end of the caller's
    transaction, so a closure (which locks it first) cannot commit between this check and what
    the caller grants him."""
    customers = Customer.objects.select_for_update() if lock else Customer.objects
    return customers.filter(pk=customer_id).exclude(mobile=closed_mobile(customer_id)).first()


@transaction.atomic
def share_product(*, customer: Customer, product: Product, now: datetime) -> CustomerShare:
    """Gives the customer his own share link for the product, once: sharing it again keeps the
    first. The link earns nothing by itself (see ``share_rewards``)."""
    share, _created = CustomerShare.objects.get_or_create(
        customer=customer, product=product, defaults={"created_at": now}
    )
    return share


def share_path(share: CustomerShare) -> str:
    """``/p/<product>/?share=<token>``."""
    token = make_token(customer_id=share.customer_id, product_id=share.product_id)
    path = reverse("storefront:product_detail", args=[share.product.url_key])
    return f"{path}?{urlencode({PARAM: token})}"


def share_url(share: CustomerShare) -> str:
    return sharing.absolute(share_path(share))


def poster_fingerprint(share: CustomerShare) -> str:
    """Changes whenever anything drawn on the sharer's poster changes."""
    product = share.product
    image = product.main_image
    price = sharing.lowest_price(product)
    parts = [
        "customer-poster-v1",
        sharing.absolute(""),
        str(share.customer_id),
        product.url_key,
        product.name,
        image.image.name if image else "",
        str(price.amount_fen) if price else "",
        get_language() or "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def poster_png(share: CustomerShare) -> bytes:
    """The sharer's poster: the product's picture, name and brand price, and a QR code of his
    link. It names no one: a friend sees a recommendation, not the sharer's details."""
    product = share.product
    image = product.main_image
    price = sharing.lowest_price(product)
    return sharing.draw_poster(
        title=product.name,
        picture=image.image if image else None,
        price_fen=price.amount_fen if price else None,
        intro="",
        footer=_("Recommended by a friend"),
        url=share_url(share),
    )
