from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from .models import AuditEntry, BlacklistEntry, Complaint, ComplaintMessage


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


# Complaints --------------------------------------------------------------------------------------


def complaints_for_customer(customer) -> QuerySet[Complaint]:
    return Complaint.objects.filter(customer=customer).select_related("order")


def complaint_for_customer(customer, number: str) -> Complaint:
    """Raises Complaint.DoesNotExist for someone else's complaint as for a missing one."""
    return (
        Complaint.objects.select_related("order")
        .prefetch_related("photos", "messages")
        .get(customer=customer, number=number)
    )


def complaint_queue(*, status: str = "", now=None) -> QuerySet[Complaint]:
    """The console's queue: overdue complaints (no first answer, due time passed) first, then
    by due time. ``status`` is one status, "open" (received or in progress) or "" for all."""
    now = now or timezone.now()
    complaints = Complaint.objects.select_related("order", "customer", "distributor")
    if status == "open":
        complaints = complaints.filter(status__in=Complaint.OPEN)
    elif status:
        complaints = complaints.filter(status=status)
    overdue = Q(first_answered_at__isnull=True, due_at__lt=now, status__in=Complaint.OPEN)
    return complaints.annotate(
        is_overdue=Case(When(overdue, then=Value(True)), default=Value(False))
    ).order_by("-is_overdue", "due_at", "pk")


def complaint_for_staff(number: str) -> Complaint:
    return (
        Complaint.objects.select_related("order", "customer", "distributor")
        .prefetch_related(
            "photos", Prefetch("messages", ComplaintMessage.objects.select_related("author"))
        )
        .get(number=number)
    )


def complaints_filed_between(start, end) -> QuerySet:
    """Complaints filed in [start, end), oldest first, as tuples for the regulator export."""
    return (
        Complaint.objects.filter(filed_at__gte=start, filed_at__lt=end)
        .order_by("filed_at", "pk")
        .values_list(
            "number",
            "order__number",
            "filed_at",
            "category",
            "text",
            "status",
            "due_at",
            "first_answered_at",
            "resolved_at",
            "outcome",
            "distributor__store_name",
            "distributor__id_number_masked",
        )
    )


def complaint_counts_by_distributor(distributor_ids) -> dict[int, int]:
    """Complaints on each distributor's record: {distributor id: number of complaints}."""
    rows = (
        Complaint.objects.filter(distributor_id__in=list(distributor_ids))
        .values("distributor_id")
        .annotate(n=Count("pk"))
    )
    return {row["distributor_id"]: row["n"] for row in rows}


# Blacklist ---------------------------------------------------------------------------------------


def blacklist_entries(*, active: bool | None = None) -> QuerySet[BlacklistEntry]:
    entries = BlacklistEntry.objects.select_related("created_by", "lifted_by")
    if active is not None:
        entries = entries.filter(lifted_at__isnull=active)
    return entries


def photo_response(complaint: Complaint, photo_id: int):
    """A complaint photo as a private, uncached download; raises Http404 if it is not this
    complaint's. Complaint photos are personal data, so they are never under the public /media/."""
    import mimetypes

    from django.http import FileResponse, Http404

    photo = next((p for p in complaint.photos.all() if p.pk == photo_id), None)
    if photo is None or not photo.image:
        raise Http404
    content_type = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    response = FileResponse(photo.image.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def complaints_on_order(order) -> list[Complaint]:
    """The order's complaints with the brand's answers (``staff_answers``), for its order page."""
    return list(
        Complaint.objects.filter(order=order)
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=ComplaintMessage.objects.filter(from_customer=False).order_by("at", "pk"),
                to_attr="staff_answers",
            )
        )
        .order_by("filed_at", "pk")
    )
