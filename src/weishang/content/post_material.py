"""What a post hands out: its links (his signed share links with source "personal post" and the
post's key) and its pictures (each theme picture with his QR code, and a poster on the theme's
template), drawn once a day and cached, and all of them in one zip file."""

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from weishang.catalog.models import Product
from weishang.distribution import sharing
from weishang.distribution.models import ShareSource

from .models import Post, PosterTemplate
from .posters import PictureUnreadable, draw_on_template, stamp_qr

PARAM = "post"
CACHE_SECONDS = 24 * 3600


def products_of(post: Post) -> list[Product]:
    """The post's products: its theme's published ones (prefetched), in the brand's order."""
    if post.theme is None:
        return []
    return [row.product for row in post.theme.theme_products.all()]


def link(post: Post, product: Product | None = None) -> str:
    """His share link to the product (else his store) that also names the post."""
    path = sharing.share_path(post.distributor, source=ShareSource.POST, product=product)
    return f"{path}&{urlencode({PARAM: post.key})}"


def main_link(post: Post) -> str:
    """The absolute link the post's QR codes carry: its first product's, else his store's."""
    products = products_of(post)
    return sharing.absolute(link(post, products[0] if products else None))


def product_links(post: Post) -> list[dict]:
    return [{"product": product, "link": link(post, product)} for product in products_of(post)]


# Pictures ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    fingerprint: str  # changes whenever anything drawn changes: the cache key and the ETag
    draw: Callable[[], bytes]


def _fingerprint(post: Post, *parts) -> str:
    text = "\x1f".join(
        ["post-picture-v1", settings.SITE_URL, post.key, post.distributor.slug, post.text]
        + [str(part) for part in parts]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _template_parts(template: PosterTemplate) -> list:
    return [
        template.pk,
        template.background.name,
        template.width,
        template.height,
        template.qr_x,
        template.qr_y,
        template.qr_size,
        template.name_x,
        template.name_y,
        template.name_size,
        template.price_x,
        template.price_y,
        template.price_size,
        template.text_color,
        template.price_color,
    ]


def pictures(post: Post) -> list[Picture]:
    """One picture per theme image with his QR code, then the theme's poster (if it has a
    template): the first product's name and lowest price, else the theme's title."""
    theme = post.theme
    if theme is None:
        return []
    url = main_link(post)
    found = [
        Picture(
            _fingerprint(post, "image", image.image.name, url.split("?")[0]),
            lambda image=image: stamp_qr(image.image, url=url),
        )
        for image in theme.images.all()
    ]
    template = theme.poster_template
    if template is not None:
        products = products_of(post)
        product = products[0] if products else None
        price = sharing.lowest_price(product) if product is not None else None
        title = product.name if product is not None else theme.title
        price_fen = price.amount_fen if price is not None else None
        found.append(
            Picture(
                _fingerprint(post, "poster", title, price_fen, *_template_parts(template)),
                lambda: draw_on_template(template, title=title, price_fen=price_fen, url=url),
            )
        )
    return found


def picture_key(picture: Picture) -> str:
    """The day's key of a picture (its QR token is renewed daily, long before it goes stale)."""
    day = timezone.localdate().isoformat()
    return hashlib.sha256(f"{picture.fingerprint}|{day}".encode()).hexdigest()[:32]


def png(picture: Picture) -> bytes:
    """The drawn picture, from the cache when drawn today; raises PictureUnreadable."""
    cache_key = f"weishang:post-picture:{picture_key(picture)}"
    content = cache.get(cache_key)
    if content is None:
        content = picture.draw()
        cache.set(cache_key, content, CACHE_SECONDS)
    return content


def zip_file(post: Post) -> bytes:
    """Every picture of the post as post-1.png, post-2.png…; a broken stored picture is left
    out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for number, picture in enumerate(pictures(post), start=1):
            try:
                archive.writestr(f"post-{number}.png", png(picture))
            except PictureUnreadable:
                continue
    return buffer.getvalue()
