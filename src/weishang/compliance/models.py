from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weishang.uploads import private_storage


class AuditEntry(models.Model):
    """One act of the brand's staff that changed money, plans, prices, bindings, blacklists or
    personal data. Append-only: the application never updates or deletes a row, and on
    PostgreSQL a trigger refuses UPDATE and DELETE (see migration 0002)."""

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("who"), max_length=150)
    action = models.CharField(_("what"), max_length=64, db_index=True)
    object_type = models.CharField(_("object"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"])]


class ComplianceSettings(models.Model):
    """The brand's service levels; one row (pk 1), defaults apply until the brand saves it."""

    complaint_answer_hours = models.PositiveSmallIntegerField(
        _("first answer to a complaint due within (hours)"), default=48
    )

    class Meta:
        verbose_name = _("compliance settings")
        verbose_name_plural = _("compliance settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(complaint_answer_hours__gte=1), name="complaint_sla_positive"
            )
        ]

    @classmethod
    def current(cls) -> "ComplianceSettings":
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class ComplaintCategory(models.TextChoices):
    QUALITY = "quality", _("product quality")
    DELIVERY = "delivery", _("delivery")
    REFUND = "refund", _("refund or return")
    MISLEADING = "misleading", _("misleading description")
    DISTRIBUTOR = "distributor", _("distributor's conduct")
    PRIVACY = "privacy", _("privacy")
    OTHER = "other", _("other")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("complaint status", "received")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved")
    REJECTED = "rejected", pgettext_lazy("complaint status", "rejected")


class Complaint(models.Model):
    """A customer's complaint about one of his orders; counted on the attributed distributor's
    record. Kept with its outcome for the regulator export."""

    OPEN = (ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS)

    number = models.CharField(_("complaint number"), max_length=24, unique=True)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("order")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="complaints"
    )
    distributor = models.ForeignKey(
        "distribution.Distributor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("attributed distributor"),
    )
    category = models.CharField(_("category"), max_length=16, choices=ComplaintCategory)
    text = models.TextField(_("complaint"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=ComplaintStatus, default=ComplaintStatus.RECEIVED
    )
    filed_at = models.DateTimeField(_("filed"), db_index=True)
    due_at = models.DateTimeField(_("first answer due"))
    first_answered_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    resolved_at = models.DateTimeField(
        _("closed"), null=True, blank=True, help_text=_("When it was resolved or rejected.")
    )
    outcome = models.TextField(_("outcome"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["customer", "filed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["received", "in_progress"]) | ~models.Q(outcome=""),
                name="closed_complaint_has_outcome",
            )
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class ComplaintPhoto(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(upload_to="complaints/%Y/%m/", storage=private_storage)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]


class ComplaintMessage(models.Model):
    """One message in a complaint's thread, from the customer or the brand's staff."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_customer = models.BooleanField()
    text = models.TextField(_("message"), max_length=2000)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]


class BlacklistSubject(models.TextChoices):
    CUSTOMER = "customer", _("customer")
    DISTRIBUTOR = "distributor", _("distributor")


class BlacklistEntry(models.Model):
    """A customer or distributor the brand blacklisted, with who and why; lifting keeps the row.
    At most one active (not lifted) entry per subject."""

    subject_type = models.CharField(_("subject"), max_length=16, choices=BlacklistSubject)
    subject_id = models.PositiveBigIntegerField()
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("blacklisted"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lift_reason = models.CharField(_("reason for lifting"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_active_blacklist_entry",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True)
                | (models.Q(lifted_by__isnull=False) & ~models.Q(lift_reason="")),
                name="lifted_entry_has_author_and_reason",
            ),
        ]

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


from .models_api_keys import *  # noqa: E402, F403
from .models_retention import *  # noqa: E402, F403
