"""A distributor's micro-store (/s/<slug>/) and its share material: QR codes and posters.

The store sells the brand's products at the brand's prices, or at his own where he is an approved
reseller (``storefront.resale``: the visitor's reseller's prices, as placing charges); a frozen
or blacklisted store shows a closed notice and hands out no share material.
"""

import hashlib

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from weishang.catalog.models import Product
from weishang.content import library
from weishang.content.posters import PictureUnreadable, draw_on_template
from weishang.distribution import selectors, sharing
from weishang.distribution.models import Distributor, ShareSource

from . import post_feed, post_visits, resale, share_cards

QR_MAX_AGE = 3600
POSTER_MAX_AGE = 6 * 3600
POSTER_CACHE_SECONDS = 24 * 3600


def _distributor(slug: str) -> Distributor:
    try:
        return selectors.distributor_by_slug(slug)
    except Distributor.DoesNotExist as exc:
        raise Http404 from exc


def _open_distributor(slug: str) -> Distributor:
    """Share material exists only for a store that is open."""
    distributor = _distributor(slug)
    if not distributor.can_sell:
        raise Http404
    return distributor


def _product(slug: str) -> Product:
    try:
        return selectors.published_product(slug)
    except Product.DoesNotExist as exc:
        raise Http404 from exc


@require_safe
def store(request, slug: str):
    distributor = _distributor(slug)
    if not distributor.can_sell:
        return render(request, "storefront/microstore/closed.html", {"distributor": distributor})
    post_visits.remember_post(request)
    featured, others = selectors.microstore_products(distributor)
    posts, more_posts = post_feed.latest(distributor)

    def card(product):
        # Links from his store carry his token, so a visitor who browses on is still his.
        link = sharing.share_path(distributor, source=ShareSource.STORE_LINK, product=product)
        return {"product": product, "link": link}

    return share_cards.render_with_card(
        request,
        "storefront/microstore/home.html",
        {
            "distributor": distributor,
            "featured": [card(p) for p in featured],
            "others": [card(p) for p in others],
            "posts": posts,
            "more_posts": more_posts,
            "resales": resale.for_request(request, store=distributor),
        },
        share_cards.for_store(distributor, [*featured, *others]),
    )


def _visibility(public: bool) -> dict:
    return {"public": True} if public else {"private": True}


def image_response(
    content: bytes, content_type: str, max_age: int, *, public: bool = True
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    patch_cache_control(response, **_visibility(public), max_age=max_age)
    return response


@require_safe
def store_qr_png(request, slug: str):
    distributor = _open_distributor(slug)
    url = sharing.share_url(distributor, source=ShareSource.QR)
    return image_response(sharing.qr_png(url), "image/png", QR_MAX_AGE)


@require_safe
def store_qr_svg(request, slug: str):
    distributor = _open_distributor(slug)
    url = sharing.share_url(distributor, source=ShareSource.QR)
    return image_response(sharing.qr_svg(url), "image/svg+xml", QR_MAX_AGE)


@require_safe
def product_qr_png(request, slug: str, product_slug: str):
    distributor = _open_distributor(slug)
    product = _product(product_slug)
    url = sharing.share_url(distributor, source=ShareSource.QR, product=product)
    return image_response(sharing.qr_png(url), "image/png", QR_MAX_AGE)


def cached_poster(request, fingerprint: str, draw, *, public: bool = True) -> HttpResponse:
    """Drawing a poster is costly: an ETag answers repeat requests with 304, and the drawn PNG
    (``draw()``) is cached for a day (the token inside it is renewed daily, long before it goes
    stale). The key holds nothing the request chose, so no Host header or query string makes a
    new drawing. A customer's own poster (``public=False``) is kept out of shared caches."""
    key = hashlib.sha256(f"{fingerprint}|{timezone.localdate().isoformat()}".encode()).hexdigest()
    key = key[:32]
    etag = f'"{key}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        patch_cache_control(not_modified, **_visibility(public), max_age=POSTER_MAX_AGE)
        return not_modified
    cache_key = f"weishang:poster:{key}"
    content = cache.get(cache_key)
    if content is None:
        content = draw()
        cache.set(cache_key, content, POSTER_CACHE_SECONDS)
    response = image_response(content, "image/png", POSTER_MAX_AGE, public=public)
    response["ETag"] = etag
    return response


def _poster(request, distributor: Distributor, product: Product | None):
    # Whoever scans his poster is brought by him: the price drawn is his, where he resells.
    price = resale.his_lowest_price(distributor, product)

    def draw():
        url = sharing.share_url(distributor, source=ShareSource.POSTER, product=product)
        return sharing.poster_png(distributor, url=url, product=product, price=price)

    return cached_poster(
        request, sharing.poster_fingerprint(distributor, product, price=price), draw
    )


def _store_poster_on_template(request, distributor: Distributor, template):
    """The store poster on the brand's own artwork: the store's name and a QR code of his
    poster link where the brand placed them (no price: it is the whole store)."""

    def draw():
        url = sharing.share_url(distributor, source=ShareSource.POSTER)
        try:
            return draw_on_template(template, title=distributor.store_name, price_fen=None, url=url)
        except PictureUnreadable:  # the artwork's file is gone: the plain poster still works
            return sharing.poster_png(distributor, url=url)

    fingerprint = "|".join(
        [sharing.poster_fingerprint(distributor), library.template_fingerprint(template)]
    )
    return cached_poster(request, fingerprint, draw)


@require_safe
def store_poster(request, slug: str):
    distributor = _open_distributor(slug)
    template = library.store_poster_template()
    if template is not None:
        return _store_poster_on_template(request, distributor, template)
    return _poster(request, distributor, None)


@require_safe
def product_poster(request, slug: str, product_slug: str):
    distributor = _open_distributor(slug)
    return _poster(request, distributor, _product(product_slug))
