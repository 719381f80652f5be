"""Tamper-proof share tokens: who shared, through what, and when.

A token is signed with the site's secret (``django.core.signing``) and carries the distributor's
id, the share source and the product, if any. A forged, altered or stale token reads as ``None``:
the visitor simply browses the store unbound, never sees an error page.
"""

from dataclasses import dataclass

from django.core import signing

from .models import ShareSource

SALT = "weishang.share"
MAX_AGE_SECONDS = 180 * 24 * 3600
PARAM = "ref"


@dataclass(frozen=True)
class ShareToken:
    distributor_id: int
    source: str
    product_id: int | None = None


def make_token(*, distributor_id: int, source: str, product_id: int | None = None) -> str:
    if source not in ShareSource.values or source == ShareSource.BRAND:
        raise ValueError(f"not a share source: {source!r}")
    payload = [distributor_id, source] + ([product_id] if product_id else [])
    return signing.TimestampSigner(salt=SALT).sign_object(payload, compress=True)


def read_token(token: str | None, *, max_age: int = MAX_AGE_SECONDS) -> ShareToken | None:
    if not token:
        return None
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age)
        distributor_id, source, *rest = payload
        if source not in ShareSource.values or source == ShareSource.BRAND:
            return None
        return ShareToken(int(distributor_id), source, int(rest[0]) if rest else None)
    except (signing.BadSignature, ValueError, TypeError):
        return None
