"""The pricing rule, one step after another, each in integer fen (docs/pricing.md):

1. **line price** = unit price × quantity;
2. **member discount**: each line's price × the tier's discount in basis points ÷ 10 000, rounded
   down to the fen (the customer never gets more off than the rate says);
3. **coupons**: what the chosen coupons take off, per line (``loyalty.coupon_rules``), never more
   than what is left of the line;
4. **points**: their value in fen, spread over the lines pro rata to what is left of each;
5. **wallet**: the cash-back paid from the wallet, spread over the lines the same way;
6. the **payment** covers the rest of each line, and the freight.

Spreading gives each line its share rounded down, and the fen left over go one each to the lines
with the largest remainders (ties: the earlier line), so the pieces always add up exactly. What a
line is paid by the payment (``paid_fen``) is the commission base; a refund of some of a line's
units gives back the same share of each part (``returned_share``).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


def allocate(amount_fen: int, weights: Sequence[tuple[int, int]]) -> dict[int, int]:
    """Spreads ``amount_fen`` over ``[(key, weight_fen)]`` pro rata, largest remainders taking the
    odd fen; each piece stays within its weight and the pieces add up to ``amount_fen``."""
    whole = sum(weight for _key, weight in weights)
    if amount_fen < 0 or amount_fen > whole or any(weight < 0 for _key, weight in weights):
        raise ValueError("the amount must be within the sum of non-negative weights")
    if amount_fen == 0:
        return {}
    shares = [
        (key, amount_fen * weight // whole, amount_fen * weight % whole) for key, weight in weights
    ]
    pieces = {key: share for key, share, _rest in shares}
    short = amount_fen - sum(pieces.values())
    order = {key: position for position, (key, _weight) in enumerate(weights)}
    for key, _share, _rest in sorted(shares, key=lambda s: (-s[2], order[s[0]]))[:short]:
        pieces[key] += 1
    return {key: fen for key, fen in pieces.items() if fen}


@dataclass(frozen=True)
class LinePrice:
    """One line's price and what pays it: ``total_fen`` = the four deductions + ``paid_fen``."""

    total_fen: int
    member_discount_fen: int = 0
    coupon_fen: int = 0
    points_fen: int = 0
    wallet_fen: int = 0

    @property
    def paid_fen(self) -> int:
        return (
            self.total_fen
            - self.member_discount_fen
            - self.coupon_fen
            - self.points_fen
            - self.wallet_fen
        )


def member_discount_fen(total_fen: int, discount_bp: int) -> int:
    return total_fen * discount_bp // 10_000


def points_usable(*, spendable: int, left_fen: int, max_share_bp: int, fen_per_point: int) -> int:
    """Step 4's cap: the points that may pay for goods of which ``left_fen`` is left after the
    discounts — at most ``max_share_bp`` of it, rounded down to the fen, then to whole points —
    and no more than the customer can spend."""
    return min(spendable, left_fen * max_share_bp // 10_000 // fen_per_point)


def after_member_discount(totals: Mapping[int, int], discount_bp: int) -> dict[int, int]:
    """Each line's price less the member discount: what coupons apply to."""
    return {key: fen - member_discount_fen(fen, discount_bp) for key, fen in totals.items()}


def price_lines(
    totals: Mapping[int, int],
    *,
    discount_bp: int = 0,
    coupon_fen: Mapping[int, int] | None = None,
    points_fen: int = 0,
    wallet_fen: int = 0,
) -> dict[int, LinePrice]:
    """Prices lines ``{key: line price}`` through the steps in order. ``coupon_fen`` is the
    coupons' discount per line; ``points_fen`` and ``wallet_fen`` are order totals, spread here.
    Refuses (ValueError) a step that would take a line below zero."""
    if not 0 <= discount_bp <= 10_000:
        raise ValueError("a member discount is between 0 and 10 000 basis points")
    coupon_fen = dict(coupon_fen or {})
    if set(coupon_fen) - set(totals):
        raise ValueError("a coupon names a line that is not in the order")
    left = after_member_discount(totals, discount_bp)
    for key, fen in coupon_fen.items():
        if not 0 <= fen <= left[key]:
            raise ValueError("a coupon takes more than is left of its line")
        left[key] -= fen
    keys = list(totals)
    points = allocate(points_fen, [(key, left[key]) for key in keys])
    for key, fen in points.items():
        left[key] -= fen
    wallet = allocate(wallet_fen, [(key, left[key]) for key in keys])
    return {
        key: LinePrice(
            total_fen=totals[key],
            member_discount_fen=member_discount_fen(totals[key], discount_bp),
            coupon_fen=coupon_fen.get(key, 0),
            points_fen=points.get(key, 0),
            wallet_fen=wallet.get(key, 0),
        )
        for key in keys
    }


def returned_share(part_fen: int, quantity: int, returned_before: int, returning: int) -> int:
    """The part of a line's ``part_fen`` that ``returning`` more of its ``quantity`` units give
    back, when ``returned_before`` were given back already: each return gives back the rounded-down
    share of all units returned so far, less what earlier returns gave, so the last unit takes
    the remainder and all of them together give back exactly ``part_fen``."""
    if not 0 <= returned_before <= returned_before + returning <= quantity:
        raise ValueError("cannot return more units than the line has left")
    after = part_fen * (returned_before + returning) // quantity
    return after - part_fen * returned_before // quantity


def points_for_fen(points: int, points_fen: int, fen: int) -> int:
    """How many of an order's ``points`` (worth ``points_fen`` in all) pay ``fen`` of it, rounded
    down: called with the cumulative fen returned, it gives the cumulative points returned."""
    return points * fen // points_fen if points_fen else 0


@dataclass(frozen=True)
class ReturningLine:
    """A line some of whose units come back: what it was paid with, and how many units."""

    line_id: int
    quantity: int
    returned_before: int
    returning: int
    paid_fen: int
    wallet_fen: int
    points_fen: int


@dataclass(frozen=True)
class RefundParts:
    """What returning units gives back: money to the payment per line, to the wallet, points."""

    cash_by_line: dict[int, int]
    wallet_fen: int
    points: int

    @property
    def cash_fen(self) -> int:
        return sum(self.cash_by_line.values())


def refund_parts(
    lines: Sequence[ReturningLine], *, order_points: int, order_points_fen: int
) -> RefundParts:
    """Each part of each line comes back in the share of its units returned (``returned_share``);
    the points come back as the points the returned points value stood for, counted over the
    whole order so that every point is back once all units are."""
    fen_before = sum(line.points_fen * line.returned_before // line.quantity for line in lines)
    fen_after = sum(
        line.points_fen * (line.returned_before + line.returning) // line.quantity for line in lines
    )
    return RefundParts(
        cash_by_line={
            line.line_id: returned_share(
                line.paid_fen, line.quantity, line.returned_before, line.returning
            )
            for line in lines
            if line.returning
        },
        wallet_fen=sum(
            returned_share(line.wallet_fen, line.quantity, line.returned_before, line.returning)
            for line in lines
        ),
        points=points_for_fen(order_points, order_points_fen, fen_after)
        - points_for_fen(order_points, order_points_fen, fen_before),
    )


@dataclass(frozen=True)
class PricedLine:
    """A line as the checkout prices it, for the deciders above orders (member tier, coupons)."""

    sku_id: int
    product_id: int
    category_id: int | None
    total_fen: int


@dataclass(frozen=True)
class Deductions:
    """What the checkout takes off an order's goods: the member discount rate, the coupons'
    discount per sku, the points spent and their value, and the wallet money spent."""

    discount_bp: int = 0
    coupon_fen: Mapping[int, int] | None = None
    points: int = 0
    points_fen: int = 0
    wallet_fen: int = 0
