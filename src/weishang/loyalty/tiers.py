"""Member tiers (会员等级): a customer's tier follows his qualifying spend over the brand's rolling
period; it is stored, reviewed when an order completes or is refunded, and every change is
recorded with its reason for him to see. Checkout reads the stored tier's discount and points
multiplier."""

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _

from weishang.compliance import audit
from weishang.transactions import step

from . import coupons, selectors, tier_rules
from .errors import LoyaltyError
from .locks import lock_member_status
from .models import CouponRule, LoyaltySettings, MemberStatus, MemberTier, TierChange

Reason = TierChange.Reason


@step
def review_tier(
    *, customer_id: int, reason: str, now: datetime, reference: str = ""
) -> TierChange | None:
    """Recomputes the customer's tier from his qualifying spend and stores it; records a change
    (from, to, spend, reason) only when the tier differs, and a move up gives him the coupon the
    brand chose for tier upgrades (once per tier). A customer first reviewed starts from the
    lowest tier. Does nothing while the brand has no tiers."""
    if reason not in Reason.values:
        raise ValueError(f"not a tier change reason: {reason!r}")
    tiers = selectors.tiers()
    if not tiers:
        return None
    spend = selectors.qualifying_spend_fen(
        customer_id, now, LoyaltySettings.current().tier_window_days
    )
    tier = tiers[tier_rules.tier_index(spend, [t.threshold_fen for t in tiers])]
    status = lock_member_status(customer_id=customer_id)
    if status is None:
        status = MemberStatus.objects.create(
            customer_id=customer_id, tier=tiers[0], spend_fen=spend, reviewed_at=now
        )
    before = status.tier_id
    status.tier, status.spend_fen, status.reviewed_at = tier, spend, now
    status.save(update_fields=["tier", "spend_fen", "reviewed_at"])
    if before == tier.pk:
        return None
    if tier.threshold_fen > next(t.threshold_fen for t in tiers if t.pk == before):
        coupons.issue_by_rule(
            rule=CouponRule.Occasion.TIER_UPGRADE,
            customer_id=customer_id,
            now=now,
            occasion=tier.name,
        )
    return TierChange.objects.create(
        customer_id=customer_id,
        from_tier_id=before,
        to_tier=tier,
        spend_fen=spend,
        reason=reason,
        reference=reference[:40],
        at=now,
    )


def _tier_value(customer_id: int, field: str):
    """A field of the customer's stored tier, or of the lowest tier before his first review; one
    query (checkout reads it on every order)."""
    his = MemberStatus.objects.filter(customer_id=customer_id, tier=OuterRef("pk"))
    return (
        MemberTier.objects.annotate(his=Exists(his))
        .order_by("-his", "threshold_fen")
        .values_list(field, flat=True)
        .first()
    )


def member_discount_bp(customer_id: int) -> int:
    """The member discount of the customer's tier, in basis points (0 while there are no tiers)."""
    return _tier_value(customer_id, "discount_bp") or 0


def points_multiplier_bp(customer_id: int) -> int:
    """The points multiplier of the customer's tier (10000 = ×1 while there are no tiers)."""
    return _tier_value(customer_id, "multiplier_bp") or tier_rules.BP


def _tier_values(tier: MemberTier) -> dict:
    return {
        "name": tier.name,
        "threshold_fen": tier.threshold_fen,
        "discount_bp": tier.discount_bp,
        "multiplier_bp": tier.multiplier_bp,
    }


@transaction.atomic
def save_tier(
    *,
    actor,
    name: str,
    threshold_fen: int,
    discount_bp: int,
    multiplier_bp: int,
    tier_id: int | None = None,
) -> MemberTier:
    """Adds a tier or changes one (``tier_id``), refusing a set of tiers ``check_tiers`` refuses;
    audited. Customers move to the new thresholds at their next review."""
    existing = {tier.pk: tier for tier in MemberTier.objects.select_for_update().order_by("pk")}
    if tier_id is not None and tier_id not in existing:
        raise LoyaltyError(_("This tier no longer exists."))
    draft = tier_rules.Tier(
        name=name.strip(),
        threshold_fen=threshold_fen,
        discount_bp=discount_bp,
        multiplier_bp=multiplier_bp,
    )
    proposed = [
        tier_rules.Tier(t.name, t.threshold_fen, t.discount_bp, t.multiplier_bp)
        for pk, t in existing.items()
        if pk != tier_id
    ] + [draft]
    problem = tier_rules.check_tiers(proposed)
    if problem:
        raise LoyaltyError(problem)
    tier = existing.get(tier_id) or MemberTier()
    before = _tier_values(tier) if tier.pk else {}
    tier.name, tier.threshold_fen = draft.name, threshold_fen
    tier.discount_bp, tier.multiplier_bp = discount_bp, multiplier_bp
    tier.save()
    if before:
        audit.record_change(
            actor=actor, action="tier.save", obj=tier, before=before, after=_tier_values(tier)
        )
    else:
        audit.record(actor=actor, action="tier.add", obj=tier, after=_tier_values(tier))
    return tier


def tier_counts() -> dict[int, int]:
    """``{tier_id: customers holding it}``, in one query."""
    return dict(MemberStatus.objects.order_by().values_list("tier_id").annotate(n=Count("pk")))
