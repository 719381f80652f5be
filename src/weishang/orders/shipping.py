"""Batch shipping: waybill numbers imported from a file ship many paid orders in one act.

Each good row ships through ``services.ship_order`` (stock deducted, audited per order); a bad row
is reported with its row number and reason and changes nothing; an order already shipped is
reported as such, so importing the same file again ships nothing twice."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from weishang.compliance import audit
from weishang.core_errors import DomainError

from . import services
from .carriers import carrier_code, normalise_waybill, waybill_problem
from .models import Order, OrderStatus
from .waybill_files import WaybillRow

SHIPPED = "shipped"
ALREADY_SHIPPED = "already_shipped"
REFUSED = "refused"
OUTCOMES = {
    SHIPPED: pgettext_lazy("waybill import row", "shipped"),
    ALREADY_SHIPPED: pgettext_lazy("waybill import row", "already shipped"),
    REFUSED: pgettext_lazy("waybill import row", "not shipped"),
}


@dataclass(frozen=True)
class RowResult:
    line: int
    order_number: str
    outcome: str
    message: str = ""

    @property
    def outcome_label(self) -> str:
        return str(OUTCOMES[self.outcome])


@dataclass
class ImportReport:
    results: list[RowResult] = field(default_factory=list)

    def _count(self, outcome: str) -> int:
        return sum(1 for result in self.results if result.outcome == outcome)

    @property
    def shipped(self) -> int:
        return self._count(SHIPPED)

    @property
    def already_shipped(self) -> int:
        return self._count(ALREADY_SHIPPED)

    @property
    def refused(self) -> int:
        return self._count(REFUSED)


def _already_shipped(order: Order, code: str | None, number: str) -> str:
    if (order.carrier, order.tracking_no) == (code, number):
        return _("Already shipped with this waybill number.")
    return _("Already shipped with %(carrier)s %(number)s; this row's number was not used.") % {
        "carrier": order.carrier_name,
        "number": order.tracking_no,
    }


def _problem(row: WaybillRow, code: str | None, order: Order | None, seen: dict) -> str | None:
    """Why the row cannot ship its order, before anything is locked; None when it may try."""
    if not row.order_number:
        return _("Enter the order number.")
    if row.order_number in seen:
        return _("Order %(number)s is already on row %(line)d of this file.") % {
            "number": row.order_number,
            "line": seen[row.order_number],
        }
    if order is None:
        return _("No order has the number %(number)s.") % {"number": row.order_number[:40]}
    if code is None:
        if not row.carrier:
            return _("Enter the carrier.")
        return _("%(carrier)s is not one of the carriers on the list.") % {
            "carrier": row.carrier[:40]
        }
    return waybill_problem(code, row.waybill)


@transaction.atomic
def ship_orders_from_rows(*, rows: list[WaybillRow], actor, source: str = "") -> ImportReport:
    """Ships the order on each good row; the import itself is audited when it shipped any."""
    orders = Order.objects.in_bulk({row.order_number for row in rows}, field_name="number")
    report, seen = ImportReport(), {}
    for row in rows:
        code, number = carrier_code(row.carrier), normalise_waybill(row.waybill)
        order = orders.get(row.order_number)
        problem = _problem(row, code, order, seen)
        seen.setdefault(row.order_number, row.line)
        if problem is None and order.shipped_at is not None:
            message = _already_shipped(order, code, number)
            report.results.append(RowResult(row.line, row.order_number, ALREADY_SHIPPED, message))
            continue
        if problem is None and order.status != OrderStatus.PAID:
            problem = _("Order %(number)s is %(status)s; only paid orders are shipped.") % {
                "number": order.number,
                "status": order.get_status_display(),
            }
        if problem is None:
            try:
                with transaction.atomic():  # a refused row rolls back alone
                    services.ship_order(order=order, actor=actor, carrier=code, tracking_no=number)
            except DomainError as error:
                problem = str(error.message)
        outcome = SHIPPED if problem is None else REFUSED
        report.results.append(RowResult(row.line, row.order_number, outcome, problem or ""))
    if report.shipped:
        audit.record(
            actor=actor,
            action="order.ship_import",
            object_type="orders.waybill_import",
            object_id=source[:64],
            after={
                "shipped": [r.order_number for r in report.results if r.outcome == SHIPPED],
                "already_shipped": report.already_shipped,
                "refused": [
                    {"row": r.line, "order": r.order_number[:40], "reason": r.message}
                    for r in report.results
                    if r.outcome == REFUSED
                ],
            },
        )
    return report
