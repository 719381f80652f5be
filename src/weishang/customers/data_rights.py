"""A customer's rights over his personal data (PIPL Art. 44–47, E-commerce Law Art. 24): a copy of
everything we hold about him, corrections, and closing the account.

Closing deletes or anonymises personal data at once. Orders, their lines, payments and refunds are
kept for three years (E-commerce Law Art. 31) with the delivery snapshot masked, so they still add
up in analytics and exports.
"""

import secrets
from datetime import datetime

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.commissions.models import Commission, Transfer, Withdrawal
from weishang.compliance import audit
from weishang.distribution.models import Application, Binding, BindingEvent, Distributor
from weishang.orders.models import CartItem, Order, OrderStatus, ReturnRequest

from .models import Address, Customer, Device, OneTimeCode
from .rules import mobile_error, normalise_mobile
from .services import CustomerError, redeem_code, send_login_code

CONFIRMATION_WORD = gettext_lazy("CLOSE")
CLOSED = "[closed]"
UNFINISHED_ORDER_STATUSES = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, OrderStatus.SHIPPED)


class AccountClosureRefused(CustomerError):
    code = "closure_refused"


def closed_mobile(customer_id: int) -> str:
    """What replaces a closed account's mobile: unique, 11 characters (the column's width), and
    never a real number, which is all digits and starts with 1."""
    return f"X{customer_id:010d}"


# A copy of my data -------------------------------------------------------------------------------


def _complaint_model():
    """The complaint model, if the compliance app provides one (it is optional here)."""
    try:
        return apps.get_model("compliance", "Complaint")
    except LookupError:
        return None


def personal_data(customer: Customer) -> dict:
    """Everything held about one customer, as plain data, in a bounded number of queries."""
    customer = Customer.objects.select_related("user").get(pk=customer.pk)
    orders = (
        Order.objects.filter(customer=customer)
        .select_related("distributor")
        .only(*_ORDER_FIELDS, "distributor__store_name")
        .prefetch_related("lines", "payments__refunds", "returns__lines")
        .order_by("placed_at", "pk")
    )
    binding = (
        Binding.objects.filter(customer=customer)
        .select_related("distributor")
        .only("source", "bound_at", "expires_at", "distributor__store_name")
        .first()
    )
    events = (
        BindingEvent.objects.filter(customer=customer)
        .select_related("distributor", "previous_distributor")
        .only("source", "created_at", "distributor__store_name", "previous_distributor__store_name")
    )
    distributor = Distributor.objects.filter(customer=customer).defer("id_number").first()
    applications = Application.objects.filter(customer=customer).defer("id_number")
    cart = CartItem.objects.filter(customer=customer).select_related("sku__product")
    data = {
        "generated_at": timezone.now(),
        "profile": {
            "customer_id": customer.pk,
            "mobile": customer.mobile,
            "nickname": customer.nickname,
            "signed_up_at": customer.created_at,
            "last_login_at": customer.user.last_login,
            "has_password": customer.user.has_usable_password(),
        },
        "addresses": [
            {
                "id": a.pk,
                "recipient": a.recipient,
                "phone": a.phone,
                "province": a.province,
                "city": a.city,
                "district": a.district,
                "street_address": a.detail,
                "is_default": a.is_default,
            }
            for a in customer.addresses.all()
        ],
        "devices": [
            {"device_id": d.device_id, "first_seen": d.first_seen, "last_seen": d.last_seen}
            for d in Device.objects.filter(customer=customer).order_by("first_seen", "pk")
        ],
        "cart": [
            {"product": i.sku.product.name, "sku": i.sku.name, "quantity": i.quantity} for i in cart
        ],
        "orders": [_order_data(order) for order in orders],
        "binding": binding
        and {
            "store_name": binding.distributor.store_name,
            "source": binding.source,
            "bound_at": binding.bound_at,
            "expires_at": binding.expires_at,
        },
        "binding_history": [
            {
                "store_name": e.distributor.store_name,
                "previous_store_name": e.previous_distributor.store_name
                if e.previous_distributor
                else None,
                "source": e.source,
                "at": e.created_at,
            }
            for e in events
        ],
        "distributor": distributor
        and {
            "store_name": distributor.store_name,
            "store_address": distributor.slug,
            "intro": distributor.intro,
            "status": distributor.status,
            "real_name": distributor.real_name,
            "id_number": distributor.id_number_masked,
            "business_kind": distributor.business_kind,
            "credit_code": distributor.credit_code,
            "approved_at": distributor.approved_at,
        },
        "distributor_applications": [
            {
                "store_name": a.store_name,
                "real_name": a.real_name,
                "id_number": a.id_number_masked,
                "mobile": a.mobile,
                "business_kind": a.business_kind,
                "credit_code": a.credit_code,
                "status": a.status,
                "reject_reason": a.reject_reason,
                "submitted_at": a.submitted_at,
                "reviewed_at": a.reviewed_at,
            }
            for a in applications
        ],
        "complaints": _complaints(customer),
    }
    return data


_ORDER_FIELDS = (
    "number",
    "status",
    "recipient",
    "phone",
    "address",
    "city",
    "total_fen",
    "refunded_fen",
    "placed_at",
    "paid_at",
    "shipped_at",
    "carrier",
    "tracking_no",
    "delivered_at",
    "completed_at",
    "cancelled_at",
    "cancel_reason",
)


def _order_data(order: Order) -> dict:
    data = {name: getattr(order, name) for name in _ORDER_FIELDS}
    data["attributed_store"] = order.distributor.store_name if order.distributor else None
    data["lines"] = [
        {
            "product": line.product_name,
            "sku": line.sku_name,
            "unit_price_fen": line.unit_price_fen,
            "quantity": line.quantity,
            "line_total_fen": line.line_total_fen,
            "returned_quantity": line.returned_quantity,
        }
        for line in order.lines.all()
    ]
    data["payments"] = [
        {
            "number": p.number,
            "provider": p.provider,
            "amount_fen": p.amount_fen,
            "status": p.status,
            "created_at": p.created_at,
            "paid_at": p.paid_at,
            "refunds": [
                {
                    "number": r.number,
                    "amount_fen": r.amount_fen,
                    "reason": r.reason,
                    "created_at": r.created_at,
                }
                for r in p.refunds.all()
            ],
        }
        for p in order.payments.all()
    ]
    data["returns"] = [
        {
            "number": r.number,
            "status": r.status,
            "reason": r.reason,
            "refund_fen": r.refund_fen,
            "return_tracking_no": r.return_tracking_no,
            "requested_at": r.requested_at,
            "refunded_at": r.refunded_at,
            "reject_reason": r.reject_reason,
            "quantities": [rl.quantity for rl in r.lines.all()],
        }
        for r in order.returns.all()
    ]
    return data


def _complaints(customer: Customer) -> list[dict]:
    model = _complaint_model()
    if model is None:
        return []
    rows = model.objects.filter(customer=customer).select_related("order")
    fields = {f.name for f in model._meta.get_fields()}
    if "messages" in fields:
        rows = rows.prefetch_related("messages")
    result = []
    for c in rows.order_by("pk"):
        item = {
            "number": getattr(c, "number", c.pk),
            "order": c.order.number,
            "category": getattr(c, "category", ""),
            "text": getattr(c, "text", ""),
            "status": getattr(c, "status", ""),
            "filed_at": getattr(c, "filed_at", None),
            "outcome": getattr(c, "outcome", ""),
        }
        if "messages" in fields:
            item["messages"] = [
                {"from_me": m.from_customer, "text": m.text, "at": m.at} for m in c.messages.all()
            ]
        result.append(item)
    return result


# Corrections -------------------------------------------------------------------------------------


@transaction.atomic
def update_nickname(*, customer: Customer, nickname: str) -> Customer:
    nickname = (nickname or "").strip()
    if len(nickname) > 40:
        raise CustomerError(_("A nickname has at most 40 characters."))
    customer.nickname = nickname
    customer.save(update_fields=["nickname"])
    return customer


def _own_address(customer: Customer, address_id) -> Address:
    address = (
        customer.addresses.filter(pk=address_id).first() if isinstance(address_id, int) else None
    )
    if address is None:
        raise CustomerError(_("This address does not exist or is not yours."), code="no_address")
    return address


@transaction.atomic
def update_address(
    *,
    customer: Customer,
    address_id,
    recipient: str,
    phone: str,
    province: str,
    city: str,
    district: str = "",
    detail: str,
) -> Address:
    """Corrects a saved address; orders already placed keep the address they were sent to."""
    address = _own_address(customer, address_id)
    values = {"recipient": recipient, "province": province, "city": city, "detail": detail}
    if any(not (value or "").strip() for value in values.values()):
        raise CustomerError(_("Please fill in the recipient, province, city and street address."))
    phone_number = normalise_mobile(phone)
    if not phone_number:
        raise CustomerError(mobile_error(), code="bad_mobile")
    limits = {"recipient": 40, "province": 20, "city": 20, "district": 20, "detail": 200}
    values["district"] = district or ""
    for name, value in values.items():
        value = value.strip()
        if len(value) > limits[name]:
            raise CustomerError(_("One of the address fields is too long."))
        setattr(address, name, value)
    address.phone = phone_number
    address.save()
    return address


@transaction.atomic
def delete_address(*, customer: Customer, address_id) -> None:
    address = _own_address(customer, address_id)
    was_default = address.is_default
    address.delete()
    if was_default:
        following = customer.addresses.order_by("pk").first()
        if following:
            Address.objects.filter(pk=following.pk).update(is_default=True)


def request_mobile_change(*, customer: Customer, new_mobile: str, now=None) -> str:
    """Sends a one-time code to the NEW number, which must prove it is his."""
    mobile = normalise_mobile(new_mobile)
    if not mobile:
        raise CustomerError(mobile_error(), code="bad_mobile")
    if mobile == customer.mobile:
        raise CustomerError(_("This is already your mobile number."), code="same_mobile")
    if Customer.objects.filter(mobile=mobile).exists():
        raise CustomerError(
            _("This number belongs to another account; close that account first."),
            code="mobile_taken",
        )
    return send_login_code(mobile=mobile, now=now)


def change_mobile(*, customer: Customer, new_mobile: str, code: str, now=None) -> Customer:
    """Moves the account to a new number once the code sent to that number is entered."""
    mobile = normalise_mobile(new_mobile)
    if not mobile:
        raise CustomerError(mobile_error(), code="bad_mobile")
    return redeem_code(
        mobile=mobile,
        code=code,
        now=now or timezone.now(),
        on_success=lambda verified: _move_to(customer, verified),
    )


def _move_to(customer: Customer, mobile: str) -> Customer:
    old = customer.mobile
    customer.mobile = mobile
    try:
        with transaction.atomic():
            customer.save(update_fields=["mobile"])
    except IntegrityError as exc:
        raise CustomerError(
            _("This number belongs to another account; close that account first."),
            code="mobile_taken",
        ) from exc
    user = customer.user
    if user.username == f"m{old}":
        user.username = f"m{mobile}"
        user.save(update_fields=["username"])
    return customer


# Closing the account -----------------------------------------------------------------------------


def _unsettled_commission(distributor: Distributor) -> bool:
    open_commission = Commission.objects.filter(
        distributor=distributor,
        status__in=[
            Commission.Status.AWAITING_PAYMENT,
            Commission.Status.PENDING,
            Commission.Status.HELD,
        ],
    ).exists()
    open_withdrawal = Withdrawal.objects.filter(
        distributor=distributor,
        status__in=[Withdrawal.Status.REQUESTED, Withdrawal.Status.APPROVED],
    ).exists()
    totals = Transfer.objects.filter(
        Q(credit__distributor=distributor) | Q(debit__distributor=distributor)
    ).aggregate(
        received=Sum("amount_fen", filter=Q(credit__distributor=distributor)),
        given=Sum("amount_fen", filter=Q(debit__distributor=distributor)),
    )
    balance = (totals["received"] or 0) - (totals["given"] or 0)
    return open_commission or open_withdrawal or balance != 0


def closure_blockers(customer: Customer) -> list[str]:
    """Why the account cannot be closed yet, one sentence each; empty when it can."""
    reasons = []
    for number, status in (
        Order.objects.filter(customer=customer, status__in=UNFINISHED_ORDER_STATUSES)
        .order_by("placed_at", "pk")
        .values_list("number", "status")
    ):
        reasons.append(
            _("Order %(number)s is not finished yet (%(status)s).")
            % {"number": number, "status": OrderStatus(status).label}
        )
    for number in (
        ReturnRequest.objects.filter(order__customer=customer, status__in=ReturnRequest.OPEN)
        .order_by("pk")
        .values_list("number", flat=True)
    ):
        reasons.append(_("Return %(number)s is still open.") % {"number": number})
    complaint = _complaint_model()
    if complaint is not None and hasattr(complaint, "OPEN"):
        for number in complaint.objects.filter(
            customer=customer, status__in=complaint.OPEN
        ).values_list("number", flat=True):
            reasons.append(_("Complaint %(number)s is still being handled.") % {"number": number})
    distributor = Distributor.objects.filter(customer=customer).only("pk").first()
    if distributor is not None and _unsettled_commission(distributor):
        reasons.append(
            _(
                "You have commission that is not settled or not yet withdrawn; withdraw it, or "
                "wait until it is settled, before closing your account."
            )
        )
    return reasons


def confirmation_matches(confirmation: str) -> bool:
    typed = (confirmation or "").strip()
    return bool(typed) and typed.upper() in {str(CONFIRMATION_WORD).upper(), "CLOSE"}


@transaction.atomic
def close_account(*, customer: Customer, confirmation: str, now: datetime | None = None) -> dict:
    """Deletes or anonymises the customer's personal data at once (PIPL Art. 47); keeps his
    orders for three years (E-commerce Law Art. 31) with the delivery snapshot masked.

    Refuses, changing nothing, while an order, return or complaint is unfinished or commission
    is unsettled. Returns what was done, for the page.
    """
    now = now or timezone.now()
    if not confirmation_matches(confirmation):
        raise AccountClosureRefused(
            _("Type %(word)s to confirm that you want to close your account.")
            % {"word": CONFIRMATION_WORD},
            code="closure_unconfirmed",
        )
    # Lock the account row so that two closures (or a closure and a mobile change) serialise.
    customer = Customer.objects.select_for_update().select_related("user").get(pk=customer.pk)
    if customer.user.is_active is False and customer.mobile == closed_mobile(customer.pk):
        raise AccountClosureRefused(_("This account is already closed."), code="already_closed")
    blockers = closure_blockers(customer)
    if blockers:
        raise AccountClosureRefused(
            _("Your account cannot be closed yet: %(reasons)s") % {"reasons": " ".join(blockers)}
        )
    old_mobile = customer.mobile

    # The same masks as rules.mask_name / mask_mobile (张*, 138****5678), in one statement.
    orders_kept = Order.objects.filter(customer=customer).update(
        recipient=Concat(Substr("recipient", 1, 1), Value("*")),
        phone=Concat(Substr("phone", 1, 3), Value("****"), Substr("phone", 8, 4)),
        address=Substr("city", 1, 20),
        device_id="",
    )
    deleted = {
        "addresses": customer.addresses.all().delete()[0],
        "devices": Device.objects.filter(customer=customer).delete()[0],
        "cart_items": CartItem.objects.filter(customer=customer).delete()[0],
        "binding": Binding.objects.filter(customer=customer).delete()[0],
        "login_codes": OneTimeCode.objects.filter(mobile=old_mobile).delete()[0],
    }
    Application.objects.filter(customer=customer, status=Application.Status.PENDING).update(
        status=Application.Status.REJECTED, reject_reason="Account closed.", reviewed_at=now
    )
    for application in Application.objects.filter(customer=customer).only("pk"):
        application.real_name = CLOSED
        application.id_number = CLOSED
        application.id_number_masked = CLOSED
        application.mobile = closed_mobile(customer.pk)
        application.store_name = CLOSED
        application.save(
            update_fields=["real_name", "id_number", "id_number_masked", "mobile", "store_name"]
        )
    distributor = Distributor.objects.filter(customer=customer).first()
    if distributor is not None:
        if distributor.avatar:
            distributor.avatar.delete(save=False)
        distributor.real_name = CLOSED
        distributor.id_number = CLOSED
        distributor.id_number_masked = CLOSED
        distributor.store_name = f"{CLOSED} #{distributor.pk}"
        distributor.intro = ""
        distributor.avatar = ""
        if distributor.status == Distributor.Status.ACTIVE:
            distributor.status = Distributor.Status.FROZEN
            distributor.status_reason = "Account closed by its owner."
        distributor.save()

    customer.mobile = closed_mobile(customer.pk)
    customer.nickname = ""
    customer.save(update_fields=["mobile", "nickname"])
    user = customer.user
    user.username = f"closed-{secrets.token_hex(12)}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    summary = {"orders_kept": orders_kept, "deleted": deleted}
    # Recorded after the username was replaced, so the log holds no personal data either.
    audit.record(
        actor=user,
        action="customer.close_account",
        obj=customer,
        after=summary,
        reason="PIPL Art. 47; orders kept under E-commerce Law Art. 31",
    )
    return summary
