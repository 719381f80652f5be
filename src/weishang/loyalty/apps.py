from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    """Member tiers, points, the cash-back wallet, coupons and customer share rewards."""

    name = "weishang.loyalty"
    verbose_name = _("members and rewards")
