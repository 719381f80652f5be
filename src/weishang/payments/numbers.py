import secrets

from django.utils import timezone


def new_number(prefix: str) -> str:
    """A payment or refund number: sortable by day, unguessable."""
    return f"{prefix}{timezone.localtime():%y%m%d}{secrets.token_hex(8)}"
