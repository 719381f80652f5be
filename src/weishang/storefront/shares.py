"""A customer's own share links (分享有礼): the share button on a product, the share page with his
link, QR code and poster, and "my shares" with friends' orders and what they earned."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from weishang.catalog import selectors as catalog
from weishang.catalog.models import Product
from weishang.distribution import sharing
from weishang.loyalty import selectors, share_links
from weishang.loyalty.models import CustomerShare, ShareRewardRule
from weishang.loyalty.share_rewards import describe_reward

from .microstore import QR_MAX_AGE, cached_poster, image_response
from .views import customer_required


def _published(slug: str) -> Product:
    try:
        return catalog.published_product(slug)
    except Product.DoesNotExist as exc:
        raise Http404 from exc


def _own_share(request, slug: str) -> CustomerShare:
    """His share of a product still for sale; a product he never shared is not found."""
    product = _published(slug)
    share = CustomerShare.objects.filter(customer=request.customer, product=product).first()
    if share is None:
        raise Http404
    share.product = product
    return share


@customer_required
@require_POST
def share_product(request, slug: str):
    share_links.share_product(
        customer=request.customer, product=_published(slug), now=timezone.now()
    )
    return redirect("storefront:share_page", slug=slug)


@customer_required
@require_safe
def share_page(request, slug: str):
    share = _own_share(request, slug)
    return render(
        request,
        "storefront/shares/share.html",
        {
            "share": share,
            "url": share_links.share_url(share),
            "reward": describe_reward(ShareRewardRule.current()),
        },
    )


@customer_required
@require_safe
def share_qr(request, slug: str):
    url = share_links.share_url(_own_share(request, slug))
    return image_response(sharing.qr_png(url), "image/png", QR_MAX_AGE, public=False)


@customer_required
@require_safe
def share_poster(request, slug: str):
    share = _own_share(request, slug)
    return cached_poster(
        request,
        share_links.poster_fingerprint(share),
        lambda: share_links.poster_png(share),
        public=False,
    )


@customer_required
@require_safe
def my_shares(request):
    return render(
        request,
        "storefront/shares/mine.html",
        {
            "mine": selectors.my_shares(request.customer),
            "reward": describe_reward(ShareRewardRule.current()),
            "shown": selectors.ORDERS_SHOWN,
        },
    )
