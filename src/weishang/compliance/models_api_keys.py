"""Staff API keys: the credential an integration holds instead of a staff member's sign-in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .staff import ROLES

__all__ = ["StaffApiKey"]


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
        db_table = "api_staffapikey"  # made by the api app, which held the model first
        verbose_name = _("staff API key")
        verbose_name_plural = _("staff API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
