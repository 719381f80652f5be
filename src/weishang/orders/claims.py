"""Quality claims after the 7-day window (Consumer Protection Law Art. 24): the customer asks for
a return and refund, an exchange or a repair of goods with a quality problem, with photos, within
the brand's claim period; staff decide with a reason. The refunding steps are called by
``weishang.sales`` inside its transaction; the other acts are one transaction each, audited."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang import uploads
from weishang.compliance import audit
from weishang.customers.models import Customer
from weishang.inventory import services as inventory
from weishang.money import format_fen
from weishang.transactions import step

from .carriers import normalise_waybill, waybill_problem
from .errors import OrderError
from .locks import lock_order
from .models import (
    AfterSalesSettings,
    ClaimRemedy,
    ClaimStatus,
    Order,
    OrderLine,
    OrderStatus,
    QualityClaim,
    QualityClaimPhoto,
    ReturnLine,
    ReturnRequest,
)
from .pricing import allocate
from .returning import parts_returned, record_parts_returned, status_after_refund
from .rules import check_transition, return_window_closes
from .services import _number, parse_quantity

DESCRIPTION_MAX = 1000
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
CLAIMABLE_STATUSES = (OrderStatus.DELIVERED, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.COMPLETED)


def claim_period_end(order: Order) -> datetime | None:
    """Claims are open until local midnight ``claim_days`` full days after the sign-for day."""
    if order.delivered_at is None:
        return None
    return return_window_closes(
        order.delivered_at,
        timezone.get_default_timezone(),
        AfterSalesSettings.current().claim_days,
    )


def claims_open(order: Order, now: datetime, period_end: datetime | None) -> bool:
    """Whether he may file a quality claim on the order now: delivered, and ``now`` before the
    end of its claim period (``claim_period_end``)."""
    return order.status in CLAIMABLE_STATUSES and period_end is not None and now < period_end


def claimable_quantity(line: OrderLine) -> int:
    """What of the line can still be claimed: neither refunded nor in an open return or claim."""
    in_returns = (
        ReturnLine.objects.filter(
            order_line=line, return_request__status__in=ReturnRequest.OPEN
        ).aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    in_claims = (
        QualityClaim.objects.filter(order_line=line, status__in=QualityClaim.OPEN).aggregate(
            n=Sum("quantity")
        )["n"]
        or 0
    )
    return line.quantity - line.returned_quantity - in_returns - in_claims


def _checked_photo(photo) -> str:
    try:
        return uploads.inspect_image(
            photo, max_bytes=MAX_PHOTO_BYTES, max_pixels=MAX_PHOTO_PIXELS
        ).extension
    except uploads.ImageRejected as exc:
        if exc.problem is uploads.Problem.TOO_LARGE:
            raise OrderError(
                _("A photo can be at most %(mb)d MB.") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)},
                code="photo_too_large",
            ) from exc
        raise OrderError(_("Photos must be JPEG, PNG or WebP images."), code="not_a_photo") from exc


def _save_photos(claim: QualityClaim, photos: Sequence, extensions: Sequence[str]) -> None:
    saved = []
    try:
        for position, (photo, extension) in enumerate(zip(photos, extensions, strict=True)):
            row = QualityClaimPhoto(claim=claim, position=position)
            # A random stored name: the upload's own name never reaches the disk.
            row.image.save(f"{uuid.uuid4().hex}.{extension}", photo, save=False)
            saved.append(row.image)
            row.save(force_insert=True)
    except Exception:
        for image in saved:
            image.storage.delete(image.name)
        raise


@transaction.atomic
def file_claim(
    *,
    order: Order,
    customer: Customer,
    order_line_id: int,
    quantity,
    remedy: str,
    description: str,
    photos=(),
    now: datetime | None = None,
) -> QualityClaim:
    """A quality claim on some units of one line, with at least one photo of the problem."""
    now = now or timezone.now()
    order = lock_order(order.pk)
    if order.customer_id != customer.pk:
        raise OrderError(_("This order is not yours."))
    if order.status not in CLAIMABLE_STATUSES:
        raise OrderError(_("A quality claim can be made once the order has been delivered."))
    if now >= (end := claim_period_end(order)):
        raise OrderError(
            _("Quality claims on this order closed on %(date)s.")
            % {"date": f"{timezone.localtime(end):%Y-%m-%d}"},
            code="claim_period_over",
        )
    if remedy not in ClaimRemedy.values:
        raise OrderError(_("Choose a return and refund, an exchange or a repair."))
    line = order.lines.filter(pk=order_line_id).first()
    if line is None:
        raise OrderError(_("This item is not part of the order."))
    quantity = parse_quantity(quantity)
    left = claimable_quantity(line)
    if not 0 < quantity <= left:
        raise OrderError(
            _("You can claim from 1 to %(n)d of %(name)s.") % {"n": left, "name": line.product_name}
            if left
            else _("Nothing of %(name)s is left to claim.") % {"name": line.product_name},
            code="claim_quantity",
        )
    description = str(description or "").strip()
    if not description:
        raise OrderError(_("Describe the quality problem."))
    if len(description) > DESCRIPTION_MAX:
        raise OrderError(
            _("A description can be at most %(n)d characters.") % {"n": DESCRIPTION_MAX}
        )
    photos = [photo for photo in photos or () if photo]
    if not photos:
        raise OrderError(_("Attach at least one photo of the problem."), code="photo_required")
    if len(photos) > MAX_PHOTOS:
        raise OrderError(_("You can attach at most %(n)d photos.") % {"n": MAX_PHOTOS})
    extensions = [_checked_photo(photo) for photo in photos]
    parts = (
        parts_returned(order, order.lines.all(), {line.pk: quantity})
        if remedy == ClaimRemedy.REFUND
        else None
    )
    claim = QualityClaim.objects.create(
        number=_number("Q", now),
        order=order,
        order_line=line,
        quantity=quantity,
        remedy=remedy,
        description=description,
        refund_fen=parts.cash_fen if parts else 0,
        wallet_fen=parts.wallet_fen if parts else 0,
        points=parts.points if parts else 0,
        requested_at=now,
    )
    _save_photos(claim, photos, extensions)
    return claim


def _lock_claim(claim: QualityClaim, expected: str) -> QualityClaim:
    locked = QualityClaim.objects.select_for_update().get(pk=claim.pk)
    if locked.status != expected:
        raise OrderError(
            _("This claim is “%(status)s” and cannot be decided that way.")
            % {"status": ClaimStatus(locked.status).label},
            code="claim_status",
        )
    return locked


def _line_quantities(claim: QualityClaim) -> dict[int, int]:
    return {claim.order_line.sku_id: claim.quantity}


@transaction.atomic
def approve_claim(
    *, claim: QualityClaim, actor, remedy: str, reason: str = "", now: datetime | None = None
) -> QualityClaim:
    """Grants an exchange (the replacement is reserved from stock now) or a repair; a refund is
    granted by ``sales.refund_claim``, which moves the money."""
    if remedy not in (ClaimRemedy.EXCHANGE, ClaimRemedy.REPAIR):
        raise OrderError(_("Choose an exchange or a repair."))
    claim = _lock_claim(claim, ClaimStatus.REQUESTED)
    if claim.order_line_id is None:
        raise OrderError(_("A refund ordered by a complaint has nothing to exchange or repair."))
    claim.status = ClaimStatus.APPROVED
    claim.decided_remedy = remedy
    claim.decided_at = now or timezone.now()
    claim.decision_reason = str(reason or "").strip()[:300]
    claim.save(update_fields=["status", "decided_remedy", "decided_at", "decision_reason"])
    if remedy == ClaimRemedy.EXCHANGE:
        line = claim.order_line
        inventory.reserve_stock(
            quantities=_line_quantities(claim),
            reference=claim.number,
            names={line.sku_id: f"{line.product_name} {line.sku_name}"},
        )
    audit.record(
        actor=actor,
        action="claim.approve",
        obj=claim,
        before={"status": ClaimStatus.REQUESTED},
        after={"status": claim.status, "remedy": remedy},
        reason=claim.decision_reason,
    )
    return claim


@transaction.atomic
def reject_claim(
    *, claim: QualityClaim, actor, reason: str, now: datetime | None = None
) -> QualityClaim:
    reason = str(reason or "").strip()
    if not reason:
        raise OrderError(_("Say why the claim is rejected; the customer will see it."))
    claim = _lock_claim(claim, ClaimStatus.REQUESTED)
    claim.status = ClaimStatus.REJECTED
    claim.decided_at = now or timezone.now()
    claim.decision_reason = reason[:300]
    claim.save(update_fields=["status", "decided_at", "decision_reason"])
    audit.record(
        actor=actor,
        action="claim.reject",
        obj=claim,
        before={"status": ClaimStatus.REQUESTED},
        after={"status": claim.status},
        reason=claim.decision_reason,
    )
    return claim


def _waybill(carrier, tracking_no) -> tuple[str, str]:
    """A carrier from the list and a number of its shape, normalised; OrderError otherwise."""
    carrier, tracking_no = str(carrier or "").strip(), str(tracking_no or "").strip()
    if not carrier or not tracking_no:
        raise OrderError(_("Enter the carrier and the tracking number."))
    if problem := waybill_problem(carrier, tracking_no):
        raise OrderError(problem)
    return carrier, normalise_waybill(tracking_no)


@transaction.atomic
def send_claim_goods(
    *, claim: QualityClaim, customer: Customer, carrier: str, tracking_no: str, now=None
) -> QualityClaim:
    """The customer says how he sent the goods of an approved exchange or repair to the brand;
    he may correct it until the brand ships back."""
    carrier, tracking_no = _waybill(carrier, tracking_no)
    claim = QualityClaim.objects.select_for_update().select_related("order").get(pk=claim.pk)
    if claim.order.customer_id != customer.pk:
        raise OrderError(_("This order is not yours."))
    if claim.status != ClaimStatus.APPROVED:
        raise OrderError(
            _("Send the goods once the brand has approved an exchange or a repair."),
            code="claim_status",
        )
    claim.return_carrier, claim.return_tracking_no = carrier, tracking_no
    claim.returned_sent_at = now or timezone.now()
    claim.save(update_fields=["return_carrier", "return_tracking_no", "returned_sent_at"])
    return claim


@transaction.atomic
def ship_claim(
    *, claim: QualityClaim, actor, carrier: str, tracking_no: str, now: datetime | None = None
) -> QualityClaim:
    """The replacement or the repaired goods leave the warehouse; a replacement's stock goes."""
    carrier, tracking_no = _waybill(carrier, tracking_no)
    claim = _lock_claim(claim, ClaimStatus.APPROVED)
    claim.status = ClaimStatus.SHIPPED
    claim.carrier, claim.tracking_no = carrier, tracking_no
    claim.shipped_at = now or timezone.now()
    claim.save(update_fields=["status", "carrier", "tracking_no", "shipped_at"])
    if claim.decided_remedy == ClaimRemedy.EXCHANGE:
        inventory.deduct_shipped_stock(quantities=_line_quantities(claim), reference=claim.number)
    audit.record(
        actor=actor,
        action="claim.ship",
        obj=claim,
        before={"status": ClaimStatus.APPROVED},
        after={"status": claim.status, "carrier": claim.carrier, "tracking_no": claim.tracking_no},
    )
    return claim


def _refund_order(order: Order, amount_fen: int, *, all_units_back: bool = False) -> None:
    refunded = order.refunded_fen + amount_fen
    if refunded > order.total_fen:
        raise OrderError(
            _("At most %(left)s can still be refunded on this order.")
            % {"left": format_fen(order.total_fen - order.refunded_fen)},
            code="refund_exceeds_total",
        )
    target = status_after_refund(order, refunded, all_units_back)
    check_transition(order.status, target)
    order.status, order.refunded_fen = target, refunded
    order.save(update_fields=["status", "refunded_fen", "wallet_returned_fen", "points_returned"])


@step
def record_claim_refund(
    *, claim: QualityClaim, reason: str, now: datetime
) -> tuple[QualityClaim, Order, dict[int, int]]:
    """Grants a claim's return and refund: the units count as returned and the order as (partly)
    refunded; the caller requests the refund and reverses commission in the same transaction.
    Returns the locked claim and order and ``{order_line_id: fen}``."""
    claim = _lock_claim(claim, ClaimStatus.REQUESTED)
    if claim.order_line_id is None:
        raise OrderError(_("This claim names no goods to refund."))
    order = lock_order(claim.order_id)
    lines = list(order.lines.all())
    line = next(ln for ln in lines if ln.pk == claim.order_line_id)
    parts = parts_returned(order, lines, {line.pk: claim.quantity})
    record_parts_returned(order, parts)
    all_back = all(
        ln.returned_quantity + (claim.quantity if ln.pk == line.pk else 0) == ln.quantity
        for ln in lines
    )
    _refund_order(order, parts.cash_fen, all_units_back=all_back)
    OrderLine.objects.filter(pk=line.pk).update(
        returned_quantity=F("returned_quantity") + claim.quantity
    )
    claim.status = ClaimStatus.REFUNDED
    claim.decided_remedy = ClaimRemedy.REFUND
    claim.refund_fen = parts.cash_fen
    claim.wallet_fen, claim.points = parts.wallet_fen, parts.points
    claim.decided_at = claim.refunded_at = now
    claim.decision_reason = str(reason or "").strip()[:300]
    claim.save(
        update_fields=[
            "status",
            "decided_remedy",
            "refund_fen",
            "wallet_fen",
            "points",
            "decided_at",
            "refunded_at",
            "decision_reason",
        ]
    )
    return claim, order, parts.cash_by_line


def _refundable_lines(order: Order) -> list[tuple[int, int]]:
    """What each line can still refund to the payment: what the payment paid for it less its
    returned units' share and the refunds complaints ordered before (spread as they were)."""
    lines = list(order.lines.all())
    refundable = {
        line.pk: line.paid_fen - line.paid_fen * line.returned_quantity // line.quantity
        for line in lines
    }
    ordered_before = (
        QualityClaim.objects.filter(
            order=order, order_line__isnull=True, status=ClaimStatus.REFUNDED
        ).aggregate(fen=Sum("refund_fen"))["fen"]
        or 0
    )
    if ordered_before:
        spread = allocate(ordered_before, [(line.pk, line.paid_fen) for line in lines])
        for line_id, fen in spread.items():
            refundable[line_id] = max(refundable[line_id] - fen, 0)
    return [(line_id, fen) for line_id, fen in refundable.items() if fen > 0]


@step
def record_ordered_refund(
    *, complaint, amount_fen: int, reason: str, now: datetime
) -> tuple[QualityClaim, Order, dict[int, int]]:
    """A refund a complaint's resolution orders, recorded as a granted claim on the complaint's
    order and spread over its lines; the caller requests the refund and reverses commission."""
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise OrderError(_("Enter the amount to refund."))
    order = lock_order(complaint.order_id)
    if order.status not in CLAIMABLE_STATUSES:
        raise OrderError(
            _(
                "A refund can be ordered once the order is delivered; before that the customer "
                "can cancel it."
            ),
            code="not_delivered",
        )
    refundable = _refundable_lines(order)
    if amount_fen > sum(fen for _line, fen in refundable):
        raise OrderError(
            _("At most %(left)s can still be refunded on this order.")
            % {"left": format_fen(sum(fen for _line, fen in refundable))},
            code="refund_exceeds_goods",
        )
    _refund_order(order, amount_fen)
    claim = QualityClaim.objects.create(
        number=_number("Q", now),
        order=order,
        complaint=complaint,
        remedy=ClaimRemedy.REFUND,
        decided_remedy=ClaimRemedy.REFUND,
        status=ClaimStatus.REFUNDED,
        refund_fen=amount_fen,
        requested_at=now,
        decided_at=now,
        refunded_at=now,
        decision_reason=str(reason or "").strip()[:300],
    )
    return claim, order, allocate(amount_fen, refundable)


@transaction.atomic
def set_claim_days(*, actor, claim_days: int) -> AfterSalesSettings:
    """The brand's claim period; audited when it changes."""
    if not isinstance(claim_days, int) or not 7 <= claim_days <= 3650:
        raise OrderError(_("The claim period is from 7 to 3650 days."))
    current = AfterSalesSettings.objects.select_for_update().filter(pk=1).first()
    before = {"claim_days": current.claim_days if current else AfterSalesSettings().claim_days}
    saved, _created = AfterSalesSettings.objects.update_or_create(
        pk=1, defaults={"claim_days": claim_days}
    )
    audit.record_change(
        actor=actor,
        action="aftersales.settings",
        obj=saved,
        before=before,
        after={"claim_days": claim_days},
    )
    return saved
