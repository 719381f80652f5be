"""The material library's services: a theme is built up as a draft, checked on every upload and
published only when distributors can use it; poster templates take the brand's artwork. Every act
is audited and a refused one changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from weishang.catalog.models import Product
from weishang.community.models import Segment
from weishang.compliance.models import AuditEntry
from weishang.content import library, pictures
from weishang.content.errors import ContentError
from weishang.content.models import PosterTemplate, Theme, ThemeMedia
from weishang.content.poster_rules import Placement

from .library_fixtures import (
    AMR,
    M4A,
    MP3,
    MP4,
    background_upload,
    media_upload,
    picture_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_dirs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path


def make_theme(staff, **fields):
    return library.create_theme(
        actor=staff, **({"title": "新年礼盒", "copy": "红枣甜，年味浓。"} | fields)
    )


def segment():
    now = timezone.now()
    return Segment.objects.create(name="老客户", min_orders=2, created_at=now, updated_at=now)


def template(staff, name="新年红", **fields):
    return library.create_poster_template(
        actor=staff, name=name, background=background_upload(**fields)
    )


def test_a_theme_links_products_on_sale_in_the_order_given_with_its_audience(staff, make_product):
    first, second = make_product(), make_product()
    audience = segment()
    theme = make_theme(
        staff, product_ids=[second.product_id, first.product_id], segment_id=audience.pk
    )
    assert theme.status == Theme.Status.DRAFT
    assert [link.product_id for link in library.theme_detail(theme.pk).theme_products.all()] == [
        second.product_id,
        first.product_id,
    ]
    assert theme.segment == audience
    entry = AuditEntry.objects.get(action="theme.create")
    assert entry.actor == staff and entry.after["products"] == [
        second.product_id,
        first.product_id,
    ]


def test_a_product_not_on_sale_cannot_be_linked(staff, make_product):
    draft = make_product()
    Product.objects.filter(pk=draft.product_id).update(status=Product.Status.DRAFT)
    audited = AuditEntry.objects.count()
    with pytest.raises(ContentError, match="on sale"):
        make_theme(staff, product_ids=[draft.product_id])
    assert not Theme.objects.exists() and AuditEntry.objects.count() == audited


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "title"),
        ({"copy": "枣" * 2001}, "at most 2000"),
        (
            {"valid_from": timezone.now(), "valid_until": timezone.now() - timedelta(days=1)},
            "before",
        ),
    ],
)
def test_bad_theme_fields_are_refused_with_a_message(staff, fields, message):
    with pytest.raises(ContentError, match=message):
        make_theme(staff, **fields)
    assert not Theme.objects.exists()


def test_publishing_needs_copy_and_a_picture(staff):
    theme = make_theme(staff, copy="")
    with pytest.raises(ContentError, match="copy"):
        library.publish_theme(actor=staff, theme=theme)
    library.edit_theme(actor=staff, theme=theme, title=theme.title, copy="甜")
    with pytest.raises(ContentError, match="picture"):
        library.publish_theme(actor=staff, theme=theme)
    library.add_theme_image(actor=staff, theme=theme, image_file=picture_upload())
    published = library.publish_theme(actor=staff, theme=theme)
    assert published.status == Theme.Status.PUBLISHED and published.published_at
    library.withdraw_theme(actor=staff, theme=theme)
    assert Theme.objects.get().status == Theme.Status.WITHDRAWN
    assert list(
        AuditEntry.objects.filter(object_id=str(theme.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["theme.create", "theme.update", "theme.image_add", "theme.publish", "theme.withdraw"]


def test_a_template_out_of_use_is_refused(staff):
    artwork = template(staff)
    theme = make_theme(staff, poster_template_id=artwork.pk)
    library.add_theme_image(actor=staff, theme=theme, image_file=picture_upload())
    library.set_poster_template_in_use(actor=staff, template=artwork, in_use=False)
    with pytest.raises(ContentError, match="not in use"):
        library.publish_theme(actor=staff, theme=theme)
    with pytest.raises(ContentError, match="not in use"):
        make_theme(staff, poster_template_id=artwork.pk)
    assert Theme.objects.get().status == Theme.Status.DRAFT


def test_a_template_published_themes_use_stays_in_use(staff):
    artwork = template(staff)
    theme = make_theme(staff, poster_template_id=artwork.pk)
    library.add_theme_image(actor=staff, theme=theme, image_file=picture_upload())
    library.publish_theme(actor=staff, theme=theme)
    with pytest.raises(ContentError, match="新年礼盒"):
        library.set_poster_template_in_use(actor=staff, template=artwork, in_use=False)
    assert PosterTemplate.objects.get().is_active


def test_pictures_are_checked_counted_and_reordered(staff):
    theme = make_theme(staff)
    with pytest.raises(ContentError, match="JPEG, PNG or WebP"):
        library.add_theme_image(
            actor=staff, theme=theme, image_file=media_upload(b"<svg onload=alert(1)>", "x.png")
        )
    images = [
        library.add_theme_image(
            actor=staff, theme=theme, image_file=picture_upload(name="../x.png")
        )
        for _ in range(library.MAX_IMAGES)
    ]
    assert all(image.image.name.startswith("content/themes/theme-") for image in images)
    with pytest.raises(ContentError, match="at most 9 pictures"):
        library.add_theme_image(actor=staff, theme=theme, image_file=picture_upload())
    order = [image.pk for image in reversed(images)]
    library.reorder_theme_images(actor=staff, theme=theme, image_ids=order)
    assert [image.pk for image in library.theme_detail(theme.pk).images.all()] == order
    with pytest.raises(ContentError, match="reload"):
        library.reorder_theme_images(actor=staff, theme=theme, image_ids=order[1:])
    library.remove_theme_image(actor=staff, theme=theme, image_id=order[0])
    assert theme.images.count() == library.MAX_IMAGES - 1


def test_an_oversized_picture_is_refused(staff, monkeypatch):
    monkeypatch.setattr(pictures, "MAX_BYTES", 10)
    with pytest.raises(ContentError, match="at most 0 MB"):
        library.add_theme_image(actor=staff, theme=make_theme(staff), image_file=picture_upload())


@pytest.mark.parametrize(
    ("kind", "content", "content_type"),
    [
        ("voice", MP3, "audio/mpeg"),
        ("voice", M4A, "audio/mp4"),
        ("voice", AMR, "audio/amr"),
        ("video", MP4, "video/mp4"),
    ],
)
def test_voice_and_video_are_stored_privately_with_their_checked_type(
    staff, media_dirs, kind, content, content_type
):
    theme = make_theme(staff)
    media = library.attach_theme_media(
        actor=staff,
        theme=theme,
        kind=kind,
        upload=media_upload(content, "clip.exe", content_type="text/html"),
    )
    assert (media.kind, media.content_type, media.size) == (kind, content_type, len(content))
    assert not media.file.name.endswith(".exe") and "clip" not in media.file.name
    assert (media_dirs / "private" / media.file.name).exists()
    assert not (media_dirs / "public" / media.file.name).exists()


@pytest.mark.parametrize(
    ("kind", "content", "name", "message"),
    [
        ("voice", MP4, "song.mp3", "MP3, M4A or AMR"),
        ("video", MP3, "film.mp4", "MP4"),
        ("video", b"<html><script>alert(1)</script>", "film.mp4", "MP4"),
        ("voice", b"MZ\x90\x00", "voice.amr", "MP3, M4A or AMR"),
    ],
)
def test_the_wrong_kind_or_a_forged_extension_is_refused(staff, kind, content, name, message):
    theme = make_theme(staff)
    with pytest.raises(ContentError, match=message):
        library.attach_theme_media(
            actor=staff, theme=theme, kind=kind, upload=media_upload(content, name)
        )
    assert not ThemeMedia.objects.exists()


@pytest.mark.parametrize(
    ("kind", "limit", "message"),
    [
        ("voice", library.MAX_VOICE_BYTES, "at most 10 MB"),
        ("video", library.MAX_VIDEO_BYTES, "at most 50 MB"),
    ],
)
def test_an_oversized_voice_or_video_is_refused(staff, kind, limit, message):
    content = (MP3 if kind == "voice" else MP4).ljust(limit + 1, b"\x00")
    with pytest.raises(ContentError, match=message):
        library.attach_theme_media(
            actor=staff, theme=make_theme(staff), kind=kind, upload=media_upload(content, "a")
        )


def test_a_new_voice_file_replaces_the_old_one(
    staff, media_dirs, django_capture_on_commit_callbacks
):
    theme = make_theme(staff)
    first = library.attach_theme_media(
        actor=staff, theme=theme, kind="voice", upload=media_upload(MP3, "a.mp3")
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = library.attach_theme_media(
            actor=staff, theme=theme, kind="voice", upload=media_upload(AMR, "b.amr")
        )
    assert list(theme.media.all()) == [second]
    assert not (media_dirs / "private" / first.file.name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        library.remove_theme_media(actor=staff, theme=theme, media_id=second.pk)
    assert not theme.media.exists()
    assert not (media_dirs / "private" / second.file.name).exists()


def test_only_published_themes_inside_their_validity_serve_media_to_distributors(staff):
    now = timezone.now()
    theme = make_theme(
        staff, valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=1)
    )
    media = library.attach_theme_media(
        actor=staff, theme=theme, kind="video", upload=media_upload(MP4, "a.mp4")
    )
    with pytest.raises(ThemeMedia.DoesNotExist):
        library.media_for_distributors(media_id=media.pk, now=now)
    library.add_theme_image(actor=staff, theme=theme, image_file=picture_upload())
    library.publish_theme(actor=staff, theme=theme, now=now)
    assert library.media_for_distributors(media_id=media.pk, now=now) == media
    with pytest.raises(ThemeMedia.DoesNotExist):
        library.media_for_distributors(media_id=media.pk, now=now + timedelta(days=2))
    with pytest.raises(ThemeMedia.DoesNotExist):
        library.media_for_distributors(media_id=media.pk, now=now - timedelta(days=2))


# Poster templates --------------------------------------------------------------------------------


def test_a_template_reads_its_size_from_the_background_and_starts_with_the_qr_inside(staff):
    artwork = template(staff, size=(750, 1200))
    assert (artwork.width, artwork.height, artwork.is_active) == (750, 1200, True)
    assert artwork.qr_size >= 120
    assert artwork.qr_x + artwork.qr_size <= 750 and artwork.qr_y + artwork.qr_size <= 1200
    assert AuditEntry.objects.get(action="poster_template.create").actor == staff


@pytest.mark.parametrize(("size", "message"), [((500, 800), "at least"), ((2100, 3000), "at most")])
def test_a_background_too_small_or_too_large_is_refused(staff, size, message):
    with pytest.raises(ContentError, match=message):
        template(staff, size=size)
    assert not PosterTemplate.objects.exists()


def _placement(**fields):
    return Placement(
        **(
            {
                "qr_x": 100,
                "qr_y": 100,
                "qr_size": 200,
                "name_x": 40,
                "name_y": 40,
                "name_size": 40,
                "price_x": 40,
                "price_y": 700,
                "price_size": 56,
            }
            | fields
        )
    )


def test_placing_the_qr_code_outside_the_picture_or_too_small_is_refused(staff):
    artwork = template(staff, size=(750, 1200))
    for fields, message in [
        ({"qr_x": 600}, "wholly inside"),
        ({"qr_size": 100}, "at least 120"),
        ({"price_y": 1200}, "price must start inside"),
    ]:
        with pytest.raises(ContentError, match=message):
            library.edit_poster_template(
                actor=staff,
                template=artwork,
                name=artwork.name,
                placement=_placement(**fields),
                text_color="#112233",
                price_color="#c8242c",
            )
    with pytest.raises(ContentError, match="colour"):
        library.edit_poster_template(
            actor=staff,
            template=artwork,
            name=artwork.name,
            placement=_placement(),
            text_color="red",
            price_color="#c8242c",
        )
    assert AuditEntry.objects.filter(action="poster_template.update").count() == 0


def test_a_new_background_changes_the_size_and_the_placement_is_checked_against_it(staff):
    artwork = template(staff, size=(750, 1200))
    saved = library.edit_poster_template(
        actor=staff,
        template=artwork,
        name="春节",
        placement=_placement(qr_x=500, qr_y=900, qr_size=240),
        text_color="#112233",
        price_color="#C8242C",
        background=background_upload((1000, 1500)),
    )
    assert (saved.width, saved.height, saved.name, saved.price_color) == (
        1000,
        1500,
        "春节",
        "#c8242c",
    )
    entry = AuditEntry.objects.get(action="poster_template.update")
    assert entry.after["width"] == 1000 and entry.before["name"] == "新年红"
