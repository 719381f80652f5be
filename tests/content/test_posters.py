"""Pictures with a distributor's QR code: drawn on the brand's template, or stamped on a theme's
picture; a phone scanning either opens the link."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from tests.content.themes import decoded, picture, poster_template
from weishang.content.posters import PictureUnreadable, draw_on_template, stamp_qr

pytestmark = pytest.mark.django_db
URL = "https://shop.example.cn/p/hongzao/?ref=abc.def-ghi&post=Kx9"


def test_a_poster_on_the_brands_template_carries_the_link_where_the_brand_placed_it(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    template = poster_template()

    png = draw_on_template(template, title="新疆若羌灰枣 一级 500g", price_fen=3990, url=URL)

    poster = Image.open(io.BytesIO(png))
    assert poster.size == (750, 1200)
    assert decoded(png) == [URL]
    qr_corner = poster.crop((460, 900, 700, 1140))
    assert decoded(_png(qr_corner)) == [URL]


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("size", [(1600, 1200), (300, 200), (1080, 1080)])
def test_a_theme_picture_of_any_size_gets_a_scannable_qr_code(size, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    png = stamp_qr(picture(size), url=URL)

    stamped = Image.open(io.BytesIO(png))
    assert max(stamped.size) <= 1080
    assert decoded(png) == [URL]


def test_a_missing_picture_is_reported_not_drawn(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    broken = ContentFile(b"not a picture", name="broken.jpg")
    with pytest.raises(PictureUnreadable):
        stamp_qr(broken, url=URL)
