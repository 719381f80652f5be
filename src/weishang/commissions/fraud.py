"""Fraud review: is a commission's buyer the distributor himself under another account, or does
the order trip one of the brand's thresholds? Facts are gathered in one place; the verdict is pure.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from weishang.customers.models import Address, Device
from weishang.payments.models import Payment

# A refund rate says little about a distributor with a handful of orders.
REFUND_RATE_MIN_ORDERS = 10


@dataclass(frozen=True)
class Facts:
    """What review compares: the order's buyer against the distributor's own identity."""

    order_total_fen: int
    order_phone: str
    order_address: str
    order_device_id: str
    payer_account: str
    own_phones: frozenset[str] = field(default_factory=frozenset)
    own_addresses: frozenset[str] = field(default_factory=frozenset)
    own_devices: frozenset[str] = field(default_factory=frozenset)
    own_payer_accounts: frozenset[str] = field(default_factory=frozenset)
    paid_orders: int = 0
    paid_fen: int = 0
    refunded_fen: int = 0


@dataclass(frozen=True)
class Thresholds:
    review_order_amount_fen: int
    review_refund_rate_bp: int


def normalise_address(text: str) -> str:
    return "".join((text or "").split()).lower()


def refund_rate_bp(refunded_fen: int, paid_fen: int) -> int:
    return refunded_fen * 10000 // paid_fen if paid_fen > 0 else 0


def hold_reasons(facts: Facts, thresholds: Thresholds) -> list[str]:
    """The reasons to hold the commission for review; empty when it may go to pending."""
    reasons = []
    if facts.order_phone and facts.order_phone in facts.own_phones:
        reasons.append(_("the buyer's phone is the distributor's own"))
    if facts.order_address and normalise_address(facts.order_address) in facts.own_addresses:
        reasons.append(_("the delivery address is one of the distributor's own"))
    if facts.order_device_id and facts.order_device_id in facts.own_devices:
        reasons.append(_("the order was placed from the distributor's own device"))
    if facts.payer_account and facts.payer_account in facts.own_payer_accounts:
        reasons.append(_("the order was paid from the distributor's own payment account"))
    if facts.order_total_fen > thresholds.review_order_amount_fen:
        reasons.append(_("the order total is above the review threshold"))
    rate = refund_rate_bp(facts.refunded_fen, facts.paid_fen)
    if facts.paid_orders >= REFUND_RATE_MIN_ORDERS and rate > thresholds.review_refund_rate_bp:
        reasons.append(
            _("the distributor's refund rate (%(rate).1f %%) is above the review threshold")
            % {"rate": rate / 100}
        )
    return reasons


def gather_facts(*, order, distributor, payer_account: str) -> Facts:
    """Reads the distributor's own phones, addresses, devices and payment accounts."""
    from weishang.orders.models import Order  # orders imports commissions at call sites

    own_customer = distributor.customer
    addresses = list(
        Address.objects.filter(customer_id=own_customer.pk).values_list(
            "phone", "province", "city", "district", "detail"
        )
    )
    phones = {own_customer.mobile} | {a[0] for a in addresses}
    lines = {normalise_address("".join(a[1:])) for a in addresses}
    devices = set(
        Device.objects.filter(customer_id=own_customer.pk).values_list("device_id", flat=True)
    )
    payers = set(
        Payment.objects.filter(order__customer_id=own_customer.pk)
        .exclude(payer_account="")
        .values_list("payer_account", flat=True)
    )
    history = (
        Order.objects.filter(distributor=distributor, paid_at__isnull=False)
        .exclude(pk=order.pk)
        .aggregate(
            n=Count("pk"),
            paid=Sum("total_fen"),
            refunded=Sum("refunded_fen", filter=Q(refunded_fen__gt=0)),
        )
    )
    return Facts(
        order_total_fen=order.total_fen,
        order_phone=order.phone,
        order_address=order.address,
        order_device_id=order.device_id,
        payer_account=payer_account,
        own_phones=frozenset(p for p in phones if p),
        own_addresses=frozenset(lines),
        own_devices=frozenset(devices),
        own_payer_accounts=frozenset(payers),
        paid_orders=history["n"] or 0,
        paid_fen=history["paid"] or 0,
        refunded_fen=history["refunded"] or 0,
    )
