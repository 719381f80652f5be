"""Themes for tests, made directly with the ORM (the brand's editor is another module's): real
pictures saved through their ImageFields, and a poster template. The calling test points
MEDIA_ROOT at a temporary directory first."""

import io
from datetime import timedelta

import zxingcpp
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from weishang.content.models import PosterTemplate, Theme, ThemeImage, ThemeProduct


def picture(size=(900, 1200), colour=(180, 40, 60), name="art.jpg") -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name=name)


def decoded(png: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def poster_template() -> PosterTemplate:
    template = PosterTemplate(
        name="新年红",
        width=750,
        height=1200,
        qr_x=460,
        qr_y=900,
        qr_size=240,
        name_x=40,
        name_y=900,
        price_x=40,
        price_y=980,
        created_at=timezone.now(),
    )
    template.background.save("bg.jpg", picture((750, 1200)), save=False)
    template.save()
    return template


def make_theme(
    *, products=(), images=1, template=None, status=Theme.Status.PUBLISHED, **fields
) -> Theme:
    now = timezone.now()
    fields.setdefault("title", "红枣新年礼")
    fields.setdefault("copy", "新年送红枣，\n甜甜蜜蜜一整年。")
    theme = Theme.objects.create(
        status=status,
        poster_template=template,
        created_at=now - timedelta(days=1),
        published_at=now - timedelta(days=1),
        **fields,
    )
    for position, product in enumerate(products):
        ThemeProduct.objects.create(theme=theme, product=product, position=position)
    for position in range(images):
        image = ThemeImage(theme=theme, position=position)
        image.image.save(f"theme-{position}.jpg", picture(colour=(40 * position, 90, 60)))
    return theme
