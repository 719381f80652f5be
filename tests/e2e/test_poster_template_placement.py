"""The brand uploads its poster artwork in the console, clicks on the preview where the QR code
should go, saves, and the preview shows the QR code there (a static script, no inline one)."""

import io
import re

import pytest
import zxingcpp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from PIL import Image

from tests.content.library_fixtures import background_upload
from weishang.content.models import PosterTemplate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def operator(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    user = get_user_model().objects.create_user(
        username="yunying", password="pw-yunying-2026", is_staff=True
    )
    user.groups.add(Group.objects.get_or_create(name="operator")[0])
    return user


def test_a_click_on_the_preview_places_the_qr_code(
    operator, live_server, new_page, screenshot, tmp_path
):
    artwork = tmp_path / "bg.jpg"
    artwork.write_bytes(background_upload((750, 1200)).read())
    page = new_page(phone=False)
    page.goto(live_server.url + "/console/login/")
    page.fill("#id_username", "yunying")
    page.fill("#id_password", "pw-yunying-2026")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/console/$"))

    page.goto(live_server.url + "/console/content/posters/new/")
    page.fill("#id_name", "新年红")
    page.set_input_files("#id_background", str(artwork))
    page.click(".console-page form button[type=submit]")
    page.wait_for_url(re.compile(r"/console/content/posters/\d+/$"))
    preview = page.locator("#poster-preview")
    preview.wait_for()
    box = preview.bounding_box()
    # The upper left quarter of the picture: the QR code's centre goes there.
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25)
    assert page.is_visible("#poster-placed")
    size = int(page.input_value("#id_qr_size"))
    x, y = int(page.input_value("#id_qr_x")), int(page.input_value("#id_qr_y"))
    assert abs(x - (750 * 0.25 - size / 2)) <= 4 and abs(y - (1200 * 0.25 - size / 2)) <= 4
    page.click("#placement button[type=submit]")
    page.wait_for_load_state()
    template = PosterTemplate.objects.get()
    assert (template.qr_x, template.qr_y) == (x, y)
    screenshot(page, "console-1440/poster-template-placed")

    src = page.locator("#poster-preview").get_attribute("src")
    png = page.request.get(live_server.url + src).body()
    poster = Image.open(io.BytesIO(png)).convert("RGB")
    corner = io.BytesIO()
    poster.crop((x, y, x + size, y + size)).save(corner, "PNG")
    decoded = [result.text for result in zxingcpp.read_barcodes(Image.open(corner))]
    assert decoded == [settings.SITE_URL + "/"]
