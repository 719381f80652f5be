from django.db.models import QuerySet

from .models import AuditEntry


def audit_entries(
    *, action: str = "", actor: str = "", object_type: str = "", object_id: str = ""
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(action__startswith=action)
    if actor:
        entries = entries.filter(actor_label=actor)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    return entries
