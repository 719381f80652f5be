"""A store poster without an avatar used to be a bare letter on pink: once the brand has a poster
template in use, a distributor's store poster is drawn on the brand's artwork, with his store's
name and a QR code of his poster link where the brand placed them."""

import io

import pytest
from django.conf import settings
from PIL import Image

from tests.content.library_fixtures import background_upload
from tests.storefront.test_microstore import decode, token_of
from weishang.content import library
from weishang.content.poster_rules import Placement
from weishang.distribution.models import ShareSource

pytestmark = pytest.mark.django_db
ARTWORK = (200, 160, 60)  # the background's colour (background_upload)


@pytest.fixture(autouse=True)
def media_dirs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def store(make_distributor):
    return make_distributor(store_name="阿三的枣铺")


def _poster(client, store):
    response = client.get(f"/s/{store.slug}/poster.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    return response


def _near(colour, expected, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def test_the_store_poster_is_drawn_on_the_brands_template(client, brand, staff, store):
    plain = _poster(client, store)
    template = library.create_poster_template(
        actor=staff, name="新年红", background=background_upload((750, 1200))
    )
    response = _poster(client, store)
    assert response["ETag"] != plain["ETag"]
    poster = Image.open(io.BytesIO(response.content)).convert("RGB")
    assert poster.size == (750, 1200)
    assert _near(poster.getpixel((5, 5)), ARTWORK)  # the brand's background, not the pink
    url = decode(response.content)
    assert url.startswith(f"{settings.SITE_URL}/s/{store.slug}/?ref=")
    token = token_of(url)
    assert (token.distributor_id, token.source, token.product_id) == (
        store.pk,
        ShareSource.POSTER,
        None,
    )
    corner = io.BytesIO()
    box = (
        template.qr_x,
        template.qr_y,
        template.qr_x + template.qr_size,
        template.qr_y + template.qr_size,
    )
    poster.crop(box).save(corner, "PNG")
    assert decode(corner.getvalue()) == url


def test_moving_the_qr_code_or_taking_the_template_out_of_use_makes_a_new_poster(
    client, brand, staff, store
):
    template = library.create_poster_template(
        actor=staff, name="新年红", background=background_upload((750, 1200))
    )
    first = _poster(client, store)["ETag"]
    library.edit_poster_template(
        actor=staff,
        template=template,
        name="新年红",
        placement=Placement(
            qr_x=40,
            qr_y=40,
            qr_size=300,
            name_x=40,
            name_y=900,
            name_size=40,
            price_x=40,
            price_y=980,
            price_size=56,
        ),
        text_color="#33221c",
        price_color="#c8242c",
    )
    moved = _poster(client, store)
    assert moved["ETag"] != first
    assert decode(moved.content).startswith(f"{settings.SITE_URL}/s/{store.slug}/?ref=")
    library.set_poster_template_in_use(actor=staff, template=template, in_use=False)
    plain = _poster(client, store)
    assert plain["ETag"] not in (first, moved["ETag"])
    assert Image.open(io.BytesIO(plain.content)).size != (750, 1200)


def test_a_product_poster_is_unchanged_by_a_template(client, brand, staff, store, sku):
    path = f"/s/{store.slug}/p/{sku.product.slug}/poster.png"
    before = client.get(path)["ETag"]
    library.create_poster_template(
        actor=staff, name="新年红", background=background_upload((750, 1200))
    )
    assert client.get(path)["ETag"] == before
