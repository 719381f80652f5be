"""Staff API keys: made and revoked by an owner (in the console or with ``weishang api_key``),
each act audit-logged in its own transaction. The secret is shown once; only its SHA-256 is kept
(a long random secret needs no slow hash). The API finds the key a request carries with
``key_for``."""

import hashlib
import secrets

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from weishang.core_errors import DomainError

from . import audit
from .models import StaffApiKey
from .staff import OWNER, ROLES

PREFIX_LENGTH = 12


class ApiKeyError(DomainError):
    pass


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _owner(actor) -> None:
    """The command has no console role check in front of it: the act checks its actor."""
    is_owner = (
        actor is not None
        and actor.is_active
        and actor.is_staff
        and (actor.is_superuser or actor.groups.filter(name=OWNER).exists())
    )
    if not is_owner:
        raise ApiKeyError(_("Only an owner can manage API keys."), code="forbidden")


@transaction.atomic
def create_api_key(*, actor, name: str, role: str) -> tuple[StaffApiKey, str]:
    """A new key for ``role``; returns it and its secret, which is never shown again."""
    _owner(actor)
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ApiKeyError(_("Name the key in 1 to 60 characters."), code="bad_name")
    if role not in ROLES:
        raise ApiKeyError(_("Choose one of the roles."), code="unknown_role")
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    secret = f"wsk_{prefix}_{secrets.token_urlsafe(32)}"
    key = StaffApiKey.objects.create(
        name=name,
        role=role,
        prefix=prefix,
        key_hash=_hash(secret),
        created_by=actor,
        created_at=timezone.now(),
    )
    audit.record(actor=actor, action="api_key.create", obj=key, after={"name": name, "role": role})
    return key, secret


@transaction.atomic
def revoke_api_key(*, actor, key_id: int) -> StaffApiKey:
    _owner(actor)
    key = StaffApiKey.objects.select_for_update().filter(pk=key_id, revoked_at=None).first()
    if key is None:
        raise ApiKeyError(_("This API key does not exist or is already revoked."), code="no_key")
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="api_key.revoke", obj=key, before={"name": key.name})
    return key


def api_keys() -> QuerySet[StaffApiKey]:
    """Every key, live ones first and newest first, with its maker: never its secret."""
    return StaffApiKey.objects.select_related("created_by").order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at", "-pk"
    )


def key_for(secret: str) -> StaffApiKey | None:
    """The live key this secret is, with its maker (who acts for it), or None."""
    parts = (secret or "").split("_", 2)
    if len(parts) != 3 or parts[0] != "wsk" or len(parts[1]) != PREFIX_LENGTH:
        return None
    key = (
        StaffApiKey.objects.select_related("created_by")
        .filter(prefix=parts[1], revoked_at=None)
        .first()
    )
    if key is None or not constant_time_compare(key.key_hash, _hash(secret)):
        return None
    return key
