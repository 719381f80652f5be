"""Pictures that carry a distributor's QR code: a poster drawn on the brand's own template, and a
theme's picture with his QR code stamped in its corner. The QR code itself and the CJK font are
``distribution.sharing``'s and ``weishang.fonts``'s; nothing here knows who the distributor is,
only the link to encode."""

import io

from PIL import Image, ImageColor, ImageDraw, ImageOps

from weishang.distribution.sharing import qr_image
from weishang.fonts import cjk_font
from weishang.money import format_fen

from .models import PosterTemplate

STAMP_MAX_SIDE = 1080
STAMP_SHARE = 0.28  # of the picture's shorter side
STAMP_MIN_QR = 180
STAMP_PADDING = 14


class PictureUnreadable(Exception):
    """A stored picture is missing or broken; the caller leaves it out."""


def _open(file) -> Image.Image:
    try:
        with file.open("rb") as handle:
            image = Image.open(handle)
            image.load()
    except Exception as exc:  # Pillow and storages raise many kinds for a missing or broken file
        raise PictureUnreadable(str(exc)) from exc
    return ImageOps.exif_transpose(image).convert("RGB")


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _fit_line(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def draw_on_template(
    template: PosterTemplate, *, title: str, price_fen: int | None, url: str
) -> bytes:
    """The template's background with a QR code of ``url``, the title and (when given) the price
    drawn where the brand placed them."""
    poster = _open(template.background)
    if poster.size != (template.width, template.height):
        poster = poster.resize((template.width, template.height), Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(poster)
    text_color = ImageColor.getrgb(template.text_color)
    name_font = cjk_font(template.name_size)
    name_room = max(template.width - template.name_x - 10, template.name_size)
    draw.text(
        (template.name_x, template.name_y),
        _fit_line(draw, title, name_font, name_room),
        font=name_font,
        fill=text_color,
    )
    if price_fen is not None:
        draw.text(
            (template.price_x, template.price_y),
            format_fen(price_fen),
            font=cjk_font(template.price_size),
            fill=ImageColor.getrgb(template.price_color),
        )
    poster.paste(qr_image(url, template.qr_size), (template.qr_x, template.qr_y))
    return _png(poster)


def stamp_qr(picture, *, url: str) -> bytes:
    """The picture (at most 1080 pixels a side) with a QR code of ``url`` on a white card in its
    lower right corner, large enough to scan from a phone screen."""
    image = _open(picture)
    image.thumbnail((STAMP_MAX_SIDE, STAMP_MAX_SIDE), Image.Resampling.LANCZOS)
    size = max(int(min(image.size) * STAMP_SHARE), STAMP_MIN_QR)
    card = size + 2 * STAMP_PADDING
    if image.width < card or image.height < card:
        canvas = Image.new("RGB", (max(image.width, card), max(image.height, card)), "white")
        canvas.paste(image, (0, 0))
        image = canvas
    left, top = image.width - card, image.height - card
    ImageDraw.Draw(image).rectangle((left, top, image.width, image.height), fill="white")
    image.paste(qr_image(url, size), (left + STAMP_PADDING, top + STAMP_PADDING))
    return _png(image)
