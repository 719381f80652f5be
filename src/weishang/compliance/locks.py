"""Row locks on staff accounts, always taken in primary-key order so they cannot deadlock."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import QuerySet


def staff_for_update(user_ids: Iterable[int | None]) -> QuerySet:
    """Locking every active owner before counting them makes two owners removing each other run
    one after the other, so the second sees who the first left."""
    ids = sorted({pk for pk in user_ids if pk is not None})
    return get_user_model().objects.filter(pk__in=ids).order_by("pk").select_for_update()
