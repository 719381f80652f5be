"""Product pictures for the demo brand, drawn with Pillow so the demo needs no image files."""

import functools
import io

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from weishang.fonts import cjk_font

SIZE = 600

# name: (top colour, bottom colour) of the background gradient
PALETTES = {
    "red": ((255, 243, 232), (246, 205, 190)),
    "gold": ((255, 248, 225), (240, 214, 160)),
    "green": ((240, 248, 236), (200, 226, 196)),
    "tea": ((252, 244, 230), (226, 196, 160)),
    "blue": ((236, 244, 252), (196, 214, 238)),
}
JUJUBE = (168, 30, 36)
JUJUBE_DARK = (110, 18, 24)
LEAF = (84, 140, 62)
GOLD = (214, 170, 70)
INK = (92, 40, 28)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return cjk_font(size)


def _gradient(top, bottom) -> Image.Image:
    mask = Image.linear_gradient("L").resize((SIZE, SIZE))
    return Image.composite(
        Image.new("RGB", (SIZE, SIZE), bottom), Image.new("RGB", (SIZE, SIZE), top), mask
    )


def _jujube(draw: ImageDraw.ImageDraw, cx: int, cy: int, scale: float = 1.0) -> None:
    w, h = int(110 * scale), int(150 * scale)
    box = (cx - w // 2, cy - h // 2, cx + w // 2, cy + h // 2)
    draw.ellipse(box, fill=JUJUBE, outline=JUJUBE_DARK, width=max(2, int(4 * scale)))
    # wrinkles of a dried jujube and a highlight
    for i in range(3):
        x = cx - w // 4 + i * w // 4
        draw.arc(
            (x - w // 5, cy - h // 3, x + w // 5, cy + h // 3), 200, 340, fill=JUJUBE_DARK, width=2
        )
    draw.ellipse((cx - w // 3, cy - h // 3, cx - w // 8, cy - h // 8), fill=(214, 92, 90))
    draw.line(
        (cx, cy - h // 2, cx + int(8 * scale), cy - h // 2 - int(22 * scale)), fill=INK, width=4
    )
    draw.ellipse(
        (
            cx + int(6 * scale),
            cy - h // 2 - int(40 * scale),
            cx + int(46 * scale),
            cy - h // 2 - int(16 * scale),
        ),
        fill=LEAF,
    )


def _pile(draw: ImageDraw.ImageDraw) -> None:
    for cx, cy, s in [
        (210, 300, 0.9),
        (390, 300, 0.9),
        (300, 260, 1.1),
        (250, 360, 0.8),
        (350, 360, 0.8),
    ]:
        _jujube(draw, cx, cy, s)


def _box(draw: ImageDraw.ImageDraw) -> None:
    draw.rounded_rectangle(
        (150, 190, 450, 420), radius=14, fill=JUJUBE, outline=JUJUBE_DARK, width=4
    )
    draw.rectangle((150, 190, 450, 240), fill=(190, 44, 50))
    draw.rectangle((285, 190, 315, 420), fill=GOLD)
    draw.rectangle((150, 290, 450, 315), fill=GOLD)
    draw.ellipse((245, 145, 300, 200), outline=GOLD, width=10)
    draw.ellipse((300, 145, 355, 200), outline=GOLD, width=10)


def _cup(draw: ImageDraw.ImageDraw) -> None:
    draw.ellipse((200, 400, 400, 440), fill=(230, 222, 210))
    draw.rounded_rectangle(
        (210, 230, 390, 420), radius=40, fill=(250, 250, 246), outline=(200, 190, 176), width=4
    )
    draw.arc((360, 270, 440, 360), 270, 90, fill=(200, 190, 176), width=10)
    draw.ellipse((222, 230, 378, 268), fill=(196, 92, 48))
    for x in (250, 300, 345):
        draw.ellipse((x - 10, 242, x + 10, 256), fill=JUJUBE)
    for x in (270, 320):
        draw.arc((x - 20, 150, x + 20, 225), 90, 270, fill=(220, 210, 200), width=4)


def _jar(draw: ImageDraw.ImageDraw) -> None:
    draw.rounded_rectangle(
        (215, 200, 385, 430), radius=30, fill=(236, 170, 50), outline=(180, 120, 30), width=4
    )
    draw.rectangle((235, 170, 365, 205), fill=(150, 60, 40))
    draw.rounded_rectangle((240, 270, 360, 360), radius=10, fill=(255, 250, 236))
    _jujube(draw, 300, 315, 0.45)


def _book(draw: ImageDraw.ImageDraw) -> None:
    draw.rounded_rectangle(
        (190, 170, 420, 440), radius=8, fill=(60, 96, 140), outline=(34, 60, 96), width=4
    )
    draw.rectangle((190, 170, 215, 440), fill=(34, 60, 96))
    draw.rounded_rectangle((240, 210, 395, 330), radius=6, fill=(246, 240, 226))
    _jujube(draw, 318, 272, 0.55)
    for y in (360, 385, 410):
        draw.line((245, y, 390, y), fill=(196, 214, 238), width=6)


SHAPES = {"pile": _pile, "box": _box, "cup": _cup, "jar": _jar, "book": _book}


@functools.cache
def _stage(palette: str) -> Image.Image:
    """The gradient with a soft shadow to stand a product on, drawn once per palette."""
    top, bottom = PALETTES[palette]
    image = _gradient(top, bottom)
    shadow = Image.new("L", (SIZE, SIZE), 0)
    ImageDraw.Draw(shadow).ellipse((150, 420, 450, 470), fill=90)
    image.paste((120, 80, 60), mask=shadow.filter(ImageFilter.GaussianBlur(14)))
    return image


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, optimize=True)
    return buffer.getvalue()


def render_product_image(
    title: str, *, shape: str = "pile", palette: str = "red", subtitle: str = ""
) -> bytes:
    """A square JPEG: gradient background, a drawn product, its name in Chinese underneath."""
    image = _stage(palette).copy()
    draw = ImageDraw.Draw(image)
    SHAPES[shape](draw)
    title_font = _font(50 if len(title) <= 8 else 40)
    draw.text((SIZE // 2, 515), title, font=title_font, fill=INK, anchor="mm")
    if subtitle:
        draw.text((SIZE // 2, 80), subtitle, font=_font(28), fill=(150, 90, 70), anchor="mm")
    return _jpeg(image)


def render_close_up(title: str, *, palette: str = "red", caption: str = "") -> bytes:
    """One jujube, large: the detail shot of a product page."""
    image = _stage(palette).copy()
    draw = ImageDraw.Draw(image)
    _jujube(draw, SIZE // 2, 300, 2.3)
    draw.text((SIZE // 2, 515), title, font=_font(40), fill=INK, anchor="mm")
    if caption:
        draw.text((SIZE // 2, 60), caption, font=_font(28), fill=(150, 90, 70), anchor="mm")
    return _jpeg(image)


def render_facts(title: str, lines: list[str], *, palette: str = "red") -> bytes:
    """A card of the product's facts (origin, sizes, shelf life), as sellers put in a gallery."""
    top, _bottom = PALETTES[palette]
    image = Image.new("RGB", (SIZE, SIZE), top)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((40, 40, SIZE - 40, SIZE - 40), radius=24, outline=JUJUBE, width=6)
    draw.text((SIZE // 2, 110), title, font=_font(44), fill=JUJUBE, anchor="mm")
    body = _font(26)
    for n, line in enumerate(lines[:9]):
        draw.text((80, 180 + n * 44), line[:20], font=body, fill=INK)
    return _jpeg(image)


@functools.cache
def render_origin() -> bytes:
    """The orchard under the desert sun, the same for every product: drawn once."""
    image = _gradient((176, 214, 240), (240, 214, 160))
    draw = ImageDraw.Draw(image)
    draw.ellipse((420, 60, 520, 160), fill=(255, 214, 90))
    draw.polygon(
        [(0, 380), (160, 300), (330, 370), (470, 310), (600, 360), (600, 600), (0, 600)],
        fill=(226, 190, 130),
    )
    for row, y in enumerate((400, 470, 540)):
        for x in range(40 + row * 20, SIZE, 110):
            draw.rectangle((x - 4, y - 10, x + 4, y + 30), fill=INK)
            draw.ellipse((x - 34, y - 60, x + 34, y), fill=LEAF)
            draw.ellipse((x - 12, y - 34, x, y - 20), fill=JUJUBE)
    draw.text((SIZE // 2, 230), "若羌枣园 · 新疆", font=_font(40), fill=INK, anchor="mm")
    return _jpeg(image)


POSTER_WIDTH, POSTER_HEIGHT = 750, 1200
POSTER_RED = ((196, 36, 44), (120, 16, 24))  # top and bottom of the poster's gradient
CREAM = (255, 246, 228)


def render_poster_background() -> bytes:
    """The brand's poster artwork (750 × 1200): a warm red ground, the name 枣知道 in gold over
    a band of jujubes, and a cream card at the bottom where the product name, its price and the
    distributor's QR code are drawn."""
    top, bottom = POSTER_RED
    mask = Image.linear_gradient("L").resize((POSTER_WIDTH, POSTER_HEIGHT))
    image = Image.composite(
        Image.new("RGB", (POSTER_WIDTH, POSTER_HEIGHT), bottom),
        Image.new("RGB", (POSTER_WIDTH, POSTER_HEIGHT), top),
        mask,
    )
    draw = ImageDraw.Draw(image)
    for inset in (24, 36):
        draw.rounded_rectangle(
            (inset, inset, POSTER_WIDTH - inset, POSTER_HEIGHT - inset),
            radius=28,
            outline=GOLD,
            width=3,
        )
    draw.text((POSTER_WIDTH // 2, 170), "枣知道", font=_font(120), fill=GOLD, anchor="mm")
    draw.text(
        (POSTER_WIDTH // 2, 270), "若羌枣园 · 一颗好枣", font=_font(36), fill=CREAM, anchor="mm"
    )
    # The decorative band: a gold ribbon strung with jujubes.
    draw.rectangle((36, 400, POSTER_WIDTH - 36, 470), fill=GOLD)
    draw.rectangle((36, 412, POSTER_WIDTH - 36, 458), fill=(232, 196, 104))
    for n, x in enumerate(range(95, POSTER_WIDTH - 40, 112)):
        _jujube(draw, x, 435 + (8 if n % 2 else -8), 0.42)
    draw.text(
        (POSTER_WIDTH // 2, 580), "枣乡直发 · 满99包邮", font=_font(44), fill=CREAM, anchor="mm"
    )
    draw.text(
        (POSTER_WIDTH // 2, 650),
        "甜在心里的年味",
        font=_font(32),
        fill=(246, 214, 160),
        anchor="mm",
    )
    draw.rounded_rectangle((60, 780, POSTER_WIDTH - 60, 1150), radius=24, fill=CREAM)
    draw.text((90, 1070), "长按识别二维码", font=_font(26), fill=(150, 90, 70))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
