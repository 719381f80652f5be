"""Idempotency-Key on the POSTs that move money or stock: the first request with a key runs and
its answer is stored; the same key with the same request gets that answer again, without running
twice; the same key with another request (or while the first still runs) is refused with 409.
The unique constraint on (principal, key) decides between two requests racing with one key."""

import hashlib
import json
from collections.abc import Callable
from typing import Annotated

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Status
from pydantic import StringConstraints

from weishang.core_errors import DomainError

from .errors import ApiError, body_of, status_of
from .models import IdempotentRequest

IdempotencyKey = Annotated[
    str,
    StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$"),
    Header(
        alias="Idempotency-Key",
        description="A key the client makes for this request (8–64 letters, digits, - or _); "
        "sending it again with the same request returns the first answer.",
    ),
]


def _hash(request) -> str:
    return hashlib.sha256(request.method.encode() + b" " + request.body).hexdigest()


def _claim(*, principal: str, key: str, request, now) -> IdempotentRequest | None:
    """Reserves the key for this request (None), or returns the request that already holds it."""
    IdempotentRequest.objects.filter(principal=principal, key=key, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            IdempotentRequest.objects.create(
                principal=principal,
                key=key,
                method=request.method,
                path=request.path[:300],
                body_hash=_hash(request),
                created_at=now,
                expires_at=now + settings.API_IDEMPOTENCY_TTL,
            )
    except IntegrityError:
        return IdempotentRequest.objects.get(principal=principal, key=key)
    return None


def run(request, *, principal: str, key: str, act: Callable[[], tuple[int, dict]]):
    """``act`` returns ``(status, json)``, the answer; a domain error it raises is stored as an
    answer too (the same request would fail the same way), anything else frees the key."""
    now = timezone.now()
    held = _claim(principal=principal, key=key, request=request, now=now)
    if held is not None:
        if (held.method, held.path, held.body_hash) != (
            request.method,
            request.path[:300],
            _hash(request),
        ):
            raise ApiError(
                _("This Idempotency-Key was already used for another request."),
                code="idempotency_key_reused",
                status=409,
            )
        if held.status is None:
            raise ApiError(
                _("A request with this Idempotency-Key is still being processed; try again."),
                code="idempotency_key_in_use",
                status=409,
            )
        return Status(held.status, held.response)
    try:
        status, body = act()
    except DomainError as exc:
        status, body = status_of(exc), body_of(exc)
    except BaseException:
        IdempotentRequest.objects.filter(principal=principal, key=key).delete()
        raise
    # The answer as it is stored (JSON), so that the first answer and every replay are the same
    # bytes: a time kept to the millisecond must not come back shorter once read again.
    body = json.loads(DjangoJSONEncoder().encode(body))
    IdempotentRequest.objects.filter(principal=principal, key=key).update(
        status=status, response=body
    )
    return Status(status, body)


def purge(*, now=None) -> int:
    """Deletes the answers past their time to live; returns how many."""
    deleted, _rows = IdempotentRequest.objects.filter(
        expires_at__lte=now or timezone.now()
    ).delete()
    return deleted
