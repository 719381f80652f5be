from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from weishang.compliance.staff import ROLES


class IdempotentRequest(models.Model):
    """A POST that moves money or stock, under the client's Idempotency-Key: the same key with the
    same request gets the answer stored here; the same key with another request is refused. A row
    without a status is a request still running."""

    principal = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="one_request_per_key")
        ]


class StaffApiKey(models.Model):
    """A key an integration uses instead of a staff member's sign-in, bound to one console role.
    Only its SHA-256 is stored (it is a long random secret, shown once when made); its prefix
    finds it."""

    name = models.CharField(_("name"), max_length=60)
    role = models.CharField(_("role"), max_length=20, choices=list(ROLES.items()))
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staff API key")
        verbose_name_plural = _("staff API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
