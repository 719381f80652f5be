"""The pictures the store's pages hand out for sharing, over the API: a micro-store's QR codes
and posters (public, the store pages' own views answering), and a customer's QR code and poster
for a product he shared (the share page's drawing, for his token instead of his session)."""

from ninja import Router

from weishang.distribution import sharing
from weishang.loyalty import share_links
from weishang.storefront import microstore
from weishang.storefront.microstore import QR_MAX_AGE, cached_poster, image_response

from .errors import ERRORS
from .schemas import PathKey
from .store_sharing import own_share

router = Router(tags=["store"])


def _picture(content_type: str, what: str) -> dict:
    return {
        "response": {200: None, **ERRORS},
        "openapi_extra": {"responses": {200: {"description": what, "content": {content_type: {}}}}},
    }


@router.get("/stores/{slug}/qr.png", auth=None, **_picture("image/png", "The QR code (PNG)"))
def store_qr_png(request, slug: PathKey):
    """The QR code of the micro-store's link (a scan counts as the store's QR)."""
    return microstore.store_qr_png(request, slug)


@router.get("/stores/{slug}/qr.svg", auth=None, **_picture("image/svg+xml", "The QR code (SVG)"))
def store_qr_svg(request, slug: PathKey):
    """The same QR code, as SVG."""
    return microstore.store_qr_svg(request, slug)


@router.get("/stores/{slug}/poster.png", auth=None, **_picture("image/png", "The poster"))
def store_poster(request, slug: PathKey):
    """The micro-store's share poster, with its QR code (answered 304 to a matching ETag)."""
    return microstore.store_poster(request, slug)


@router.get(
    "/stores/{slug}/products/{key}/qr.png",
    auth=None,
    **_picture("image/png", "The QR code (PNG)"),
)
def store_product_qr_png(request, slug: PathKey, key: PathKey):
    """The QR code of the micro-store's link to one product."""
    return microstore.product_qr_png(request, slug, key)


@router.get(
    "/stores/{slug}/products/{key}/poster.png",
    auth=None,
    **_picture("image/png", "The poster"),
)
def store_product_poster(request, slug: PathKey, key: PathKey):
    """The micro-store's poster of one product, with its QR code."""
    return microstore.product_poster(request, slug, key)


@router.get("/shares/products/{key}/qr.png", **_picture("image/png", "The QR code (PNG)"))
def share_qr_png(request, key: PathKey):
    """The QR code of his share link for a product he shared."""
    url = share_links.share_url(own_share(request, key))
    return image_response(sharing.qr_png(url), "image/png", QR_MAX_AGE, public=False)


@router.get("/shares/products/{key}/poster.png", **_picture("image/png", "The poster"))
def share_poster(request, key: PathKey):
    """His poster for a product he shared, with his link's QR code."""
    share = own_share(request, key)
    return cached_poster(
        request,
        share_links.poster_fingerprint(share),
        lambda: share_links.poster_png(share),
        public=False,
    )
