"""Share links, QR codes and share posters for a distributor's store and each product; the QR
codes and the poster drawing serve customers' share links too (``loyalty.share_links``).

Every link carries a signed token (``tokens.make_token``) naming the distributor and how the link
travelled: ``store_link`` / ``product_link`` when copied, ``qr`` inside a QR code, ``poster`` in
the QR code printed on a poster. Posters are drawn with Pillow, Chinese text in a CJK font found
by fontconfig (``weishang.fonts``).
"""

import hashlib
import io
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageOps

from weishang.catalog.models import Product
from weishang.catalog.rules import Price
from weishang.catalog.selectors import sku_price
from weishang.fonts import cjk_font
from weishang.money import format_fen

from .models import Distributor, ShareSource
from .tokens import PARAM, make_token

POSTER_WIDTH = 750
POSTER_HEIGHT = 1120
PICTURE = 750  # the square picture at the top
QR_SIZE = 260
MARGIN = 40
BACKGROUND = (255, 250, 244)
INK = (51, 34, 28)
MUTED = (128, 108, 98)
RED = (200, 36, 44)


# Links -------------------------------------------------------------------------------------------


def share_path(distributor: Distributor, *, source: str, product: Product | None = None) -> str:
    """``/s/<slug>/?ref=…`` for the store, ``/p/<product slug>/?ref=…`` for a product."""
    token = make_token(
        distributor_id=distributor.pk, source=source, product_id=product.pk if product else None
    )
    if product is None:
        path = reverse("storefront:microstore", args=[distributor.slug])
    else:
        path = reverse("storefront:product_detail", args=[product.url_key])
    return f"{path}?{urlencode({PARAM: token})}"


def absolute(path: str) -> str:
    """``path`` on the site's canonical address (``settings.SITE_URL``), never on the Host a
    request named: a share link, QR code or poster must lead to the brand's own site."""
    return settings.SITE_URL + path


def share_url(distributor: Distributor, *, source: str, product: Product | None = None) -> str:
    return absolute(share_path(distributor, source=source, product=product))


def invite_url(distributor: Distributor) -> str:
    """The link inviting someone to apply as a distributor, with him as the inviter."""
    return absolute(reverse("storefront:distributor_apply") + f"?invite={distributor.slug}")


def store_link(distributor: Distributor) -> str:
    return share_path(distributor, source=ShareSource.STORE_LINK)


def product_link(distributor: Distributor, product: Product) -> str:
    return share_path(distributor, source=ShareSource.PRODUCT_LINK, product=product)


# QR codes ----------------------------------------------------------------------------------------


def _qr(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def qr_png(url: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    _qr(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_svg(url: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    _qr(url).save(buffer, kind="svg", scale=scale, border=4, xmldecl=True)
    return buffer.getvalue()


def qr_image(url: str, size: int) -> Image.Image:
    image = Image.open(io.BytesIO(qr_png(url, scale=10))).convert("RGB")
    return image.resize((size, size), Image.Resampling.NEAREST)


# Posters -----------------------------------------------------------------------------------------


def lowest_price(product: Product) -> Price | None:
    """The cheapest current brand price among the product's active SKUs (prefetched)."""
    prices = [sku_price(sku) for sku in product.skus.all() if sku.is_active]
    return min(prices, key=lambda price: price.amount_fen) if prices else None


def _picture_file(distributor: Distributor, product: Product | None):
    if product is not None:
        image = product.main_image
        return image.image if image else None
    return distributor.avatar or None


def _poster_price(product: Product | None, price: Price | None) -> Price | None:
    if product is None:
        return None
    return price if price is not None else lowest_price(product)


def poster_fingerprint(
    distributor: Distributor, product: Product | None = None, *, price: Price | None = None
) -> str:
    """Changes whenever anything drawn on the poster changes (but not with the token's age):
    an ETag and a cache key."""
    picture = _picture_file(distributor, product)
    price = _poster_price(product, price)
    parts = [
        "poster-v1",
        settings.SITE_URL,
        distributor.slug,
        distributor.store_name,
        distributor.intro,
        picture.name if picture else "",
        product.url_key if product else "",
        product.name if product else "",
        str(price.amount_fen) if price else "",
        get_language() or "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _open_picture(file) -> Image.Image | None:
    if not file:
        return None
    try:
        with file.open("rb") as handle:
            image = Image.open(handle)
            image.load()
    except Exception:  # a missing or broken file: the poster is drawn without it
        return None
    return ImageOps.fit(image.convert("RGB"), (PICTURE, PICTURE), Image.Resampling.LANCZOS)


def _placeholder(title: str) -> Image.Image:
    image = Image.new("RGB", (PICTURE, PICTURE), (246, 205, 190))
    draw = ImageDraw.Draw(image)
    draw.text((PICTURE // 2, PICTURE // 2), title[:1], font=cjk_font(260), fill=RED, anchor="mm")
    return image


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, lines: int) -> list[str]:
    """Breaks text (Chinese has no spaces) into at most ``lines`` lines that fit ``width``."""
    result, current = [], ""
    for char in text:
        if draw.textlength(current + char, font=font) > width:
            result.append(current)
            current = char
            if len(result) == lines:
                break
        else:
            current += char
    else:
        result.append(current)
        return [line for line in result if line]
    last = result[-1]
    while last and draw.textlength(last + "…", font=font) > width:
        last = last[:-1]
    result[-1] = last + "…"
    return result


def poster_png(
    distributor: Distributor,
    *,
    url: str,
    product: Product | None = None,
    price: Price | None = None,
) -> bytes:
    """A distributor's share poster: picture, name, price (for a product: the brand's, or
    ``price``, his own as a reseller, which whoever scans it is charged), store name and a QR code
    of ``url`` (the share link with source ``poster``)."""
    price = _poster_price(product, price)
    return draw_poster(
        title=product.name if product else distributor.store_name,
        picture=_picture_file(distributor, product),
        price_fen=price.amount_fen if price else None,
        intro="" if product is not None else distributor.intro,
        footer=_("From %(store)s") % {"store": distributor.store_name},
        url=url,
    )


def draw_poster(
    *, title: str, picture, price_fen: int | None, intro: str, footer: str, url: str
) -> bytes:
    """Any share poster: ``picture`` (an image file, or a placeholder with the title's first
    character), the title, the price or else an intro, a footer line and a QR code of ``url``."""
    poster = Image.new("RGB", (POSTER_WIDTH, POSTER_HEIGHT), BACKGROUND)
    poster.paste(_open_picture(picture) or _placeholder(title), (0, 0))
    draw = ImageDraw.Draw(poster)

    text_width = POSTER_WIDTH - 3 * MARGIN - QR_SIZE
    y = PICTURE + 30
    for line in _wrap(draw, title, cjk_font(40), text_width, 2):
        draw.text((MARGIN, y), line, font=cjk_font(40), fill=INK)
        y += 52
    if price_fen is not None:
        draw.text((MARGIN, y + 8), format_fen(price_fen), font=cjk_font(56), fill=RED)
        y += 80
    elif intro:
        for line in _wrap(draw, intro, cjk_font(28), text_width, 2):
            draw.text((MARGIN, y), line, font=cjk_font(28), fill=MUTED)
            y += 38
    for line in _wrap(draw, footer, cjk_font(30), text_width, 2):
        draw.text((MARGIN, y + 10), line, font=cjk_font(30), fill=MUTED)
        y += 40

    qr_top = PICTURE + 24
    qr_left = POSTER_WIDTH - MARGIN - QR_SIZE
    poster.paste(qr_image(url, QR_SIZE), (qr_left, qr_top))
    draw.text(
        (qr_left + QR_SIZE // 2, qr_top + QR_SIZE + 28),
        _("Scan to open"),
        font=cjk_font(26),
        fill=MUTED,
        anchor="mm",
    )
    buffer = io.BytesIO()
    poster.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
