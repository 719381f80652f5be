"""Writing the audit log: called explicitly by the service that performs the audited act, inside
its transaction, so the act and its record commit together or not at all."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .models import AuditEntry


def _jsonable(value):
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id="",
    before=None,
    after=None,
    reason: str = "",
    actor_label: str = "",
) -> AuditEntry:
    """Appends one entry. ``actor`` is a user or None for the system (commands, tasks);
    ``actor_label`` names him instead of his username when that is personal data (a customer's
    is his mobile number), since the log is never erased."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    label = actor_label or (actor.get_username() if actor is not None else "system")
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_jsonable(before),
        after=_jsonable(after),
        reason=(reason or "")[:300],
    )


def record_change(*, actor, action: str, obj, before: dict, after: dict, reason: str = ""):
    """Appends one entry with only the fields that changed; nothing when none did."""
    changed = [name for name in after if before.get(name) != after[name]]
    if not changed:
        return None
    return record(
        actor=actor,
        action=action,
        obj=obj,
        before={name: before.get(name) for name in changed},
        after={name: after[name] for name in changed},
        reason=reason,
    )
