"""After-sales writes beside the order's own: the customer confirming receipt (and its automatic
confirmation), the brand's return addresses and settings, and the return parcel the customer
sends back. Each act is one transaction and audited in it; the customer's own acts are named by
his account id, never his mobile number (the log is never erased)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.catalog import services as catalog
from weishang.compliance import audit
from weishang.customers.models import Customer

from .carriers import normalise_waybill, waybill_problem
from .errors import OrderError
from .locks import lock_order, lock_return
from .models import (
    AfterSalesSettings,
    Order,
    OrderStatus,
    ReceiptConfirmedBy,
    ReturnAddress,
    ReturnRequest,
    ReturnStatus,
)
from .rules import auto_confirm_at, check_transition


def customer_label(customer: Customer) -> str:
    return f"customer #{customer.pk}"


# Confirming receipt ------------------------------------------------------------------------------


@transaction.atomic
def confirm_receipt(*, order: Order, customer: Customer, now: datetime | None = None) -> Order:
    """The customer says the goods arrived: the order is delivered now, and the no-reason return
    window runs from the next day, as after a courier's sign-for."""
    now = now or timezone.now()
    order = lock_order(order.pk)
    if order.customer_id != customer.pk:
        raise OrderError(_("This order is not yours."))
    if order.status != OrderStatus.SHIPPED:
        raise OrderError(
            _("Only a shipped order can be confirmed as received."), code="not_shipped"
        )
    check_transition(order.status, OrderStatus.DELIVERED)
    order.status = OrderStatus.DELIVERED
    order.delivered_at = now
    order.receipt_confirmed_by = ReceiptConfirmedBy.CUSTOMER
    order.save(update_fields=["status", "delivered_at", "receipt_confirmed_by"])
    audit.record(
        actor=customer.user,
        actor_label=customer_label(customer),
        action="order.confirm_receipt",
        obj=order,
        before={"status": OrderStatus.SHIPPED},
        after={"status": order.status, "delivered_at": now},
    )
    return order


def auto_confirm_deadline(order: Order) -> datetime | None:
    """When a shipped order will count as received if the customer does not confirm it."""
    if order.status != OrderStatus.SHIPPED or order.shipped_at is None:
        return None
    return auto_confirm_at(order.shipped_at, AfterSalesSettings.current().auto_confirm_days)


def confirm_receipts(*, now: datetime | None = None) -> int:
    """Confirms receipt of every order shipped the brand's period ago and still unconfirmed; the
    return window then runs from the day after ``now``. Safe to rerun: a confirmed order is no
    longer shipped."""
    now = now or timezone.now()
    days = AfterSalesSettings.current().auto_confirm_days
    due = list(
        Order.objects.filter(
            status=OrderStatus.SHIPPED, shipped_at__lte=now - timedelta(days=days)
        ).values_list("pk", flat=True)
    )
    confirmed = 0
    for chunk_start in range(0, len(due), 1000):
        with transaction.atomic():
            confirmed += Order.objects.filter(
                pk__in=due[chunk_start : chunk_start + 1000], status=OrderStatus.SHIPPED
            ).update(
                status=OrderStatus.DELIVERED,
                delivered_at=now,
                receipt_confirmed_by=ReceiptConfirmedBy.AUTOMATIC,
            )
    return confirmed


# The brand's settings and return addresses -------------------------------------------------------


@transaction.atomic
def set_after_sales_settings(
    *, actor, auto_confirm_days: int, brand_pays_return_shipping: bool
) -> AfterSalesSettings:
    if not 1 <= auto_confirm_days <= 60:
        raise OrderError(_("Automatic confirmation comes 1 to 60 days after shipment."))
    current = AfterSalesSettings.objects.select_for_update().filter(pk=1).first()
    settings = current or AfterSalesSettings(pk=1)
    brand_before = catalog.set_return_shipping_rule(paid_by_brand=brand_pays_return_shipping)
    before = {
        "auto_confirm_days": settings.auto_confirm_days,
        "brand_pays_return_shipping": brand_before,
    }
    settings.auto_confirm_days = auto_confirm_days
    settings.save()
    audit.record_change(
        actor=actor,
        action="after_sales.settings",
        obj=settings,
        before=before,
        after={
            "auto_confirm_days": auto_confirm_days,
            "brand_pays_return_shipping": brand_pays_return_shipping,
        },
    )
    return settings


def _address_fields(recipient: str, phone: str, address: str) -> dict[str, str]:
    fields = {
        "recipient": (recipient or "").strip(),
        "phone": (phone or "").strip(),
        "address": (address or "").strip(),
    }
    if not all(fields.values()):
        raise OrderError(_("Enter the recipient, phone and address the goods go back to."))
    return fields


@transaction.atomic
def add_return_address(
    *, actor, recipient: str, phone: str, address: str, now: datetime | None = None
) -> ReturnAddress:
    fields = _address_fields(recipient, phone, address)
    return_address = ReturnAddress.objects.create(**fields, created_at=now or timezone.now())
    audit.record(actor=actor, action="return_address.add", obj=return_address, after=fields)
    return return_address


@transaction.atomic
def update_return_address(
    *, actor, return_address: ReturnAddress, recipient: str, phone: str, address: str
) -> ReturnAddress:
    """Corrects an address; returns already approved to it show the correction."""
    fields = _address_fields(recipient, phone, address)
    locked = ReturnAddress.objects.select_for_update().get(pk=return_address.pk)
    before = {name: getattr(locked, name) for name in fields}
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(fields))
    audit.record_change(
        actor=actor, action="return_address.update", obj=locked, before=before, after=fields
    )
    return locked


@transaction.atomic
def retire_return_address(*, actor, return_address: ReturnAddress) -> ReturnAddress:
    """No new return is sent there; returns already approved to it keep showing it."""
    locked = ReturnAddress.objects.select_for_update().get(pk=return_address.pk)
    if not locked.active:
        raise OrderError(_("This return address is already retired."))
    locked.active = False
    locked.save(update_fields=["active"])
    audit.record(
        actor=actor,
        action="return_address.retire",
        obj=locked,
        before={"active": True},
        after={"active": False},
    )
    return locked


# The parcel the customer sends back --------------------------------------------------------------


@transaction.atomic
def record_return_shipment(
    *,
    return_request: ReturnRequest,
    customer: Customer,
    carrier: str,
    tracking_no: str,
    now: datetime | None = None,
) -> ReturnRequest:
    """The customer tells the brand how the goods come back; he may correct it until they
    arrive."""
    problem = waybill_problem(carrier, tracking_no)
    if problem:
        raise OrderError(problem, code="waybill")
    rr = lock_return(return_request.pk)
    if rr.order.customer_id != customer.pk:
        raise OrderError(_("This return is not yours."))
    if rr.status != ReturnStatus.APPROVED:
        raise OrderError(
            _("The tracking number is entered once the return is approved and until it arrives."),
            code="return_not_approved",
        )
    before = {"carrier": rr.return_carrier}
    rr.return_carrier = carrier
    rr.return_tracking_no = normalise_waybill(tracking_no)[:40]
    rr.return_shipped_at = now or timezone.now()
    rr.save(update_fields=["return_carrier", "return_tracking_no", "return_shipped_at"])
    audit.record(
        actor=customer.user,
        actor_label=customer_label(customer),
        action="return.ship_back",
        obj=rr,
        before=before,
        after={"carrier": carrier, "fields": ["return_carrier", "return_tracking_no"]},
    )
    return rr
