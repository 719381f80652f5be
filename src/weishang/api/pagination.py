"""Cursor pagination for every API list: the cursor is the signed sort key of the last item sent,
so a page is a keyset query (no OFFSET; rows added meanwhile neither repeat nor go missing) and a
client cannot forge one."""

from collections.abc import Callable, Iterable
from typing import Annotated

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field

from .errors import ApiError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_SALT = "weishang.api.cursor"


class PageQuery(Schema):
    cursor: str | None = Field(None, max_length=500, description="next_cursor of the page before")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


PageParams = Annotated[PageQuery, Query()]


def _keyset(ordering: Iterable[str], values: list) -> Q:
    """Rows after the one with these sort values, for a lexicographic ordering."""
    after = Q(pk__in=[])
    equal = Q()
    for name, value in zip(ordering, values, strict=True):
        field = name.lstrip("-")
        after |= equal & Q(**{f"{field}__{'lt' if name.startswith('-') else 'gt'}": value})
        equal &= Q(**{field: value})
    return after


def page[T](
    queryset: QuerySet, params: PageQuery, *, ordering: tuple[str, ...], row: Callable[..., T]
) -> dict:
    """``{"items": [row(obj), …], "next_cursor": str | None}``; ``ordering`` ends with a unique
    field (``pk``) so that the cursor names one row."""
    model = queryset.model
    queryset = queryset.order_by(*ordering)
    if params.cursor:
        try:
            raw = signing.loads(params.cursor, salt=_SALT)
            values = [
                model._meta.get_field(
                    "id" if name.lstrip("-") == "pk" else name.lstrip("-")
                ).to_python(value)
                for name, value in zip(ordering, raw, strict=True)
            ]
        except (signing.BadSignature, TypeError, ValueError, ValidationError) as exc:
            raise ApiError(
                _("This cursor is not valid; start again from the first page."),
                code="invalid_cursor",
                status=422,
                field="cursor",
            ) from exc
        queryset = queryset.filter(_keyset(ordering, values))
    rows = list(queryset[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = signing.dumps(
            [_json(getattr(last, name.lstrip("-"))) for name in ordering], salt=_SALT
        )
    return {"items": [row(obj) for obj in rows], "next_cursor": next_cursor}


def _json(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
