"""Sharing over JSON: a customer's own share links (分享有礼) with what friends' orders earned him,
and a distributor's public micro-store with its post feed. Each endpoint calls the services and
selectors the store's pages call (``storefront.shares``, ``storefront.microstore``,
``storefront.post_feed``); a share link is the page's signed link, made by the same function."""

import secrets
from datetime import date, datetime
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from weishang.catalog import selectors as catalog
from weishang.catalog.models import Product
from weishang.content import post_material, posts
from weishang.content import selectors as content
from weishang.content.models import Post
from weishang.distribution import binding, sharing, tokens
from weishang.distribution import selectors as distribution
from weishang.distribution.models import Distributor, ShareSource
from weishang.loyalty import selectors as loyalty
from weishang.loyalty import share_links
from weishang.loyalty.models import CustomerShare, ShareRewardRule
from weishang.loyalty.share_rewards import describe_reward
from weishang.reseller import pricing as reseller_pricing
from weishang.sales import checkout as sales_checkout
from weishang.storefront.post_feed import STORE_PAGE_POSTS

from . import store
from .errors import ERRORS, ApiError, not_found
from .pagination import PageParams, page
from .schemas import PathKey, Text

router = Router(tags=["store"])

# His own share links -----------------------------------------------------------------------------


class ShareLinkOut(Schema):
    product_key: str
    product_name: str
    shared_at: datetime
    url: str = Field(description="His signed share link, the one the store's share page shows.")
    qr_svg: str = Field(description="A QR code of the link, as SVG.")
    reward: str = Field(description="What a friend's completed order earns him, in words.")


class FriendOrder(Schema):
    """A friend's order through his link: only what the sharer may see, never who the friend
    is."""

    placed_at: datetime
    status: str
    status_label: str
    rewarded: bool
    points: int
    cashback_fen: int
    coupon: bool = Field(description="A coupon was his reward.")
    tier_fen: int = Field(description="Tier progress the reward counted.")
    taken_back: bool = Field(description="The reward was taken back after a refund.")
    may_still_earn: bool = Field(description="It earns once it completes without return.")


class ShareRow(Schema):
    product_key: str
    product_name: str
    shared_at: datetime
    orders: list[FriendOrder]


class MySharesOut(Schema):
    shares: list[ShareRow]
    other_orders: list[FriendOrder] = Field(
        description="Friends' orders through his links of none of the shared products."
    )
    points: int = Field(description="Points his shares earned in all.")
    cashback_fen: int
    rewarded_orders: int
    reward: str = Field(description="What a friend's completed order earns him, in words.")
    orders_shown: int = Field(description="At most this many of the latest friends' orders.")


def _friend_order(order) -> dict:
    reward = order.reward
    return {
        "placed_at": order.placed_at,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "rewarded": reward is not None,
        "points": reward.points if reward else 0,
        "cashback_fen": reward.cashback_fen if reward else 0,
        "coupon": bool(reward and reward.coupon_id),
        "tier_fen": reward.tier_fen if reward else 0,
        "taken_back": bool(reward and reward.revoked_base_fen),
        "may_still_earn": order.may_still_earn,
    }


@router.get("/shares", response={200: MySharesOut, **ERRORS})
def my_shares(request):
    """The products he shared, friends' orders through his links and what they earned him."""
    mine = loyalty.my_shares(request.customer)
    return {
        "shares": [
            {
                "product_key": row.share.product.url_key,
                "product_name": row.share.product.name,
                "shared_at": row.share.created_at,
                "orders": [_friend_order(order) for order in row.orders],
            }
            for row in mine.rows
        ],
        "other_orders": [_friend_order(order) for order in mine.other_orders],
        "points": mine.points,
        "cashback_fen": mine.cashback_fen,
        "rewarded_orders": mine.rewarded_orders,
        "reward": describe_reward(ShareRewardRule.current()),
        "orders_shown": loyalty.ORDERS_SHOWN,
    }


def _published(key: str) -> Product:
    try:
        return catalog.published_product(key)
    except Product.DoesNotExist as exc:
        raise not_found() from exc


def own_share(request, key: str) -> CustomerShare:
    """His share of the published product ``key``; one he never shared is not found."""
    product = _published(key)
    share = CustomerShare.objects.filter(customer=request.customer, product=product).first()
    if share is None:
        raise not_found()
    share.product = product
    return share


def _share_link(share: CustomerShare) -> dict:
    url = share_links.share_url(share)
    return {
        "product_key": share.product.url_key,
        "product_name": share.product.name,
        "shared_at": share.created_at,
        "url": url,
        "qr_svg": sharing.qr_svg(url).decode(),
        "reward": describe_reward(ShareRewardRule.current()),
    }


@router.post("/products/{key}/share", response={201: ShareLinkOut, **ERRORS})
def share_product(request, key: PathKey):
    """His own share link for the product ("share with friends"); sharing again keeps the
    first."""
    product = _published(key)
    now = timezone.now()
    share = share_links.share_product(customer=request.customer, product=product, now=now)
    share.product = product
    return Status(201, _share_link(share))


@router.get("/shares/products/{key}", response={200: ShareLinkOut, **ERRORS})
def share_link(request, key: PathKey):
    """His share link and its QR code for a product he shared; one he never shared is not
    found."""
    return _share_link(own_share(request, key))


# Micro-stores and their post feed (public) -------------------------------------------------------


class StoreProduct(store.ProductOut):
    link: str = Field(description="The product through his store's signed link.")


class PostProduct(Schema):
    key: str
    name: str
    link: str = Field(description="His post link to the product, which counts on the post.")


class PostOut(Schema):
    key: str
    text: str
    planned_on: date
    images: list[str]
    products: list[PostProduct]


class PostPage(Schema):
    items: list[PostOut]
    next_cursor: str | None


class MicroStoreOut(Schema):
    slug: str
    store_name: str
    intro: str
    avatar: str | None
    is_open: bool = Field(description="A closed store shows only its name, as its page does.")
    featured: list[StoreProduct] = Field(description="The products he chose, in his order.")
    others: list[StoreProduct]
    posts: list[PostOut] = Field(description="His latest posts.")
    more_posts: bool


class LinkQuery(Schema):
    """The link the visitor opened, as the store's pages read it (``?ref=…&post=…``)."""

    ref: Text(500) | None = Field(None, description="The token of the distributor's link.")
    post: Text(22) | None = Field(None, description="The post key of his post link.")


LinkParams = Annotated[LinkQuery, Query()]


def _visitor(request):
    """The signed-in customer calling a public endpoint, if a token came with the call."""
    return store.customer_auth(request)


def _distributor(slug: str) -> Distributor:
    try:
        return distribution.distributor_by_slug(slug)
    except Distributor.DoesNotExist as exc:
        raise not_found() from exc


def _open_store(slug: str) -> Distributor:
    """A closed store shows no posts."""
    distributor = _distributor(slug)
    if not distributor.can_sell:
        raise not_found()
    return distributor


def _post(post: Post) -> dict:
    return {
        "key": post.key,
        "text": post.text,
        "planned_on": post.planned_on,
        "images": [image.image.url for image in post.theme.images.all()] if post.theme else [],
        "products": [
            {
                "key": row["product"].url_key,
                "name": row["product"].name,
                "link": sharing.absolute(row["link"]),
            }
            for row in post_material.product_links(post)
        ],
    }


def _record_visit(request, link: LinkQuery) -> None:
    """A post link's opening counts as the store's pages count it."""
    if link.post:
        posts.record_link_visit(
            key=link.post, ref=link.ref, visitor=_visitor(request), now=timezone.now()
        )


@router.get("/stores/{slug}", response={200: MicroStoreOut, **ERRORS}, auth=None)
def micro_store(
    request,
    slug: PathKey,
    link: LinkParams,
):
    """A distributor's micro-store: his chosen products first, then the rest, and his latest
    posts. Opening it by a post link (``ref`` and ``post``) counts a visit of the post."""
    distributor = _distributor(slug)
    found = {
        "slug": distributor.slug,
        "store_name": distributor.store_name,
        "intro": distributor.intro,
        "avatar": distributor.avatar.url if distributor.avatar else None,
        "is_open": distributor.can_sell,
        "featured": [],
        "others": [],
        "posts": [],
        "more_posts": False,
    }
    if not distributor.can_sell:
        return found
    _record_visit(request, link)
    now = timezone.now()
    featured, others = distribution.microstore_products(distributor)
    # Priced as the store's micro-store page prices them: a signed-in visitor at what his own
    # order is charged, a visitor not signed in at this reseller's prices.
    visitor = _visitor(request)
    resales = (
        sales_checkout.resales_for_customer(visitor, now)
        if visitor is not None
        else reseller_pricing.resales_for(distributor)
    )

    def card(product):
        path = sharing.share_path(distributor, source=ShareSource.STORE_LINK, product=product)
        return {**store._product(product, now, resales), "link": sharing.absolute(path)}

    latest = list(content.feed(distributor.pk, timezone.localdate())[: STORE_PAGE_POSTS + 1])
    return found | {
        "featured": [card(product) for product in featured],
        "others": [card(product) for product in others],
        "posts": [_post(item) for item in latest[:STORE_PAGE_POSTS]],
        "more_posts": len(latest) > STORE_PAGE_POSTS,
    }


@router.get("/stores/{slug}/posts", response={200: PostPage, **ERRORS}, auth=None)
def store_posts(request, slug: PathKey, params: PageParams):
    """His posts, newest first, each with its products through his post links."""
    distributor = _open_store(slug)
    return page(
        content.feed(distributor.pk, timezone.localdate()),
        params,
        ordering=("-planned_on", "-created_at", "-pk"),
        row=_post,
    )


@router.get("/stores/{slug}/posts/{key}", response={200: PostOut, **ERRORS}, auth=None)
def store_post(
    request,
    slug: PathKey,
    key: PathKey,
    link: LinkParams,
):
    """One of his posts; opened by its link (``ref`` and ``post``), a visit of it counts."""
    distributor = _open_store(slug)
    try:
        found = content.feed(distributor.pk, timezone.localdate()).get(key=key)
    except Post.DoesNotExist as exc:
        raise not_found() from exc
    _record_visit(request, link)
    return _post(found)


# Opening a distributor's share link --------------------------------------------------------------


class OpenedLink(Schema):
    ref: Text(500, min_length=1) = Field(
        description="The token of the distributor's link: its ref, or the mini-program's scene."
    )
    device_id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_-]{20,64}$",
        description="The mini-program's lasting id of this phone, so one visitor counts once.",
    )


class OpenedOut(Schema):
    store_name: str
    store_slug: str
    bound: bool = Field(description="He was signed in and is now this distributor's customer.")
    share: str | None = Field(
        description="Not signed in: keep it and send it as share when he signs in "
        "(/auth/token, /auth/wechat), which binds him as of now."
    )


@router.post("/share-links/open", response={200: OpenedOut, **ERRORS}, auth=None)
def open_share_link(request, payload: OpenedLink):
    """A visitor opened a distributor's share link, QR code or poster in the mini-program: the
    visit counts and a signed-in customer is bound to the distributor at once, as the store's
    pages do; an anonymous one is bound when he signs in."""
    token = tokens.read_token(payload.ref)
    distributor = Distributor.objects.filter(pk=token.distributor_id).first() if token else None
    if distributor is None or not distributor.can_sell:
        raise ApiError(
            _("This share link is no longer valid."), code="bad_share_link", status=404, field="ref"
        )
    customer = _visitor(request)
    kept = binding.open_share_link(
        raw=payload.ref,
        customer=customer,
        signed_in=customer is not None,
        device_id=payload.device_id or secrets.token_urlsafe(24),
        now=timezone.now(),
    )
    current = binding.current_binding(customer) if customer is not None else None
    return {
        "store_name": distributor.store_name,
        "store_slug": distributor.slug,
        "bound": current is not None and current.distributor_id == distributor.pk,
        "share": kept,
    }
