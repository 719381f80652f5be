"""A micro-store's feed of the distributor's posts: the newest on his store page, all of them a
page at a time, and one post on its own page. Each post's products link with his post links, so
a visitor who buys from the feed counts on the post."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from weishang.content import post_material
from weishang.content import selectors as content
from weishang.content.models import Post
from weishang.distribution import selectors as distribution
from weishang.distribution.models import Distributor

from . import post_visits, resale

STORE_PAGE_POSTS = 10
PAGE_SIZE = 10


def card(post: Post) -> dict:
    return {
        "post": post,
        "images": list(post.theme.images.all()) if post.theme else [],
        "products": post_material.product_links(post),
    }


def latest(distributor: Distributor) -> tuple[list[dict], bool]:
    """The store page's posts and whether there are more."""
    posts = list(content.feed(distributor.pk, timezone.localdate())[: STORE_PAGE_POSTS + 1])
    return [card(post) for post in posts[:STORE_PAGE_POSTS]], len(posts) > STORE_PAGE_POSTS


def _open_store(slug: str) -> Distributor:
    """A closed store shows no posts."""
    try:
        distributor = distribution.distributor_by_slug(slug)
    except Distributor.DoesNotExist as exc:
        raise Http404 from exc
    if not distributor.can_sell:
        raise Http404
    return distributor


@require_safe
def post_list(request, slug: str):
    distributor = _open_store(slug)
    page = Paginator(content.feed(distributor.pk, timezone.localdate()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "storefront/microstore/posts.html",
        {
            "distributor": distributor,
            "page": page,
            "cards": [card(post) for post in page],
            "resales": resale.for_request(request, store=distributor),
        },
    )


@require_safe
def post_detail(request, slug: str, key: str):
    distributor = _open_store(slug)
    try:
        post = content.feed(distributor.pk, timezone.localdate()).get(key=key)
    except Post.DoesNotExist as exc:
        raise Http404 from exc
    post_visits.remember_post(request)
    return render(
        request,
        "storefront/microstore/post.html",
        {
            "distributor": distributor,
            "card": card(post),
            "resales": resale.for_request(request, store=distributor),
        },
    )
