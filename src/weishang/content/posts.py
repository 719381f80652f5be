"""A distributor's personal posts: made from a theme in one action, edited, deleted; and the
visits their links bring (an order's credit to a post is ``attribution``'s)."""

import re
import secrets
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from weishang.customers.models import Customer
from weishang.distribution import tokens
from weishang.distribution.locks import distributors_for_update
from weishang.distribution.models import Distributor

from . import selectors
from .errors import ContentError
from .models import Post, PostVisit

TEXT_MAX = 2000
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,22}$")


def new_post_key() -> str:
    """16 url-safe characters naming a post in its share links."""
    return secrets.token_urlsafe(12)


def is_key(raw: str | None) -> bool:
    """Whether ``raw`` could be a post key at all (anything else is not looked up)."""
    return bool(raw) and bool(_KEY.match(raw))


@transaction.atomic(durable=True)
def make_post(*, distributor: Distributor, theme_id: int, planned_on: date, now: datetime) -> Post:
    """His post from a published theme inside its validity, planned for ``planned_on``: the
    theme's copy, its products and pictures. Making it again the same day returns the same post."""
    distributor = distributors_for_update([distributor.pk]).get()
    if not distributor.can_sell:
        raise ContentError(
            _("Your distributor account is frozen: %(reason)s")
            % {"reason": distributor.status_reason}
        )
    theme = selectors.themes_for_distributors(now).filter(pk=theme_id).first()
    if theme is None:
        raise ContentError(_("This theme has been withdrawn or has expired; choose another."))
    existing = Post.objects.filter(
        distributor=distributor, theme=theme, planned_on=planned_on
    ).first()
    if existing is not None:
        return existing
    return Post.objects.create(
        distributor=distributor,
        theme=theme,
        key=new_post_key(),
        text=theme.copy,
        about_products=bool(theme.theme_products.all()),
        planned_on=planned_on,
        created_at=now,
    )


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ContentError(_("Write the text of your post."))
    if len(text) > TEXT_MAX:
        raise ContentError(
            _("A post's text is at most %(max)d characters long.") % {"max": TEXT_MAX}
        )
    return text


@transaction.atomic(durable=True)
def edit_post(*, distributor: Distributor, key: str, text: str) -> Post:
    """His own words for his post (the links and pictures stay his)."""
    post = Post.objects.select_for_update().filter(distributor=distributor, key=key).first()
    if post is None:
        raise ContentError(_("This post no longer exists."))
    post.text = _clean_text(text)
    post.save(update_fields=["text"])
    return post


@transaction.atomic(durable=True)
def delete_post(*, distributor: Distributor, key: str) -> None:
    """Deletes his post with its visits; one that brought an order stays (the order names it)."""
    post = Post.objects.select_for_update().filter(distributor=distributor, key=key).first()
    if post is None:
        return
    if post.orders.exists():
        raise ContentError(_("This post brought orders, so it stays on record."))
    post.delete()


@transaction.atomic(durable=True)
def record_visit(
    *, distributor_id: int, key: str, visitor: Customer | None, now: datetime
) -> int | None:
    """Counts an opening of his post's link and returns the post's id; a key that is not his
    (forged, another's), a closed store or the distributor himself count nothing (None)."""
    if not is_key(key):
        return None
    posts = Post.objects.filter(
        key=key, distributor_id=distributor_id, distributor__status=Distributor.Status.ACTIVE
    )
    if visitor is not None:
        posts = posts.exclude(distributor__customer_id=visitor.pk)
    post_id = posts.values_list("pk", flat=True).first()
    if post_id is not None:
        PostVisit.objects.create(post_id=post_id, created_at=now)
    return post_id


def record_link_visit(
    *, key: str | None, ref: str | None, visitor: Customer | None, now: datetime
) -> int | None:
    """Counts an opening of a post link (``?ref=<his token>&post=<key>``) and returns the post's
    id; costs no query without a key, and a forged token counts nothing (None)."""
    if not key:
        return None
    token = tokens.read_token(ref)
    if token is None:
        return None
    return record_visit(distributor_id=token.distributor_id, key=key, visitor=visitor, now=now)
