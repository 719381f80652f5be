"""A visitor who opens a distributor's post link (``?ref=<his token>&post=<key>``) counts as a
visit of that post, and the post is remembered in his session for ``REMEMBER_DAYS``: the order
he places then counts on it. The binding itself is the share link middleware's."""

from datetime import timedelta

from django.utils import timezone

from weishang.content import posts
from weishang.content.post_material import PARAM
from weishang.distribution import tokens

SESSION_KEY = "ws_post"
REMEMBER_DAYS = 7


def remember_post(request) -> None:
    """Costs no query without ``post=``; a forged token or a key not his counts nothing."""
    key = request.GET.get(PARAM)
    if not key:
        return
    user = request.user
    visitor = getattr(user, "customer", None) if user.is_authenticated else None
    if user.is_authenticated and visitor is None:
        return  # staff browsing the store
    now = timezone.now()
    post_id = posts.record_link_visit(
        key=key, ref=request.GET.get(tokens.PARAM), visitor=visitor, now=now
    )
    if post_id is not None:
        request.session[SESSION_KEY] = [post_id, int(now.timestamp())]


def remembered_post(request) -> int | None:
    """The post whose link brought this visitor, if still remembered. No query."""
    remembered = request.session.get(SESSION_KEY)
    try:
        post_id, at = (int(value) for value in remembered)
    except (TypeError, ValueError):
        return None
    age = timezone.now().timestamp() - at
    if not 0 <= age <= timedelta(days=REMEMBER_DAYS).total_seconds():
        return None
    return post_id
