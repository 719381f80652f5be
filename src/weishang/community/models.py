from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Station(models.Model):
    """A city station (城市站点): the brand's community in one city, led by its opinion leaders.
    Customers and distributors belong to one; closing a station keeps its members' history."""

    name = models.CharField(_("station name"), max_length=40, unique=True)
    province = models.CharField(_("province"), max_length=20)
    city = models.CharField(_("city"), max_length=20)
    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["province", "city", "name"]
        verbose_name = _("city station")
        verbose_name_plural = _("city stations")
        indexes = [models.Index(fields=["city"])]

    def __str__(self):
        return self.name


class OpinionLeader(models.Model):
    """A customer or distributor the brand appointed as a station's opinion leader (意见领袖)."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="leaders")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=40, blank=True)
    appointed_at = models.DateTimeField()

    class Meta:
        ordering = ["appointed_at", "pk"]
        verbose_name = _("opinion leader")
        verbose_name_plural = _("opinion leaders")
        constraints = [
            models.UniqueConstraint(fields=["station", "customer"], name="lead_a_station_once")
        ]


class StationMembership(models.Model):
    """The one station a customer (a distributor is a customer too) belongs to."""

    class Source(models.TextChoices):
        CHOSEN = "chosen", _("chosen by the member")
        BRAND = "brand", _("set by the brand")

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="station_membership"
    )
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="memberships")
    source = models.CharField(max_length=8, choices=Source)
    joined_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["station", "joined_at"])]


class Tag(models.Model):
    """A manual tag staff put on customers (e.g. 宝妈, 高复购)."""

    name = models.CharField(_("tag"), max_length=20, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class CustomerTag(models.Model):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="assignments")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    tagged_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tag", "customer"], name="tag_once")]
        indexes = [models.Index(fields=["customer"])]


class Segment(models.Model):
    """A rule segment (人群): the customers who meet every condition that is set (none set: every
    customer). Counted live; the audience of themes, coupons and care-list messages. "Orders" are
    paid orders not cancelled or refunded in full."""

    name = models.CharField(_("segment name"), max_length=40, unique=True)
    min_orders = models.PositiveIntegerField(_("at least this many orders"), null=True, blank=True)
    ordered_within_days = models.PositiveIntegerField(
        _("ordered in the last (days)"), null=True, blank=True
    )
    no_order_days = models.PositiveIntegerField(
        _("no order in the last (days)"), null=True, blank=True
    )
    city = models.CharField(_("city of the default address"), max_length=20, blank=True)
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    min_tier = models.ForeignKey(
        "loyalty.MemberTier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member tier at least"),
    )
    tag = models.ForeignKey(
        Tag, on_delete=models.PROTECT, null=True, blank=True, related_name="segments"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_orders__isnull=True) | Q(min_orders__gte=1),
                name="segment_min_orders_positive",
            ),
            models.CheckConstraint(
                condition=Q(ordered_within_days__isnull=True)
                | Q(ordered_within_days__gte=1, ordered_within_days__lte=3650),
                name="segment_ordered_within_range",
            ),
            models.CheckConstraint(
                condition=Q(no_order_days__isnull=True)
                | Q(no_order_days__gte=1, no_order_days__lte=3650),
                name="segment_no_order_range",
            ),
        ]

    def __str__(self):
        return self.name
