"""The material library and poster templates in the brand console: an operator builds a theme
(words, ordered products, pictures, voice, video), publishes it, and places the QR code on his
own poster artwork with a live preview. Voice and video are served only to staff and to
distributors, with the type checked on upload."""

import io
from datetime import timedelta

import pytest
import zxingcpp
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.content.library_fixtures import MP3, MP4, background_upload, media_upload
from tests.helpers import png_upload
from weishang.compliance.models import AuditEntry
from weishang.content import library
from weishang.content.models import PosterTemplate, Theme, ThemeMedia

from .conftest import messages_of

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def media_dirs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _theme(staff, *, published=False, **fields):
    theme = library.create_theme(actor=staff, **({"title": "新年礼盒", "copy": "甜"} | fields))
    if published:
        library.add_theme_image(actor=staff, theme=theme, image_file=png_upload())
        library.publish_theme(actor=staff, theme=theme)
    return theme


def test_an_operator_builds_and_publishes_a_theme_with_ordered_products(
    console, staff, make_product
):
    first, second = make_product(name="灰枣"), make_product(name="骏枣")
    response = console.post(
        reverse("console:theme_new"),
        {
            "title": "年货节",
            "copy": "一年的甜。",
            "products": ["", str(second.product_id), str(first.product_id), ""],
            "valid_from": "2026-01-01T00:00",
            "valid_until": "2099-01-01T00:00",
        },
        follow=True,
    )
    theme = Theme.objects.get()
    assert response.redirect_chain[-1][0] == reverse("console:theme_edit", args=[theme.pk])
    page = response.content.decode()
    assert page.index("骏枣</option>") and "Publish" in page
    assert [link.product_id for link in theme.theme_products.all()] == [
        second.product_id,
        first.product_id,
    ]
    refused = console.post(reverse("console:theme_publish", args=[theme.pk]), follow=True)
    assert "Add at least one picture before publishing the theme." in messages_of(refused)
    console.post(reverse("console:theme_image_add", args=[theme.pk]), {"file": png_upload()})
    published = console.post(reverse("console:theme_publish", args=[theme.pk]), follow=True)
    assert "The theme is published: distributors see it in their library." in messages_of(published)
    assert Theme.objects.get().status == Theme.Status.PUBLISHED


@pytest.mark.parametrize(
    ("kind", "content", "name", "message"),
    [
        ("voice", MP4, "voice.mp3", "A voice file must be an MP3, M4A or AMR recording."),
        ("video", b"<html><script>alert(1)</script>", "film.mp4", "A video must be an MP4 file."),
        ("video", MP4.ljust(library.MAX_VIDEO_BYTES + 1, b"\0"), "big.mp4", "at most 50 MB"),
    ],
)
def test_a_wrong_or_oversized_file_is_refused_with_a_clear_message(
    console, staff, kind, content, name, message
):
    theme = _theme(staff)
    response = console.post(
        reverse("console:theme_media_add", args=[theme.pk]),
        {"kind": kind, "file": media_upload(content, name)},
        follow=True,
    )
    assert response.status_code == 200
    assert any(message in shown for shown in messages_of(response))
    assert not ThemeMedia.objects.exists()


def test_staff_hear_a_voice_file_with_the_type_checked_on_upload(console, staff):
    theme = _theme(staff)
    media = library.attach_theme_media(
        actor=staff,
        theme=theme,
        kind="voice",
        upload=media_upload(MP3, '我的"声音".html', content_type="text/html"),
    )
    response = console.get(reverse("console:theme_media", args=[theme.pk, media.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (f'inline; filename="theme-{theme.pk}-voice.mp3"')
    assert b"".join(response.streaming_content) == MP3
    other = _theme(staff, title="别的")
    assert console.get(reverse("console:theme_media", args=[other.pk, media.pk])).status_code == 404


def test_distributors_play_media_of_published_valid_themes_only(
    client, staff, make_distributor, make_customer
):
    now = timezone.now()
    live = _theme(staff, published=True, title="在用")
    ended = _theme(staff, published=True, title="过期")
    draft = _theme(staff, title="草稿")
    media = {
        theme.title: library.attach_theme_media(
            actor=staff, theme=theme, kind="video", upload=media_upload(MP4, "v.mp4")
        )
        for theme in (live, ended, draft)
    }
    Theme.objects.filter(pk=ended.pk).update(
        valid_from=now - timedelta(days=2), valid_until=now - timedelta(days=1)
    )
    url = reverse("distributor:theme_media", args=[media["在用"].pk])

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    client.force_login(make_customer().user)
    assert client.get(url).status_code == 403  # a customer who does not distribute
    client.force_login(make_distributor().customer.user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    for title in ("过期", "草稿"):
        other = reverse("distributor:theme_media", args=[media[title].pk])
        assert client.get(other).status_code == 404
    # The console's own route, which serves any theme's file, is staff only.
    staff_url = reverse("console:theme_media", args=[draft.pk, media["草稿"].pk])
    assert client.get(staff_url).status_code == 302


def test_markup_in_a_title_or_copy_is_shown_as_text_to_other_staff(
    console, client, staff, django_user_model
):
    console.post(reverse("console:theme_new"), {"title": XSS[:60], "copy": XSS})
    theme = Theme.objects.get()
    assert theme.copy == XSS
    colleague = django_user_model.objects.create_user(username="colleague", is_staff=True)
    colleague.groups.add(Group.objects.get_or_create(name="auditor")[0])
    client.force_login(colleague)
    for url in (reverse("console:theme_list"), reverse("console:theme_edit", args=[theme.pk])):
        page = client.get(url).content.decode()
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_theme_list_takes_the_same_queries_however_many_themes(
    console, staff, make_product, django_assert_max_num_queries
):
    def themes(n):
        product = make_product()
        for i in range(n):
            theme = _theme(staff, title=f"主题{i}", product_ids=[product.product_id])
            library.add_theme_image(actor=staff, theme=theme, image_file=png_upload())

    themes(1)
    with django_assert_max_num_queries(9) as one:
        console.get(reverse("console:theme_list"))
    themes(6)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = console.get(reverse("console:theme_list")).content.decode()
    assert page.count('id="theme-') == 7 and "Every customer" in page


def test_the_template_list_takes_the_same_queries_however_many_templates(
    console, staff, django_assert_max_num_queries
):
    library.create_poster_template(actor=staff, name="一", background=background_upload())
    with django_assert_max_num_queries(8) as one:
        console.get(reverse("console:poster_template_list"))
    for name in ("二", "三", "四"):
        library.create_poster_template(actor=staff, name=name, background=background_upload())
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = console.get(reverse("console:poster_template_list")).content.decode()
    assert page.count('id="template-') == 4


def _decoded(png: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_a_brand_uploads_artwork_and_sees_the_qr_code_where_it_placed_it(console, staff, settings):
    response = console.post(
        reverse("console:poster_template_new"),
        {"name": "新年红", "background": background_upload((750, 1200))},
        follow=True,
    )
    template = PosterTemplate.objects.get()
    page = response.content.decode()
    preview_url = reverse("console:poster_template_preview", args=[template.pk])
    assert f'src="{preview_url}"' in page
    assert "console/poster_placement.js" in page and "<script>" not in page
    saved = console.post(
        reverse("console:poster_template_edit", args=[template.pk]),
        {
            "name": "新年红",
            "qr_x": "40",
            "qr_y": "40",
            "qr_size": "300",
            "name_x": "40",
            "name_y": "900",
            "name_size": "40",
            "price_x": "40",
            "price_y": "980",
            "price_size": "56",
            "text_color": "#33221c",
            "price_color": "#c8242c",
        },
        follow=True,
    )
    assert "The template is saved." in messages_of(saved)
    preview = console.get(preview_url)
    assert preview["Content-Type"] == "image/png"
    poster = Image.open(io.BytesIO(preview.content))
    assert poster.size == (750, 1200)
    assert _decoded(preview.content) == [settings.SITE_URL + "/"]
    corner = io.BytesIO()
    poster.crop((40, 40, 340, 340)).save(corner, "PNG")
    assert _decoded(corner.getvalue()) == [settings.SITE_URL + "/"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("qr_x", "６００", "whole number"),
        ("qr_x", "abc", "whole number"),
        ("qr_x", "600", "wholly inside"),
        ("qr_size", "60", "greater than or equal to 120"),
        ("text_color", "red", "Choose a colour."),
    ],
)
def test_bad_placement_input_is_a_message_and_changes_nothing(
    console, staff, field, value, message
):
    template = library.create_poster_template(
        actor=staff, name="新年红", background=background_upload((750, 1200))
    )
    data = {
        "name": "新年红",
        "qr_x": "40",
        "qr_y": "40",
        "qr_size": "240",
        "name_x": "40",
        "name_y": "900",
        "name_size": "40",
        "price_x": "40",
        "price_y": "980",
        "price_size": "56",
        "text_color": "#33221c",
        "price_color": "#c8242c",
    } | {field: value}
    audited = AuditEntry.objects.count()
    response = console.post(
        reverse("console:poster_template_edit", args=[template.pk]), data, follow=True
    )
    assert response.status_code == 200
    assert any(message in shown for shown in messages_of(response)), messages_of(response)
    assert AuditEntry.objects.count() == audited
    assert PosterTemplate.objects.get().qr_x == template.qr_x


def test_a_phone_seeks_in_a_video_with_byte_ranges(console, staff):
    theme = _theme(staff)
    media = library.attach_theme_media(
        actor=staff, theme=theme, kind="video", upload=media_upload(MP4, "v.mp4")
    )
    url = reverse("console:theme_media", args=[theme.pk, media.pk])
    whole = console.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    for header, expected, content_range in [
        ("bytes=4-11", MP4[4:12], f"bytes 4-11/{len(MP4)}"),
        ("bytes=70-", MP4[70:], f"bytes 70-{len(MP4) - 1}/{len(MP4)}"),
        ("bytes=-6", MP4[-6:], f"bytes {len(MP4) - 6}-{len(MP4) - 1}/{len(MP4)}"),
    ]:
        part = console.get(url, HTTP_RANGE=header)
        assert part.status_code == 206, header
        assert part["Content-Type"] == "video/mp4" and part["Content-Range"] == content_range
        assert b"".join(part.streaming_content) == expected
    beyond = console.get(url, HTTP_RANGE=f"bytes={len(MP4) + 5}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(MP4)}"
    several = console.get(url, HTTP_RANGE="bytes=0-1,4-5")
    assert several.status_code == 200 and b"".join(several.streaming_content) == MP4


def test_the_editor_plays_voice_and_video_in_the_page(console, staff):
    theme = _theme(staff)
    for kind, content in (("voice", MP3), ("video", MP4)):
        library.attach_theme_media(
            actor=staff, theme=theme, kind=kind, upload=media_upload(content, "a")
        )
    page = console.get(reverse("console:theme_edit", args=[theme.pk])).content.decode()
    assert "<audio controls" in page and "<video" in page
