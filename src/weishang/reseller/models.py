"""Reseller mode (微供 / 一件代发): the brand's band per SKU, the distributors it approved as
resellers, and each reseller's own price for the SKUs he chose.

A reseller never buys or holds stock (COMPLIANCE.md, 不压货): the brand ships every order from its
warehouse and stays the seller of record; he earns the markup, his price less the supply price.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ResellerPricing(models.Model):
    """The brand's band for reselling one SKU: a reseller's price is at least the supply price and
    at most the ceiling. A closed band takes no new prices, and the prices set stop applying."""

    sku = models.OneToOneField(
        "catalog.Sku", on_delete=models.PROTECT, related_name="reseller_pricing"
    )
    supply_fen = models.PositiveIntegerField(_("supply price (fen)"))
    ceiling_fen = models.PositiveIntegerField(_("ceiling price (fen)"))
    is_open = models.BooleanField(_("open to resellers"), default=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(supply_fen__gt=0), name="supply_price_positive"),
            models.CheckConstraint(
                condition=Q(ceiling_fen__gte=F("supply_fen")), name="ceiling_at_least_supply"
            ),
        ]


class Reseller(models.Model):
    """A distributor's standing as a reseller: he applies (or staff switch him on), staff approve.
    Nothing is paid or bought to become one (《禁止传销条例》Art. 7(2); 不压货)."""

    class Status(models.TextChoices):
        APPLIED = "applied", pgettext_lazy("reseller status", "applied to resell")
        APPROVED = "approved", pgettext_lazy("reseller status", "approved as reseller")
        REVOKED = "revoked", pgettext_lazy("reseller status", "reseller standing ended")

    distributor = models.OneToOneField(
        "distribution.Distributor", on_delete=models.PROTECT, related_name="reseller"
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.APPLIED)
    applied_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]


class Listing(models.Model):
    """A reseller's own price for one SKU. Suspended when the brand moved or closed the band so
    that his price no longer fits: the brand's price applies until he sets a new one."""

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("listing status", "on sale at your price")
        SUSPENDED = "suspended", _("suspended: outside the brand's new band")
        WITHDRAWN = "withdrawn", pgettext_lazy("listing status", "withdrawn")

    distributor = models.ForeignKey(
        "distribution.Distributor", on_delete=models.PROTECT, related_name="listings"
    )
    sku = models.ForeignKey(
        "catalog.Sku", on_delete=models.PROTECT, related_name="reseller_listings"
    )
    price_fen = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status, default=Status.ACTIVE)
    note = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["sku_id"]
        constraints = [
            models.UniqueConstraint(fields=["distributor", "sku"], name="one_listing_per_sku"),
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="listing_price_positive"),
        ]
        indexes = [models.Index(fields=["sku", "status"])]


class ListingChange(models.Model):
    """Every change of a listing's price or status, appended and never rewritten."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="changes")
    price_fen = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Listing.Status)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
