"""The distributor's material library and personal posts (/d/library/, /d/posts/): he turns a
theme into his own post in one action, edits its words, copies them and downloads its pictures
(each with his QR code) for WeChat Moments. Only his own posts: another's key is a 404."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from weishang.content import post_material, posts
from weishang.content import selectors as content
from weishang.content.models import Post
from weishang.content.posters import PictureUnreadable
from weishang.core_errors import DomainError
from weishang.inputs import BIGINT_MAX

from .distributor_views import _render, distributor_required
from .views import _form_errors

PAGE_SIZE = 20
PICTURE_MAX_AGE = 3600


class PostTextForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=posts.TEXT_MAX,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("Write the text of your post.")},
    )


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _his_post(request, key: str) -> Post:
    try:
        return content.post_of(request.distributor.pk, key)
    except Post.DoesNotExist as exc:
        raise Http404 from exc


@distributor_required
@require_safe
def library(request):
    page = _page(request, content.themes_for_distributors(timezone.now()))
    themes = [
        {
            "theme": theme,
            "image": next(iter(theme.images.all()), None),
            "products": [row.product for row in theme.theme_products.all()],
            "kinds": sorted({media.get_kind_display() for media in theme.media.all()}),
        }
        for theme in page
    ]
    return _render(request, "library.html", {"page": page, "themes": themes}, "library")


@distributor_required
@require_POST
def use_theme(request, theme_id: int):
    """One action: the theme becomes his post for today."""
    if theme_id > BIGINT_MAX:
        raise Http404
    try:
        post = posts.make_post(
            distributor=request.distributor,
            theme_id=theme_id,
            planned_on=timezone.localdate(),
            now=timezone.now(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("distributor:library")
    messages.success(request, _("Your post is ready: copy the text and save the pictures."))
    return redirect("distributor:post", key=post.key)


@distributor_required
@require_safe
def post_list(request):
    page = _page(request, content.posts_of(request.distributor.pk))
    return _render(request, "posts.html", {"page": page, "posts": list(page)}, "posts")


@distributor_required
@require_http_methods(["GET", "POST"])
def post_detail(request, key: str):
    post = _his_post(request, key)
    form = PostTextForm(request.POST or None, initial={"text": post.text})
    if request.method == "POST":
        if form.is_valid():
            try:
                posts.edit_post(
                    distributor=request.distributor, key=key, text=form.cleaned_data["text"]
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Your post is saved."))
                return redirect("distributor:post", key=key)
        else:
            _form_errors(request, form)
    pictures = post_material.pictures(post) if request.distributor.can_sell else []
    return _render(
        request,
        "post.html",
        {
            "post": post,
            "form": form,
            "pictures": range(1, len(pictures) + 1),
            "products": post_material.product_links(post),
            "store_link": post_material.link(post),
        },
        "posts",
    )


@distributor_required
@require_POST
def delete_post(request, key: str):
    try:
        posts.delete_post(distributor=request.distributor, key=key)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("distributor:post", key=key)
    messages.success(request, _("The post is deleted."))
    return redirect("distributor:posts")


def _post_with_pictures(request, key: str) -> Post:
    """Pictures carry his QR code: none while his store is closed."""
    if not request.distributor.can_sell:
        raise Http404
    return _his_post(request, key)


@distributor_required
@require_safe
def post_picture(request, key: str, number: int):
    """One picture as PNG; an ETag answers his phone's repeat requests with 304."""
    pictures = post_material.pictures(_post_with_pictures(request, key))
    if not 1 <= number <= len(pictures):
        raise Http404
    picture = pictures[number - 1]
    etag = f'"{post_material.picture_key(picture)}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    try:
        content_bytes = post_material.png(picture)
    except PictureUnreadable as exc:
        raise Http404 from exc
    response = HttpResponse(content_bytes, content_type="image/png")
    patch_cache_control(response, private=True, max_age=PICTURE_MAX_AGE)
    response["ETag"] = etag
    return response


@distributor_required
@require_safe
def post_pictures_zip(request, key: str):
    post = _post_with_pictures(request, key)
    response = HttpResponse(post_material.zip_file(post), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="post-{post.key}.zip"'
    patch_cache_control(response, private=True, no_store=True)
    return response
