"""The blacklist: customers who may not order, distributors whose store is closed. Every entry
has an author and a reason and is lifted with one; both acts are audit-logged.

``add_entry`` and ``lift_entry`` serve both subject types; what blacklisting a distributor does
to his store, links and commission is done by the distribution services, which call them."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.core_errors import DomainError

from . import audit
from .models import BlacklistEntry, BlacklistSubject

REASON_MAX = 300
_SUBJECT_TYPES = {
    "customers.customer": BlacklistSubject.CUSTOMER,
    "distribution.distributor": BlacklistSubject.DISTRIBUTOR,
}


class BlacklistError(DomainError):
    pass


def subject_type_of(subject) -> str:
    try:
        return _SUBJECT_TYPES[subject._meta.label_lower]
    except (AttributeError, KeyError) as exc:
        raise TypeError(f"cannot blacklist {subject!r}") from exc


def _active(subject_type: str, subject_id: int):
    return BlacklistEntry.objects.filter(
        subject_type=subject_type, subject_id=subject_id, lifted_at__isnull=True
    )


def blacklist_entry_for(subject) -> BlacklistEntry | None:
    """The subject's active entry, or None."""
    return _active(subject_type_of(subject), subject.pk).first()


def customer_is_blacklisted(customer_id: int) -> bool:
    """One indexed query (the partial unique index on active entries)."""
    return _active(BlacklistSubject.CUSTOMER, customer_id).exists()


def _reason(raw, message) -> str:
    reason = " ".join(str(raw or "").split())
    if not reason:
        raise BlacklistError(message, code="reason_required")
    if len(reason) > REASON_MAX:
        raise BlacklistError(
            _("A reason can be at most %(n)d characters.") % {"n": REASON_MAX}, code="too_long"
        )
    return reason


@transaction.atomic
def add_entry(*, subject, actor, reason: str, now=None) -> BlacklistEntry:
    """Blacklists a customer or distributor; refuses a subject already on the blacklist."""
    subject_type = subject_type_of(subject)
    reason = _reason(reason, _("Give a reason for blacklisting."))
    if actor is None or not actor.pk:
        raise BlacklistError(_("A blacklist entry needs an author."), code="author_required")
    already = BlacklistError(_("This account is already on the blacklist."), code="already")
    if _active(subject_type, subject.pk).exists():
        raise already
    try:
        with transaction.atomic():
            entry = BlacklistEntry.objects.create(
                subject_type=subject_type,
                subject_id=subject.pk,
                reason=reason,
                created_by=actor,
                created_at=now or timezone.now(),
            )
    except IntegrityError as exc:  # someone blacklisted it at the same moment
        raise already from exc
    audit.record(
        actor=actor,
        action=f"blacklist.{subject_type}.add",
        obj=subject,
        before={"blacklisted": False},
        after={"blacklisted": True, "entry": entry.pk},
        reason=reason,
    )
    return entry


@transaction.atomic
def lift_entry(*, subject, actor, reason: str, now=None) -> BlacklistEntry:
    """Lifts the subject's active entry; the entry is kept with who lifted it and why."""
    subject_type = subject_type_of(subject)
    reason = _reason(reason, _("Give a reason for lifting the blacklisting."))
    if actor is None or not actor.pk:
        raise BlacklistError(_("Lifting needs an author."), code="author_required")
    entry = _active(subject_type, subject.pk).select_for_update().first()
    if entry is None:
        raise BlacklistError(_("This account is not on the blacklist."), code="not_blacklisted")
    entry.lifted_at = now or timezone.now()
    entry.lifted_by = actor
    entry.lift_reason = reason
    entry.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    audit.record(
        actor=actor,
        action=f"blacklist.{subject_type}.lift",
        obj=subject,
        before={"blacklisted": True, "entry": entry.pk},
        after={"blacklisted": False},
        reason=reason,
    )
    return entry


def blacklist_customer(*, customer, actor, reason: str) -> BlacklistEntry:
    """The customer can no longer place orders (he can still complain about past ones)."""
    return add_entry(subject=customer, actor=actor, reason=reason)


def lift_customer_blacklist(*, customer, actor, reason: str) -> BlacklistEntry:
    return lift_entry(subject=customer, actor=actor, reason=reason)
