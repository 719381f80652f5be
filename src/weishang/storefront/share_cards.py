"""What WeChat shows when a store page is shared (share cards): the title, description, picture
and link as Open Graph tags on the store home, a micro-store and a product page; and, inside
WeChat's browser, the JS-SDK's ``wx.config`` signed with the cached jsapi_ticket, so the page's
own script hands the same card to ``wx.updateAppMessageShareData`` / ``updateTimelineShareData``.

The card's link is the signed share link the distribution app makes: a micro-store's own link,
a distributor's product link when he is the one looking, or the link the visitor arrived by, so
whoever opens the card is still attributed to the distributor who shared it.
"""

import logging
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.middleware.csp import get_nonce
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.csp import CSP, build_policy
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from weishang import wechat
from weishang.catalog.models import Product
from weishang.distribution import selectors as distribution_reads
from weishang.distribution import sharing
from weishang.distribution.models import Distributor, ShareSource
from weishang.distribution.tokens import PARAM, read_token
from weishang.money import format_fen

from .templatetags.storefront import sections

logger = logging.getLogger("weishang.storefront")

DESCRIPTION_LENGTH = 80
FALLBACK_IMAGE = "storefront/share.png"
# Where WeChat's JS-SDK reports how wx.config went (an <img> request it makes itself).
JSSDK_REPORT_ORIGIN = "https://open.weixin.qq.com"
JSSDK_DOWN_KEY = "wechat:js-sdk-down"
JSSDK_RETRY_SECONDS = 60


@dataclass(frozen=True)
class ShareCard:
    link: str  # absolute: the signed share link where there is one
    image_url: str  # absolute
    title: str = ""  # empty: the brand's name (the template has it)
    description: str = ""  # empty: the brand's line (the template has it)
    kind: str = "website"  # og:type


def _absolute(url: str) -> str:
    return url if url.startswith(("https://", "http://")) else settings.SITE_URL + url


def _picture(file) -> str:
    return _absolute(file.url) if file else _absolute(static(FALLBACK_IMAGE))


def _viewing_distributor(request) -> Distributor | None:
    customer = getattr(request.user, "customer", None) if request.user.is_authenticated else None
    if customer is None:
        return None
    distributor = distribution_reads.distributor_for_customer(customer)
    return distributor if distributor is not None and distributor.can_sell else None


def for_home(products) -> ShareCard:
    """The brand's store home: its name and line, the first product picture there is."""
    picture = next((p.main_image.image for p in products if p.main_image is not None), None)
    return ShareCard(
        link=settings.SITE_URL + reverse("storefront:product_list"), image_url=_picture(picture)
    )


def for_store(distributor: Distributor, products) -> ShareCard:
    """A micro-store: its name, intro and avatar (else its first product's picture), and its
    own signed store link."""
    picture = distributor.avatar or next(
        (p.main_image.image for p in products if p.main_image is not None), None
    )
    description = distributor.intro or _(
        "%(store)s recommends the brand's products, sold and shipped by the brand itself."
    ) % {"store": distributor.store_name}
    return ShareCard(
        link=sharing.share_url(distributor, source=ShareSource.STORE_LINK),
        image_url=_picture(picture),
        title=distributor.store_name,
        description=Truncator(description).chars(DESCRIPTION_LENGTH),
    )


def for_product(request, product: Product) -> ShareCard:
    """A product: its name, lowest price and first lines, its main picture; the link is the
    looking distributor's own product link, else the share link the visitor came by, else the
    product's address."""
    price = sharing.lowest_price(product)
    # The first paragraph's words, without the 【产品介绍】 heading sellers give it.
    first = next(iter(sections(product.description)), ("", ""))[1]
    words = " ".join(first.split())
    description = " · ".join(
        part for part in (format_fen(price.amount_fen) if price else "", words) if part
    )
    main = product.main_image
    return ShareCard(
        link=_product_link(request, product),
        image_url=_picture(main.image if main else None),
        title=product.name,
        description=Truncator(description).chars(DESCRIPTION_LENGTH),
        kind="product",
    )


def _product_link(request, product: Product) -> str:
    distributor = _viewing_distributor(request)
    if distributor is not None:
        return sharing.share_url(distributor, source=ShareSource.PRODUCT_LINK, product=product)
    path = reverse("storefront:product_detail", args=[product.url_key])
    token = request.GET.get(PARAM, "")
    if token and read_token(token) is not None:
        return f"{settings.SITE_URL}{path}?{urlencode({PARAM: token})}"
    return settings.SITE_URL + path


# Inside WeChat: the JS-SDK ---------------------------------------------------------------------


def _js_sdk_config(request) -> dict | None:
    """``wx.config``'s arguments for this page, inside WeChat with an official account set up;
    None elsewhere, or when WeChat does not give a ticket (the tags still make the card)."""
    if not (
        wechat.official_account_configured()
        and wechat.is_wechat_browser(request.headers.get("User-Agent", ""))
    ):
        return None
    if cache.get(JSSDK_DOWN_KEY):
        return None
    try:
        config = wechat.platform().js_sdk_config(request.build_absolute_uri())
    except wechat.WechatError as exc:
        logger.warning("No JS-SDK config for the share card: %s", exc.code)
        # The next pages do not each wait for WeChat's timeout: they try again in a minute.
        cache.set(JSSDK_DOWN_KEY, True, JSSDK_RETRY_SECONDS)
        return None
    return {
        "appId": config.app_id,
        "timestamp": config.timestamp,
        "nonceStr": config.nonce_str,
        "signature": config.signature,
    }


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def js_sdk_policy() -> dict:
    """The site's Content Security Policy plus WeChat's script and its report, for pages opened
    inside WeChat only."""
    policy = dict(settings.SECURE_CSP)
    policy["script-src"] = [*policy.get("script-src", []), _origin(settings.WECHAT_JSSDK_URL)]
    policy["img-src"] = [*policy.get("img-src", []), JSSDK_REPORT_ORIGIN]
    return policy


def render_with_card(request, template: str, context: dict, card: ShareCard):
    """Renders a store page with its share card; inside WeChat with the JS-SDK and the policy
    that lets WeChat's script run."""
    js_sdk = _js_sdk_config(request)
    response = render(
        request,
        template,
        {
            **context,
            "share_card": card,
            "wechat_js_sdk": js_sdk,
            "wechat_js_sdk_url": settings.WECHAT_JSSDK_URL,
        },
    )
    if js_sdk is not None:
        response.headers[str(CSP.HEADER_ENFORCE)] = build_policy(
            js_sdk_policy(), get_nonce(request)
        )
    return response
