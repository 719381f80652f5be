"""The brand's points settings, changed from the console; audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from weishang.compliance import audit

from .errors import LoyaltyError
from .models import LoyaltySettings

FIELDS = (
    "points_per_yuan",
    "fen_per_point",
    "points_valid_days",
    "tier_window_days",
    "points_max_share_bp",
)


@transaction.atomic
def update_points_settings(
    *,
    actor,
    points_per_yuan: int,
    fen_per_point: int,
    points_valid_days: int,
    tier_window_days: int,
    points_max_share_bp: int | None = None,
) -> LoyaltySettings:
    """Points earned per yuan, what a point is worth, how long points last, the period member
    tiers count and the share of an order points may pay (None: all of it); new values apply to
    points granted, tiers reviewed and orders placed from now on."""
    points_max_share_bp = 10_000 if points_max_share_bp is None else points_max_share_bp
    if not 0 <= points_per_yuan <= 100:
        raise LoyaltyError(_("Points per yuan are from 0 to 100."))
    if not 1 <= fen_per_point <= 100:
        raise LoyaltyError(_("A point is worth from ¥0.01 to ¥1.00."))
    if not 30 <= points_valid_days <= 3650:
        raise LoyaltyError(_("Points last from 30 to 3650 days."))
    if not 30 <= tier_window_days <= 1095:
        raise LoyaltyError(_("Member tiers count the spend of the last 30 to 1095 days."))
    if not 1 <= points_max_share_bp <= 10_000:
        raise LoyaltyError(_("Points may pay from 0.01 % to 100 % of an order."))
    current = LoyaltySettings.objects.select_for_update().filter(pk=1).first()
    before = {name: getattr(current or LoyaltySettings(), name) for name in FIELDS}
    after = {
        "points_per_yuan": points_per_yuan,
        "fen_per_point": fen_per_point,
        "points_valid_days": points_valid_days,
        "tier_window_days": tier_window_days,
        "points_max_share_bp": points_max_share_bp,
    }
    saved, _created = LoyaltySettings.objects.update_or_create(pk=1, defaults=after)
    audit.record_change(
        actor=actor, action="points.settings", obj=saved, before=before, after=after
    )
    return saved
