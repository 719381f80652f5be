"""Pure member-tier and points arithmetic, no database access: which tier a spend reaches, the
progress to the next, the points an order earns and what a refund takes back, in integer fen,
points and basis points (10000 = 100 %, or ×1 for a multiplier)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

BP = 10_000
MAX_DISCOUNT_BP = 5_000
MAX_MULTIPLIER_BP = 100_000


@dataclass(frozen=True)
class Tier:
    name: str
    threshold_fen: int
    discount_bp: int = 0
    multiplier_bp: int = BP


def tier_index(spend_fen: int, thresholds: Sequence[int]) -> int:
    """The index of the highest tier whose threshold the spend reaches; ``thresholds`` ascend
    from zero, so every spend reaches the first."""
    reached = 0
    for index, threshold in enumerate(thresholds):
        if spend_fen >= threshold:
            reached = index
    return reached


def to_next_tier(
    spend_fen: int, thresholds: Sequence[int], held: int = 0
) -> tuple[int | None, int]:
    """(index of the next tier, fen still to spend), or (None, 0) at the top tier. ``held`` is
    the tier the customer holds, which may be above what his spend reaches today (his tier is
    reviewed when orders complete or are refunded): the next tier is above both."""
    index = max(tier_index(spend_fen, thresholds), held)
    if index + 1 >= len(thresholds):
        return None, 0
    return index + 1, thresholds[index + 1] - spend_fen


def progress_bp(spend_fen: int, thresholds: Sequence[int], held: int = 0) -> int:
    """How far the spend has come from the tier held (or reached) to the next, 0 to 10000."""
    index = max(tier_index(spend_fen, thresholds), held)
    if index + 1 >= len(thresholds):
        return BP
    low, high = thresholds[index], thresholds[index + 1]
    return max(spend_fen - low, 0) * BP // (high - low)


def points_earned(paid_goods_fen: int, points_per_yuan: int, multiplier_bp: int) -> int:
    """floor(paid goods in yuan × points per yuan × multiplier): ¥99.99 at 1 point a yuan ×1.5
    earns 149 points; freight and refunds are left out of ``paid_goods_fen`` by the caller."""
    return max(paid_goods_fen, 0) * points_per_yuan * multiplier_bp // (100 * BP)


def points_due_back(earned: int, base_fen: int, refunded_fen: int) -> int:
    """The points a refund of ``refunded_fen`` of the ``base_fen`` an order earned on makes due,
    in total, pro rata and rounded down (never more than earned)."""
    if base_fen <= 0:
        return 0
    return earned * min(max(refunded_fen, 0), base_fen) // base_fen


def check_tiers(tiers: Sequence[Tier]) -> str:
    """Why these tiers cannot be saved, or "" when they can: named, the lowest at zero, thresholds
    distinct, discounts at most 50 % and multipliers from ×1 to ×10."""
    if not tiers:
        return ""
    names = [tier.name.strip() for tier in tiers]
    if any(not name for name in names):
        return _("Every tier needs a name.")
    if len(set(names)) != len(names):
        return _("Two tiers cannot have the same name.")
    thresholds = sorted(tier.threshold_fen for tier in tiers)
    if thresholds[0] != 0:
        return _("The lowest tier starts at ¥0, so every customer holds a tier.")
    if len(set(thresholds)) != len(thresholds):
        return _("Two tiers cannot start at the same spend.")
    for tier in tiers:
        if not 0 <= tier.discount_bp <= MAX_DISCOUNT_BP:
            return _("A member discount is from 0 % to 50 %.")
        if not BP <= tier.multiplier_bp <= MAX_MULTIPLIER_BP:
            return _("A points multiplier is from ×1 to ×10.")
    return ""
