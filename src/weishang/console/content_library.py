"""Brand console: the material library (素材库) — official themes with their pictures, voice and
video — and poster templates with a live preview of where the QR code, name and price go. Also
the one view that serves a theme's voice or video, to staff and to distributors."""

import re

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from weishang.content import library
from weishang.content.models import PosterTemplate, Theme, ThemeMedia
from weishang.content.posters import PictureUnreadable, draw_on_template

from .content_library_forms import MediaForm, NewTemplateForm, TemplateForm, ThemeForm, UploadForm
from .distributor_views import distributor_required
from .views import _attempt, _form_errors, staff_post, staff_required

PREVIEW_PRICE_FEN = 3990
PRODUCT_SLOTS = library.MAX_PRODUCTS


def _theme(theme_id: int) -> Theme:
    try:
        return library.theme_detail(theme_id)
    except Theme.DoesNotExist as exc:
        raise Http404 from exc


def _template(poster_id: int) -> PosterTemplate:
    try:
        return PosterTemplate.objects.get(pk=poster_id)
    except PosterTemplate.DoesNotExist as exc:
        raise Http404 from exc


def _to_theme(theme_id: int):
    return redirect("console:theme_edit", theme_id=theme_id)


# Themes ------------------------------------------------------------------------------------------


@staff_required
@require_safe
def theme_list(request):
    return render(
        request,
        "console/content/themes.html",
        {"themes": list(library.themes_for_console()), "now": timezone.now(), "nav": "themes"},
    )


def _slots(form: ThemeForm, chosen: list) -> list[dict]:
    """One product select a slot, in the theme's order, so the brand sets the order."""
    chosen = [str(pk) for pk in chosen][:PRODUCT_SLOTS]
    chosen += [""] * (PRODUCT_SLOTS - len(chosen))
    return [{"number": n, "value": value} for n, value in enumerate(chosen, start=1)]


def _theme_page(request, form: ThemeForm, theme: Theme | None, chosen: list):
    return render(
        request,
        "console/content/theme_edit.html",
        {
            "form": form,
            "theme": theme,
            "slots": _slots(form, chosen),
            "product_choices": form.product_choices,
            "media_form": MediaForm(),
            "max_images": library.MAX_IMAGES,
            "nav": "themes",
        },
    )


@staff_required
def theme_new(request):
    if request.method == "POST":
        form = ThemeForm(request.POST)
        created = []
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: created.append(
                library.create_theme(actor=request.user, **form.service_fields())
            ),
            _("The theme is saved as a draft; add its pictures, then publish it."),
        ):
            return _to_theme(created[0].pk)
        return _theme_page(request, form, None, request.POST.getlist("products"))
    return _theme_page(request, ThemeForm(), None, [])


@staff_required
def theme_edit(request, theme_id: int):
    theme = _theme(theme_id)
    if request.method == "POST":
        form = ThemeForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: library.edit_theme(actor=request.user, theme=theme, **form.service_fields()),
            _("The theme is saved."),
        ):
            return _to_theme(theme.pk)
        return _theme_page(request, form, theme, request.POST.getlist("products"))
    chosen = [link.product_id for link in theme.theme_products.all()]
    form = ThemeForm(
        initial={
            "title": theme.title,
            "copy": theme.copy,
            "segment": theme.segment_id,
            "poster_template": theme.poster_template_id,
            "valid_from": theme.valid_from and timezone.localtime(theme.valid_from),
            "valid_until": theme.valid_until and timezone.localtime(theme.valid_until),
        }
    )
    return _theme_page(request, form, theme, chosen)


@staff_post
def theme_publish(request, theme_id: int):
    theme = _theme(theme_id)
    _attempt(
        request,
        lambda: library.publish_theme(actor=request.user, theme=theme),
        _("The theme is published: distributors see it in their library."),
    )
    return _to_theme(theme.pk)


@staff_post
def theme_withdraw(request, theme_id: int):
    theme = _theme(theme_id)
    _attempt(
        request,
        lambda: library.withdraw_theme(actor=request.user, theme=theme),
        _("The theme is withdrawn: distributors no longer see it."),
    )
    return _to_theme(theme.pk)


@staff_post
def theme_image_add(request, theme_id: int):
    theme = _theme(theme_id)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: library.add_theme_image(
                actor=request.user, theme=theme, image_file=form.cleaned_data["file"]
            ),
            _("Picture added."),
        )
    return _to_theme(theme.pk)


@staff_post
def theme_image_remove(request, theme_id: int, image_id: int):
    theme = _theme(theme_id)
    _attempt(
        request,
        lambda: library.remove_theme_image(actor=request.user, theme=theme, image_id=image_id),
        _("Picture removed."),
    )
    return _to_theme(theme.pk)


@staff_post
def theme_image_earlier(request, theme_id: int, image_id: int):
    """Moves a picture one place earlier (the first becomes the last)."""
    theme = _theme(theme_id)
    order = [image.pk for image in theme.images.all()]
    if image_id not in order:
        raise Http404
    at = order.index(image_id)
    order.insert((at - 1) % len(order), order.pop(at))
    _attempt(
        request,
        lambda: library.reorder_theme_images(actor=request.user, theme=theme, image_ids=order),
        _("Pictures reordered."),
    )
    return _to_theme(theme.pk)


@staff_post
def theme_media_add(request, theme_id: int):
    theme = _theme(theme_id)
    form = MediaForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        kind = form.cleaned_data["kind"]
        _attempt(
            request,
            lambda: library.attach_theme_media(
                actor=request.user, theme=theme, kind=kind, upload=form.cleaned_data["file"]
            ),
            _("Voice file added.") if kind == ThemeMedia.Kind.VOICE else _("Video added."),
        )
    return _to_theme(theme.pk)


@staff_post
def theme_media_remove(request, theme_id: int, media_id: int):
    theme = _theme(theme_id)
    _attempt(
        request,
        lambda: library.remove_theme_media(actor=request.user, theme=theme, media_id=media_id),
        _("File removed."),
    )
    return _to_theme(theme.pk)


BYTE_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)", re.ASCII)
CHUNK = 64 * 1024


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte a ``Range: bytes=a-b`` header asks for, clipped to the file;
    None for no header or one we do not serve (several ranges: the whole file answers);
    ValueError for a range wholly past the end."""
    match = BYTE_RANGE.fullmatch(header.strip())
    if match is None or not (match[1] or match[2]):
        return None
    if match[1]:
        first = int(match[1])
        last = min(int(match[2]), size - 1) if match[2] else size - 1
    else:
        first, last = max(size - int(match[2]), 0), size - 1
    if first > last:
        raise ValueError("unsatisfiable range")
    return first, last


def _part(handle, length: int):
    with handle:
        while length > 0:
            data = handle.read(min(CHUNK, length))
            if not data:
                return
            length -= len(data)
            yield data


def media_response(request, media: ThemeMedia):
    """The file with the type its first bytes showed on upload, never sniffed again by the
    browser, played in the page rather than saved, kept out of shared caches; a byte range
    when asked (phones' video players seek with them)."""
    size = media.file.size
    try:
        wanted = byte_range(request.headers.get("Range", ""), size)
    except ValueError:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle = media.file.open("rb")
    if wanted is None:
        response = FileResponse(handle, content_type=media.content_type)
    else:
        first, last = wanted
        handle.seek(first)
        response = StreamingHttpResponse(
            _part(handle, last - first + 1), status=206, content_type=media.content_type
        )
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    extension = media.file.name.rsplit(".", 1)[-1]
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = (
        f'inline; filename="theme-{media.theme_id}-{media.kind}.{extension}"'
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@staff_required
@require_safe
def theme_media(request, theme_id: int, media_id: int):
    try:
        media = library.media_for_staff(theme_id=theme_id, media_id=media_id)
    except ThemeMedia.DoesNotExist as exc:
        raise Http404 from exc
    return media_response(request, media)


@distributor_required
@require_safe
def distributor_theme_media(request, media_id: int):
    """A distributor plays a voice or video file of a theme published and valid now."""
    try:
        media = library.media_for_distributors(media_id=media_id, now=timezone.now())
    except ThemeMedia.DoesNotExist as exc:
        raise Http404 from exc
    return media_response(request, media)


# Poster templates --------------------------------------------------------------------------------


@staff_required
@require_safe
def poster_template_list(request):
    return render(
        request,
        "console/content/templates.html",
        {"templates": list(library.poster_templates()), "nav": "poster_templates"},
    )


@staff_required
def poster_template_new(request):
    if request.method == "POST":
        form = NewTemplateForm(request.POST, request.FILES)
        created = []
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: created.append(
                library.create_poster_template(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    background=form.cleaned_data["background"],
                )
            ),
            _("The template is added: place the QR code, name and price on the preview."),
        ):
            return redirect("console:poster_template_edit", poster_id=created[0].pk)
    else:
        form = NewTemplateForm()
    return render(
        request, "console/content/template_new.html", {"form": form, "nav": "poster_templates"}
    )


@staff_required
def poster_template_edit(request, poster_id: int):
    template = _template(poster_id)
    if request.method == "POST":
        form = TemplateForm(request.POST, request.FILES)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: library.edit_poster_template(
                actor=request.user,
                template=template,
                name=form.cleaned_data["name"],
                placement=form.placement(),
                text_color=form.cleaned_data["text_color"],
                price_color=form.cleaned_data["price_color"],
                background=form.cleaned_data["background"],
            ),
            _("The template is saved."),
        ):
            return redirect("console:poster_template_edit", poster_id=template.pk)
    else:
        fields = ("name", "text_color", "price_color", *TemplateForm.PLACEMENT)
        form = TemplateForm(initial={name: getattr(template, name) for name in fields})
    return render(
        request,
        "console/content/template_edit.html",
        {"template": template, "form": form, "nav": "poster_templates"},
    )


@staff_required
@require_safe
def poster_template_preview(request, poster_id: int):
    """The template as a store poster looks: a sample name and price and a QR code of the
    store's address, drawn where the brand placed them."""
    template = _template(poster_id)
    try:
        png = draw_on_template(
            template,
            title=_("Sample product name"),
            price_fen=PREVIEW_PRICE_FEN,
            url=settings.SITE_URL + "/",
        )
    except PictureUnreadable as exc:
        raise Http404 from exc
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@staff_post
def poster_template_in_use(request, poster_id: int, in_use: bool):
    template = _template(poster_id)
    _attempt(
        request,
        lambda: library.set_poster_template_in_use(
            actor=request.user, template=template, in_use=in_use
        ),
        _("The template %(name)s is in use.") % {"name": template.name}
        if in_use
        else _("The template %(name)s is out of use.") % {"name": template.name},
    )
    return redirect("console:poster_template_edit", poster_id=template.pk)
