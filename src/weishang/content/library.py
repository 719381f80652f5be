"""The material library (素材库), brand side: official themes — title, copy, up to nine
pictures, one voice and one video file, linked products, an audience, a validity period and a
poster template — and the poster templates with the brand's own artwork. Every write is a staff
act, audited in its own transaction. The distributors' view of the library is
``content.selectors``'."""

import uuid
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from weishang import uploads
from weishang.catalog.models import Product
from weishang.community.models import Segment
from weishang.compliance import audit

from . import poster_rules, selectors
from .errors import ContentError
from .models import PosterTemplate, Theme, ThemeImage, ThemeMedia, ThemeProduct
from .pictures import checked_picture
from .poster_rules import Placement

MAX_IMAGES = 9
MAX_PRODUCTS = 6
MAX_VOICE_BYTES = 10 * 1024 * 1024
MAX_VIDEO_BYTES = 50 * 1024 * 1024
MEDIA_LIMITS = {ThemeMedia.Kind.VOICE: MAX_VOICE_BYTES, ThemeMedia.Kind.VIDEO: MAX_VIDEO_BYTES}
ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height
EXIF_ORIENTATION = 0x0112


# Selectors (the console's) -----------------------------------------------------------------------


def themes_for_console():
    """Every theme, newest first, with its audience, template, picture count and products in
    their order: a constant number of queries however many themes there are."""
    return (
        Theme.objects.select_related("segment", "poster_template")
        .annotate(image_count=Count("images", distinct=True))
        .prefetch_related(
            Prefetch(
                "theme_products",
                queryset=ThemeProduct.objects.select_related("product").order_by("position", "pk"),
            )
        )
    )


def theme_detail(theme_id: int) -> Theme:
    """One theme with everything its editor shows; Theme.DoesNotExist if there is none."""
    return (
        Theme.objects.select_related("segment", "poster_template")
        .prefetch_related(
            "images",
            "media",
            Prefetch(
                "theme_products",
                queryset=ThemeProduct.objects.select_related("product").order_by("position", "pk"),
            ),
        )
        .get(pk=theme_id)
    )


def poster_templates():
    """Every template with how many themes use it."""
    return PosterTemplate.objects.annotate(theme_count=Count("themes"))


def store_poster_template() -> PosterTemplate | None:
    """The brand's first template in use, on which distributors' store posters are drawn."""
    return PosterTemplate.objects.filter(is_active=True).order_by("name", "pk").first()


def template_fingerprint(template: PosterTemplate) -> str:
    """Everything about the template that changes a poster drawn on it."""
    parts = [template.pk, template.background.name, template.width, template.height]
    parts += [getattr(template, name) for name in Placement.__dataclass_fields__]
    parts += [template.text_color, template.price_color]
    return "|".join(str(part) for part in parts)


def media_for_staff(*, theme_id: int, media_id: int) -> ThemeMedia:
    """A theme's voice or video file, whatever the theme's state; ThemeMedia.DoesNotExist. The
    theme is compared here, not in SQL: an id past the database's integers (a forged address)
    then finds nothing instead of failing."""
    media = ThemeMedia.objects.get(pk=media_id)
    if media.theme_id != theme_id:
        raise ThemeMedia.DoesNotExist
    return media


def media_for_distributors(*, media_id: int, now: datetime) -> ThemeMedia:
    """A voice or video file of a theme distributors may use now; ThemeMedia.DoesNotExist."""
    themes = Theme.objects.filter(selectors.usable_at(now))
    return ThemeMedia.objects.get(pk=media_id, theme__in=themes)


# Themes ------------------------------------------------------------------------------------------


def _text(value, *, field: str, required_message: str = "") -> str:
    text = str(value or "").strip()
    limit = Theme._meta.get_field(field).max_length
    if required_message and not text:
        raise ContentError(required_message, code=f"{field}_required")
    if len(text) > limit:
        raise ContentError(
            _("The %(field)s can be at most %(n)d characters.")
            % {"field": Theme._meta.get_field(field).verbose_name, "n": limit},
            code=f"{field}_too_long",
        )
    return text


def _products(product_ids) -> list[Product]:
    ids = list(dict.fromkeys(int(pk) for pk in product_ids or ()))
    if len(ids) > MAX_PRODUCTS:
        raise ContentError(
            _("A theme can link at most %(n)d products.") % {"n": MAX_PRODUCTS},
            code="too_many_products",
        )
    found = Product.objects.filter(pk__in=ids, status=Product.Status.PUBLISHED).in_bulk()
    if len(found) != len(ids):
        raise ContentError(_("Link only products that are on sale."), code="product_not_published")
    return [found[pk] for pk in ids]


def _segment(segment_id) -> Segment | None:
    if segment_id in (None, ""):
        return None
    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        raise ContentError(_("This audience no longer exists."), code="no_segment")
    return segment


def _template(template_id, *, current_id) -> PosterTemplate | None:
    if template_id in (None, ""):
        return None
    template = PosterTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise ContentError(_("This poster template no longer exists."), code="no_template")
    if not template.is_active and template.pk != current_id:
        raise ContentError(
            _("The poster template %(name)s is not in use; choose one that is.")
            % {"name": template.name},
            code="template_not_in_use",
        )
    return template


def _period(valid_from, valid_until) -> tuple:
    if valid_from and valid_until and valid_from >= valid_until:
        raise ContentError(_("The theme must start before it ends."), code="period_order")
    return valid_from, valid_until


def _state(theme: Theme) -> dict:
    return {
        "title": theme.title,
        "copy": theme.copy,
        "products": list(
            theme.theme_products.order_by("position", "pk").values_list("product_id", flat=True)
        ),
        "segment": theme.segment_id,
        "poster_template": theme.poster_template_id,
        "valid_from": theme.valid_from,
        "valid_until": theme.valid_until,
        "status": theme.status,
    }


def _lock(theme: Theme) -> Theme:
    return Theme.objects.select_for_update().get(pk=theme.pk)


def _set_products(theme: Theme, products: list[Product]) -> None:
    ThemeProduct.objects.filter(theme=theme).delete()
    ThemeProduct.objects.bulk_create(
        ThemeProduct(theme=theme, product=product, position=position)
        for position, product in enumerate(products)
    )


@transaction.atomic
def create_theme(
    *,
    actor,
    title: str,
    copy: str = "",
    product_ids=(),
    segment_id=None,
    poster_template_id=None,
    valid_from=None,
    valid_until=None,
    now: datetime | None = None,
) -> Theme:
    """A new draft theme; pictures, voice and video are added to it afterwards."""
    now = now or timezone.now()
    valid_from, valid_until = _period(valid_from, valid_until)
    theme = Theme.objects.create(
        title=_text(title, field="title", required_message=_("Give the theme a title.")),
        copy=_text(copy, field="copy"),
        segment=_segment(segment_id),
        poster_template=_template(poster_template_id, current_id=None),
        valid_from=valid_from,
        valid_until=valid_until,
        created_at=now,
    )
    _set_products(theme, _products(product_ids))
    audit.record(actor=actor, action="theme.create", obj=theme, after=_state(theme))
    return theme


@transaction.atomic
def edit_theme(
    *,
    actor,
    theme: Theme,
    title: str,
    copy: str = "",
    product_ids=(),
    segment_id=None,
    poster_template_id=None,
    valid_from=None,
    valid_until=None,
) -> Theme:
    """Saves a theme's words, products, audience, template and validity; a published theme
    stays published with the new content."""
    theme = _lock(theme)
    before = _state(theme)
    theme.title = _text(title, field="title", required_message=_("Give the theme a title."))
    theme.copy = _text(copy, field="copy")
    if theme.status == Theme.Status.PUBLISHED and not theme.copy:
        raise ContentError(
            _("A published theme needs its copy; withdraw it first to empty it."),
            code="copy_required",
        )
    theme.segment = _segment(segment_id)
    theme.poster_template = _template(poster_template_id, current_id=theme.poster_template_id)
    theme.valid_from, theme.valid_until = _period(valid_from, valid_until)
    theme.save()
    products = _products(product_ids)
    if [p.pk for p in products] != before["products"]:
        _set_products(theme, products)
    audit.record_change(
        actor=actor, action="theme.update", obj=theme, before=before, after=_state(theme)
    )
    return theme


@transaction.atomic
def publish_theme(*, actor, theme: Theme, now: datetime | None = None) -> Theme:
    """Shows the theme to distributors inside its validity period."""
    now = now or timezone.now()
    theme = _lock(theme)
    if theme.status == Theme.Status.PUBLISHED:
        raise ContentError(_("This theme is already published."), code="published")
    if not theme.copy.strip():
        raise ContentError(_("Write the theme's copy before publishing it."), code="no_copy")
    if not theme.images.exists():
        raise ContentError(
            _("Add at least one picture before publishing the theme."), code="no_image"
        )
    template = theme.poster_template
    if template is not None and not template.is_active:
        raise ContentError(
            _("The poster template %(name)s is not in use; choose another one or none.")
            % {"name": template.name},
            code="template_not_in_use",
        )
    if theme.valid_until is not None and theme.valid_until <= now:
        raise ContentError(
            _("This theme's validity has ended; move its end date first."), code="expired"
        )
    before = {"status": theme.status}
    theme.status, theme.published_at = Theme.Status.PUBLISHED, now
    theme.save(update_fields=["status", "published_at"])
    audit.record(
        actor=actor,
        action="theme.publish",
        obj=theme,
        before=before,
        after={"status": theme.status},
    )
    return theme


@transaction.atomic
def withdraw_theme(*, actor, theme: Theme) -> Theme:
    """Takes a published theme out of the distributors' library; posts already made stay."""
    theme = _lock(theme)
    if theme.status != Theme.Status.PUBLISHED:
        raise ContentError(_("Only a published theme can be withdrawn."), code="not_published")
    theme.status = Theme.Status.WITHDRAWN
    theme.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="theme.withdraw",
        obj=theme,
        before={"status": Theme.Status.PUBLISHED},
        after={"status": theme.status},
    )
    return theme


# Theme pictures ----------------------------------------------------------------------------------


def _checked_image(upload) -> uploads.CheckedImage:
    return checked_picture(upload)


def _save_file(field, name: str, upload) -> None:
    field.save(name, upload, save=False)


def _delete_on_commit(field) -> None:
    storage, name = field.storage, field.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def add_theme_image(*, actor, theme: Theme, image_file) -> ThemeImage:
    """Stores a checked picture after the theme's others, under a random name."""
    checked = _checked_image(image_file)
    theme = _lock(theme)
    images = list(theme.images.all())
    if len(images) >= MAX_IMAGES:
        raise ContentError(
            _("A theme can have at most %(n)d pictures.") % {"n": MAX_IMAGES},
            code="too_many_images",
        )
    image = ThemeImage(theme=theme, position=max((i.position for i in images), default=-1) + 1)
    _save_file(image.image, f"theme-{theme.pk}-{uuid.uuid4().hex}.{checked.extension}", image_file)
    try:
        image.save(force_insert=True)
    except Exception:
        image.image.storage.delete(image.image.name)  # no row, so no file either
        raise
    audit.record(
        actor=actor,
        action="theme.image_add",
        obj=theme,
        after={"image": image.pk, "file": image.image.name},
    )
    return image


@transaction.atomic
def remove_theme_image(*, actor, theme: Theme, image_id: int) -> None:
    theme = _lock(theme)
    image = theme.images.filter(pk=image_id).first()
    if image is None:
        raise ContentError(_("This picture is no longer in the theme."), code="no_image")
    if theme.status == Theme.Status.PUBLISHED and theme.images.count() == 1:
        raise ContentError(
            _("A published theme keeps at least one picture; add another first."),
            code="last_image",
        )
    image.delete()
    _delete_on_commit(image.image)
    audit.record(
        actor=actor,
        action="theme.image_remove",
        obj=theme,
        before={"image": image_id, "file": image.image.name},
    )


@transaction.atomic
def reorder_theme_images(*, actor, theme: Theme, image_ids) -> None:
    """Puts the theme's pictures in the given order (every one of them, each once); the first
    is the one shown first."""
    theme = _lock(theme)
    images = {image.pk: image for image in theme.images.all()}
    order = [int(pk) for pk in image_ids]
    if sorted(order) != sorted(images):
        raise ContentError(
            _("The pictures changed meanwhile; reload the page and try again."),
            code="stale_order",
        )
    before = [image.pk for image in sorted(images.values(), key=lambda i: (i.position, i.pk))]
    for position, pk in enumerate(order):
        images[pk].position = position
    ThemeImage.objects.bulk_update(images.values(), ["position"])
    audit.record_change(
        actor=actor,
        action="theme.images_reorder",
        obj=theme,
        before={"images": before},
        after={"images": order},
    )


# Voice and video ---------------------------------------------------------------------------------


def _checked_media(upload, kind: str) -> uploads.CheckedMedia:
    limit = MEDIA_LIMITS[kind]
    try:
        return uploads.inspect_media(upload, kind=kind, max_bytes=limit)
    except uploads.ImageRejected as exc:
        mb = limit // (1024 * 1024)
        if exc.problem is uploads.Problem.TOO_LARGE:
            if kind == ThemeMedia.Kind.VOICE:
                message = _("A voice file can be at most %(mb)d MB.") % {"mb": mb}
            else:
                message = _("A video can be at most %(mb)d MB.") % {"mb": mb}
            raise ContentError(message, code="media_too_large") from exc
        if kind == ThemeMedia.Kind.VOICE:
            message = _("A voice file must be an MP3, M4A or AMR recording.")
        else:
            message = _("A video must be an MP4 file.")
        raise ContentError(message, code="wrong_media") from exc


@transaction.atomic
def attach_theme_media(
    *, actor, theme: Theme, kind: str, upload, now: datetime | None = None
) -> ThemeMedia:
    """The theme's voice or video file, checked by its first bytes (never its name) and kept in
    private storage under a random name; it replaces the theme's earlier one of that kind."""
    if kind not in ThemeMedia.Kind.values:
        raise ContentError(_("Choose voice or video."), code="kind")
    checked = _checked_media(upload, kind)
    now = now or timezone.now()
    theme = _lock(theme)
    earlier = list(theme.media.filter(kind=kind))
    media = ThemeMedia(
        theme=theme,
        kind=kind,
        content_type=checked.content_type,
        size=upload.size,
        uploaded_at=now,
    )
    _save_file(media.file, f"{uuid.uuid4().hex}.{checked.extension}", upload)
    try:
        media.save(force_insert=True)
    except Exception:
        media.file.storage.delete(media.file.name)
        raise
    for old in earlier:
        old.delete()
        _delete_on_commit(old.file)
    audit.record(
        actor=actor,
        action="theme.media_add",
        obj=theme,
        before={"media": [old.pk for old in earlier]} if earlier else None,
        after={"media": media.pk, "kind": kind, "content_type": checked.content_type},
    )
    return media


@transaction.atomic
def remove_theme_media(*, actor, theme: Theme, media_id: int) -> None:
    theme = _lock(theme)
    media = theme.media.filter(pk=media_id).first()
    if media is None:
        raise ContentError(_("This file is no longer in the theme."), code="no_media")
    media.delete()
    _delete_on_commit(media.file)
    audit.record(
        actor=actor,
        action="theme.media_remove",
        obj=theme,
        before={"media": media_id, "kind": media.kind},
    )


# Poster templates --------------------------------------------------------------------------------


def _background_size(upload) -> tuple[int, int]:
    """The checked background's size as drawn (EXIF rotation applied); the file is rewound."""
    _checked_image(upload)
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if image.getexif().get(EXIF_ORIENTATION) in ROTATED:
                width, height = height, width
    finally:
        upload.seek(0)
    problem = poster_rules.size_problem(width, height)
    if problem:
        raise ContentError(problem, code="background_size")
    return width, height


def _template_name(name: str, *, template_id=None) -> str:
    name = str(name or "").strip()
    if not name:
        raise ContentError(_("Give the template a name."), code="name_required")
    if len(name) > PosterTemplate._meta.get_field("name").max_length:
        raise ContentError(_("The template name is too long."), code="name_too_long")
    if PosterTemplate.objects.filter(name=name).exclude(pk=template_id).exists():
        raise ContentError(
            _("A template is already called %(name)s.") % {"name": name}, code="name_taken"
        )
    return name


def _template_state(template: PosterTemplate) -> dict:
    fields = ["name", "width", "height", *Placement.__dataclass_fields__]
    state = {field: getattr(template, field) for field in fields}
    return state | {
        "background": template.background.name,
        "text_color": template.text_color,
        "price_color": template.price_color,
        "is_active": template.is_active,
    }


def _check_placement(placement: Placement, width: int, height: int) -> None:
    problems = poster_rules.placement_problems(placement, width=width, height=height)
    if problems:
        raise ContentError(" ".join(problems), code="placement")


def _colour(value: str) -> str:
    if not poster_rules.valid_colour(value):
        raise ContentError(
            _("Write a colour as # and six hexadecimal digits, such as #c8242c."), code="colour"
        )
    return value.lower()


@transaction.atomic
def create_poster_template(
    *, actor, name: str, background, now: datetime | None = None
) -> PosterTemplate:
    """A template in use from its background; the QR code, name and price start at a default
    place (lower right, lower left), which the brand then adjusts on the preview."""
    now = now or timezone.now()
    name = _template_name(name)
    width, height = _background_size(background)
    checked = _checked_image(background)
    placement = poster_rules.default_placement(width, height)
    template = PosterTemplate(
        name=name, width=width, height=height, created_at=now, **placement.__dict__
    )
    _save_file(template.background, f"poster-{uuid.uuid4().hex}.{checked.extension}", background)
    try:
        template.save(force_insert=True)
    except Exception:
        template.background.storage.delete(template.background.name)
        raise
    audit.record(
        actor=actor, action="poster_template.create", obj=template, after=_template_state(template)
    )
    return template


@transaction.atomic
def edit_poster_template(
    *,
    actor,
    template: PosterTemplate,
    name: str,
    placement: Placement,
    text_color: str,
    price_color: str,
    background=None,
) -> PosterTemplate:
    """Saves where the QR code, name and price go (in the background's pixels), the colours and
    optionally a new background; the placement must fit the background."""
    template = PosterTemplate.objects.select_for_update().get(pk=template.pk)
    before = _template_state(template)
    template.name = _template_name(name, template_id=template.pk)
    width, height = template.width, template.height
    if background:
        width, height = _background_size(background)
    _check_placement(placement, width, height)
    template.text_color, template.price_color = _colour(text_color), _colour(price_color)
    for field, value in placement.__dict__.items():
        setattr(template, field, value)
    old_background = template.background.name
    if background:
        checked = _checked_image(background)
        template.width, template.height = width, height
        _save_file(
            template.background, f"poster-{uuid.uuid4().hex}.{checked.extension}", background
        )
    try:
        template.save()
    except Exception:
        if background:
            template.background.storage.delete(template.background.name)
        raise
    if background and old_background:
        storage = template.background.storage
        transaction.on_commit(lambda: storage.delete(old_background))
    audit.record_change(
        actor=actor,
        action="poster_template.update",
        obj=template,
        before=before,
        after=_template_state(template),
    )
    return template


@transaction.atomic
def set_poster_template_in_use(*, actor, template: PosterTemplate, in_use: bool) -> PosterTemplate:
    """Puts a template in use or out of it. One that published themes name stays in use until
    they are withdrawn or given another template."""
    template = PosterTemplate.objects.select_for_update().get(pk=template.pk)
    if template.is_active == in_use:
        raise ContentError(
            _("This template is already in use.")
            if in_use
            else _("This template is already out of use."),
            code="unchanged",
        )
    if not in_use:
        used_by = list(
            template.themes.filter(status=Theme.Status.PUBLISHED).values_list("title", flat=True)[
                :3
            ]
        )
        if used_by:
            raise ContentError(
                _(
                    "Published themes use this template (%(titles)s); withdraw them or choose "
                    "another template for them first."
                )
                % {"titles": ", ".join(used_by)},
                code="template_in_use",
            )
    template.is_active = in_use
    template.save(update_fields=["is_active"])
    change = {"obj": template, "before": {"is_active": not in_use}, "after": {"is_active": in_use}}
    if in_use:
        audit.record(actor=actor, action="poster_template.activate", **change)
    else:
        audit.record(actor=actor, action="poster_template.deactivate", **change)
    return template
