"""Coupon arithmetic, without the database: what a coupon takes off which order lines, and which
of a customer's coupons give him the most. Every amount is whole fen.

Rounding: a percent-off coupon takes ``floor(eligible total × percent_off_bp / 10000)`` fen (it
rounds down to the fen, never in the brand's disfavour beyond a fen), then at most its cap. The
discount is shared over the eligible lines pro rata by their amounts; the fen left over by
rounding each share down go one each to the lines with the largest remainders (ties: lowest line
key), so the shares add up to the discount exactly and no line is given more than its amount.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from weishang.orders.pricing import allocate

AMOUNT_OFF = "amount_off"
PERCENT_OFF = "percent_off"
FULL_BP = 10_000
# Stackable coupons tried together at most: 2**12 combinations, each a few lines of arithmetic.
MOST_STACKABLE_TRIED = 12


@dataclass(frozen=True)
class CouponTerms:
    """A coupon as checkout needs it. Empty ``product_ids`` and ``category_ids`` mean every
    product; otherwise a line is eligible when its product or its category is named."""

    coupon_id: int
    kind: str
    amount_off_fen: int
    percent_off_bp: int
    cap_fen: int | None
    threshold_fen: int
    product_ids: frozenset
    category_ids: frozenset
    stackable: bool
    valid_until: datetime


@dataclass(frozen=True)
class CouponLine:
    key: int
    product_id: int
    category_id: int
    amount_fen: int


def is_eligible(terms: CouponTerms, line: CouponLine) -> bool:
    if not terms.product_ids and not terms.category_ids:
        return True
    return line.product_id in terms.product_ids or line.category_id in terms.category_ids


def coupon_discount(terms: CouponTerms, lines: Iterable[CouponLine]) -> dict[int, int]:
    """Fen off per line key for one coupon on these lines; {} when the eligible lines do not
    reach the coupon's threshold (or nothing is eligible)."""
    eligible = {line.key: line.amount_fen for line in lines if is_eligible(terms, line)}
    eligible = {key: amount for key, amount in eligible.items() if amount > 0}
    base = sum(eligible.values())
    if not base or base < terms.threshold_fen:
        return {}
    if terms.kind == PERCENT_OFF:
        off = base * terms.percent_off_bp // FULL_BP
        if terms.cap_fen is not None:
            off = min(off, terms.cap_fen)
    else:
        off = terms.amount_off_fen
    return allocate(min(off, base), sorted(eligible.items()))


def _applied(chosen: Sequence[CouponTerms], lines: Sequence[CouponLine]):
    """Each coupon's part, one after another on what the previous ones left of each line."""
    left = {line.key: line.amount_fen for line in lines}
    parts = []
    for terms in chosen:
        now_lines = [
            CouponLine(line.key, line.product_id, line.category_id, left[line.key])
            for line in lines
        ]
        part = coupon_discount(terms, now_lines)
        for key, off in part.items():
            left[key] -= off
        parts.append(part)
    return parts


def apply_coupons(chosen: Sequence[CouponTerms], lines: Iterable[CouponLine]) -> dict[int, int]:
    """Fen off per line key for a combination, applied in the given order, each coupon's threshold
    checked against what the coupons before it left of its eligible lines."""
    total: dict[int, int] = {}
    for part in _applied(chosen, list(lines)):
        for key, off in part.items():
            total[key] = total.get(key, 0) + off
    return total


def stacking_order(chosen: Iterable[CouponTerms]) -> tuple[CouponTerms, ...]:
    """The order stackable coupons are applied in: the higher threshold first (so it is checked
    against more of the order), then percent-off before amount-off (a percentage of more is
    more), then the one expiring first, then lowest id."""
    return tuple(
        sorted(
            chosen,
            key=lambda t: (-t.threshold_fen, t.kind != PERCENT_OFF, t.valid_until, t.coupon_id),
        )
    )


def _tie_key(chosen: Sequence[CouponTerms]):
    """Among combinations giving the same discount: the one using the coupons expiring first,
    then the lowest ids."""
    return sorted((t.valid_until, t.coupon_id) for t in chosen)


def best_coupons(
    available: Sequence[CouponTerms], lines: Iterable[CouponLine]
) -> tuple[CouponTerms, ...]:
    """The combination giving the largest total discount, in the order to apply it: one
    non-stackable coupon alone, or stackable ones in ``stacking_order``, none of which gives
    nothing. Ties go to the combination with the coupon expiring first, then the lowest id;
    () when no coupon gives anything. Of many stackable coupons only the
    ``MOST_STACKABLE_TRIED`` giving the most on their own are combined."""
    lines = list(lines)
    alone = {t.coupon_id: sum(coupon_discount(t, lines).values()) for t in available}
    useful = [t for t in available if alone[t.coupon_id] > 0]
    candidates = [(t,) for t in useful if not t.stackable]
    stackable = sorted(
        (t for t in useful if t.stackable),
        key=lambda t: (-alone[t.coupon_id], t.valid_until, t.coupon_id),
    )[:MOST_STACKABLE_TRIED]
    for size in range(1, len(stackable) + 1):
        candidates.extend(stacking_order(combo) for combo in combinations(stackable, size))
    best: tuple[CouponTerms, ...] = ()
    best_total = 0
    for combo in candidates:
        parts = _applied(combo, lines)
        if not all(parts):
            continue
        total = sum(sum(part.values()) for part in parts)
        if total > best_total or (total == best_total and _tie_key(combo) < _tie_key(best)):
            best, best_total = combo, total
    return best
