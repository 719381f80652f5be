"""Complaints: a customer files one on his own order; the brand's staff answer it within the
brand's service level and close it with an outcome. Staff acts are audit-logged."""

import secrets
import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang import uploads
from weishang.core_errors import DomainError

from . import audit
from .models import (
    Complaint,
    ComplaintCategory,
    ComplaintMessage,
    ComplaintPhoto,
    ComplaintStatus,
    ComplianceSettings,
)

TEXT_MAX = 2000
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000

TRANSITIONS = {
    ComplaintStatus.RECEIVED: {ComplaintStatus.IN_PROGRESS},
    ComplaintStatus.IN_PROGRESS: {ComplaintStatus.RESOLVED, ComplaintStatus.REJECTED},
    ComplaintStatus.RESOLVED: set(),
    ComplaintStatus.REJECTED: set(),
}


class ComplaintError(DomainError):
    pass


def check_transition(current: str, target: str) -> None:
    """Refuses a status change the complaint's life does not allow."""
    if target in TRANSITIONS.get(current, set()):
        return
    if current in (ComplaintStatus.RESOLVED, ComplaintStatus.REJECTED):
        raise ComplaintError(
            _("This complaint is closed (%(status)s); it cannot change any more.")
            % {"status": ComplaintStatus(current).label},
            code="closed",
        )
    raise ComplaintError(
        _("Answer the customer before closing the complaint."), code="not_answered"
    )


def _text(raw, *, empty_message) -> str:
    text = str(raw or "").strip()
    if not text:
        raise ComplaintError(empty_message, code="text_required")
    if len(text) > TEXT_MAX:
        raise ComplaintError(
            _("A text can be at most %(n)d characters.") % {"n": TEXT_MAX}, code="too_long"
        )
    return text


def _checked_photo(photo) -> str:
    """The file extension for the photo's real format, or a ComplaintError; the file is rewound."""
    try:
        return uploads.inspect_image(
            photo, max_bytes=MAX_PHOTO_BYTES, max_pixels=MAX_PHOTO_PIXELS
        ).extension
    except uploads.ImageRejected as exc:
        if exc.problem is uploads.Problem.TOO_LARGE:
            message = _("A photo can be at most %(mb)d MB.") % {
                "mb": MAX_PHOTO_BYTES // (1024 * 1024)
            }
            raise ComplaintError(message, code="photo_too_large") from exc
        raise ComplaintError(
            _("Photos must be JPEG, PNG or WebP images."), code="not_a_photo"
        ) from exc


def _number(now: datetime) -> str:
    return f"C{timezone.localtime(now):%y%m%d%H%M%S}{secrets.randbelow(10**6):06d}"


def _lock(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


@transaction.atomic
def file_complaint(
    *, customer, order, category: str, text: str, photos=(), now: datetime | None = None
) -> Complaint:
    """Files a complaint on the customer's own order, due for a first answer within the brand's
    service level. A blacklisted customer can still complain (his rights as a consumer stay)."""
    now = now or timezone.now()
    if order is None or order.customer_id != customer.pk:
        raise ComplaintError(_("You can only complain about your own orders."), code="not_yours")
    if category not in ComplaintCategory.values:
        raise ComplaintError(_("Choose what the complaint is about."), code="category")
    text = _text(text, empty_message=_("Describe what went wrong."))
    photos = [photo for photo in photos or () if photo]
    if len(photos) > MAX_PHOTOS:
        raise ComplaintError(
            _("You can attach at most %(n)d photos.") % {"n": MAX_PHOTOS}, code="too_many_photos"
        )
    extensions = [_checked_photo(photo) for photo in photos]
    hours = ComplianceSettings.current().complaint_answer_hours
    complaint = Complaint.objects.create(
        number=_number(now),
        order=order,
        customer=customer,
        distributor_id=order.distributor_id,
        category=category,
        text=text,
        filed_at=now,
        due_at=now + timedelta(hours=hours),
    )
    saved = []
    try:
        for position, (photo, extension) in enumerate(zip(photos, extensions, strict=True)):
            row = ComplaintPhoto(complaint=complaint, position=position)
            # A random stored name: the upload's own name never reaches the disk or the URL.
            row.image.save(f"{uuid.uuid4().hex}.{extension}", photo, save=False)
            saved.append(row.image)
            row.save(force_insert=True)
    except Exception:
        for image in saved:
            image.storage.delete(image.name)
        raise
    return complaint


@transaction.atomic
def answer_complaint(*, complaint: Complaint, staff, text: str, now=None) -> ComplaintMessage:
    """A staff message in the thread; the first one takes the complaint into progress."""
    now = now or timezone.now()
    text = _text(text, empty_message=_("Write an answer."))
    complaint = _lock(complaint)
    if not complaint.is_open:
        check_transition(complaint.status, ComplaintStatus.IN_PROGRESS)
    message = ComplaintMessage.objects.create(
        complaint=complaint, author=staff, from_customer=False, text=text, at=now
    )
    before = {"status": complaint.status}
    if complaint.status == ComplaintStatus.RECEIVED:
        check_transition(complaint.status, ComplaintStatus.IN_PROGRESS)
        complaint.status = ComplaintStatus.IN_PROGRESS
        complaint.first_answered_at = now
        complaint.save(update_fields=["status", "first_answered_at"])
    audit.record(
        actor=staff,
        action="complaint.answer",
        obj=complaint,
        before=before,
        after={"status": complaint.status, "message": message.pk},
    )
    return message


@transaction.atomic
def customer_reply(*, complaint: Complaint, customer, text: str, now=None) -> ComplaintMessage:
    now = now or timezone.now()
    if complaint.customer_id != customer.pk:
        raise ComplaintError(_("This is not your complaint."), code="not_yours")
    text = _text(text, empty_message=_("Write a message."))
    complaint = _lock(complaint)
    if not complaint.is_open:
        raise ComplaintError(
            _("This complaint is closed; file a new one if something is still wrong."),
            code="closed",
        )
    return ComplaintMessage.objects.create(
        complaint=complaint, author=customer.user, from_customer=True, text=text, at=now
    )


def _close(complaint, staff, outcome, status, now, ordered=None) -> Complaint:
    now = now or timezone.now()
    outcome = _text(outcome, empty_message=_("Write the outcome for the customer."))
    complaint = _lock(complaint)
    check_transition(complaint.status, status)
    before = {"status": complaint.status}
    complaint.status = status
    complaint.outcome = outcome
    complaint.resolved_at = now
    complaint.save(update_fields=["status", "outcome", "resolved_at"])
    audit.record(
        actor=staff,
        action=f"complaint.{'resolve' if status == ComplaintStatus.RESOLVED else 'reject'}",
        obj=complaint,
        before=before,
        after={"status": status, "outcome": outcome, **(ordered or {})},
    )
    return complaint


@transaction.atomic
def resolve_complaint(
    *, complaint: Complaint, staff, outcome: str, now=None, ordered=None
) -> Complaint:
    """``ordered`` is what the resolution ordered besides its words (a refund, by
    ``sales.resolve_complaint_with_refund``), recorded in the same audit entry."""
    return _close(complaint, staff, outcome, ComplaintStatus.RESOLVED, now, ordered)


@transaction.atomic
def reject_complaint(*, complaint: Complaint, staff, outcome: str, now=None) -> Complaint:
    return _close(complaint, staff, outcome, ComplaintStatus.REJECTED, now)
