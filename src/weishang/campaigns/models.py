"""Campaigns (微活动 / 预售): time-boxed offers priced and stocked like any order. A campaign
sells "units" — SKU units for a pre-sale or a member-only event, whole boxes for a gift box —
counted on its row (``units_taken``) under its lock, so its stock and each customer's limit hold
under concurrency; the goods' own stock is reserved per SKU as for any order."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CampaignKind(models.TextChoices):
    PRESALE = "presale", _("pre-sale")
    GIFT_BOX = "gift_box", _("gift box")
    MEMBERS = "members", _("member-only event")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign status", "draft")
    PUBLISHED = "published", pgettext_lazy("campaign status", "published")
    ENDED = "ended", pgettext_lazy("campaign status", "ended")


class PresaleOutcome(models.TextChoices):
    PENDING = "", pgettext_lazy("pre-sale outcome", "not decided yet")
    REACHED = "reached", _("target reached: the orders ship")
    MISSED = "missed", _("target missed: every order refunded")


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=CampaignKind)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CampaignStatus, default=CampaignStatus.DRAFT
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    per_customer_limit = models.PositiveIntegerField(
        _("limit per customer"), help_text=_("Units (boxes for a gift box) one customer may buy.")
    )
    stock_units = models.PositiveIntegerField(
        _("campaign stock"), help_text=_("Units (boxes for a gift box) the campaign sells in all.")
    )
    units_taken = models.PositiveIntegerField(default=0)
    exclude_from_commission = models.BooleanField(
        _("excluded from commission"),
        default=False,
        help_text=_("Its orders earn distributors no commission."),
    )
    target_units = models.PositiveIntegerField(_("pre-sale target (units)"), null=True, blank=True)
    min_tier = models.ForeignKey(
        "loyalty.MemberTier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("members from this tier up"),
    )
    box_price_fen = models.PositiveIntegerField(_("box price (fen)"), null=True, blank=True)
    outcome = models.CharField(
        max_length=16, choices=PresaleOutcome, blank=True, default=PresaleOutcome.PENDING
    )
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(units_taken__lte=F("stock_units")), name="campaign_units_within_stock"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="campaign_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(kind="presale") | Q(target_units__gt=0),
                name="presale_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(kind="gift_box") | Q(box_price_fen__gt=0), name="gift_box_has_price"
            ),
        ]

    def __str__(self):
        return self.name


class CampaignItem(models.Model):
    """A SKU the campaign sells at its campaign price; in a gift box, one of the box's SKUs and
    how many of it a box holds (the box has one price, spread over its SKUs)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    price_fen = models.PositiveIntegerField(null=True, blank=True)
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sku"], name="one_campaign_item_per_sku"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="campaign_item_quantity_positive"
            ),
        ]


class CampaignOrder(models.Model):
    """An order placed through a campaign and the campaign units it took; ``released`` once an
    unpaid or cancelled order gave them back."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="orders")
    order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, related_name="campaign_entry"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    units = models.PositiveIntegerField()
    released = models.BooleanField(default=False)
    placed_at = models.DateTimeField()

    class Meta:
        ordering = ["-placed_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "customer"])]
        constraints = [
            models.CheckConstraint(condition=Q(units__gt=0), name="campaign_order_units_positive")
        ]
