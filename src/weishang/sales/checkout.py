"""What the checkout takes off an order besides its price, decided above the domains that hold
it: the member discount (``loyalty`` tiers), coupons, points and the wallet. The review page and
placing the order call the same ``benefits``, so what the customer saw is what he pays; placing
then spends the points, wallet money and coupons under their locks (``spend_benefits``), and a
cancelled order or a refund gives them back (``give_back``).
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from weishang.loyalty import points as loyalty_points
from weishang.loyalty import wallet
from weishang.loyalty.models import LoyaltySettings
from weishang.orders.models import Order
from weishang.orders.pricing import Deductions, PricedLine


@dataclass(frozen=True)
class Choice:
    """What the customer chose on the review page: to pay with points and with his wallet, each
    as much as the order and his balance allow."""

    use_points: bool = False
    use_wallet: bool = False


@dataclass(frozen=True)
class Benefits:
    """What the review page shows and placing takes off."""

    deductions: Deductions
    taken_fen: int  # all the steps take off the goods together
    spendable_points: int
    points_usable: int
    fen_per_point: int
    wallet_balance_fen: int
    wallet_usable_fen: int

    @property
    def points_usable_fen(self) -> int:
        return self.points_usable * self.fen_per_point


def benefits(
    *, customer_id: int, lines: list[PricedLine], choice: Choice, now: datetime
) -> Benefits:
    """Steps 2–5 of the pricing rule for these lines: points worth at most what is left after the
    discounts, then the wallet at most what is left after the points."""
    settings = LoyaltySettings.current()
    left = sum(line.total_fen for line in lines)
    spendable = loyalty_points.spendable_points(customer_id, now)
    points_usable = min(spendable, left // settings.fen_per_point)
    points = points_usable if choice.use_points else 0
    points_fen = points * settings.fen_per_point
    balance = wallet.wallet_balance(customer_id)
    wallet_usable = min(balance, left - points_fen)
    wallet_fen = wallet_usable if choice.use_wallet else 0
    return Benefits(
        deductions=Deductions(points=points, points_fen=points_fen, wallet_fen=wallet_fen),
        taken_fen=points_fen + wallet_fen,
        spendable_points=spendable,
        points_usable=points_usable,
        fen_per_point=settings.fen_per_point,
        wallet_balance_fen=balance,
        wallet_usable_fen=wallet_usable,
    )


def deductions(
    *, customer_id: int, lines: list[PricedLine], choice: Choice, now: datetime
) -> Deductions:
    """What placing the order takes off: ``benefits``, without reading balances the customer
    chose not to use (placing an order is a hot path)."""
    if not (choice.use_points or choice.use_wallet):
        return Deductions()
    return benefits(customer_id=customer_id, lines=lines, choice=choice, now=now).deductions


def spend_benefits(*, order: Order, now: datetime) -> None:
    """Spends what the order's deductions took, under the accounts' locks: a second checkout that
    counted on the same points or money is refused and its order is not placed."""
    reason = _("order %(number)s") % {"number": order.number}
    if order.points:
        loyalty_points.spend_points(
            customer_id=order.customer_id,
            points=order.points,
            key=f"order:{order.number}",
            reason=reason,
            now=now,
        )
    if order.wallet_fen:
        wallet.spend_wallet(
            customer_id=order.customer_id,
            amount_fen=order.wallet_fen,
            key=f"order:{order.number}",
            reason=reason,
            now=now,
        )


def give_back(*, order: Order, key: str, wallet_fen: int, points: int, now: datetime) -> None:
    """Returns a refund's or cancellation's wallet money and points, once per ``key``."""
    reason = _("order %(number)s") % {"number": order.number}
    if wallet_fen:
        wallet.refund_to_wallet(
            customer_id=order.customer_id, amount_fen=wallet_fen, key=key, reason=reason, now=now
        )
    if points:
        loyalty_points.return_points(
            customer_id=order.customer_id,
            spent_key=f"order:{order.number}",
            points=points,
            key=key,
            reason=reason,
            now=now,
        )
