"""Every write to central stock. Callers pass {sku_id: quantity}; each call locks, re-checks
and writes."""

from collections.abc import Mapping

from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils.translation import gettext as _

from weishang.compliance import audit
from weishang.core_errors import DomainError

from .locks import lock_stock
from .models import Stock, StockMovement


class OutOfStock(DomainError):
    code = "out_of_stock"


class StockError(DomainError):
    pass


def _locked(quantities: Mapping[int, int]) -> dict[int, Stock]:
    stocks = {stock.sku_id: stock for stock in lock_stock(quantities)}
    missing = set(quantities) - set(stocks)
    if missing:
        raise OutOfStock(_("This item is not stocked in the warehouse."))
    return stocks


def _record(kind: str, quantities: Mapping[int, int], reference: str) -> None:
    StockMovement.objects.bulk_create(
        StockMovement(sku_id=sku_id, kind=kind, quantity=qty, reference=reference)
        for sku_id, qty in quantities.items()
    )


def _apply(quantities: Mapping[int, int], **deltas) -> None:
    """One UPDATE for all the SKUs, whose rows the caller has already locked."""

    def change(sign: int):
        return Case(
            *(When(sku_id=sku_id, then=Value(sign * qty)) for sku_id, qty in quantities.items()),
            default=Value(0),
            output_field=IntegerField(),
        )

    Stock.objects.filter(sku_id__in=list(quantities)).update(
        **{field: F(field) + change(sign) for field, sign in deltas.items()}
    )


# No savepoint: a refusal ends the caller's transaction too (placing an order and approving an
# exchange both give up), so the two statements it would cost on every order buy nothing; a
# caller that goes on after a refusal takes a savepoint itself.
@transaction.atomic(savepoint=False)
def reserve_stock(
    *, quantities: Mapping[int, int], reference: str, names: Mapping[int, str] | None = None
) -> None:
    """Reserves stock for an order, refusing if any SKU lacks enough available units."""
    stocks = _locked(quantities)
    for sku_id, qty in quantities.items():
        if stocks[sku_id].available < qty:
            name = (names or {}).get(sku_id, "")
            raise OutOfStock(
                _("Only %(available)d left of %(name)s.")
                % {"available": max(stocks[sku_id].available, 0), "name": name}
                if stocks[sku_id].available > 0
                else _("%(name)s is sold out.") % {"name": name}
            )
    _apply(quantities, reserved=+1)
    _record(StockMovement.Kind.RESERVED, quantities, reference)


@transaction.atomic
def release_stock(*, quantities: Mapping[int, int], reference: str) -> None:
    """Gives back a reservation (unpaid order expired or cancelled before shipment)."""
    _locked(quantities)
    _apply(quantities, reserved=-1)
    _record(StockMovement.Kind.RELEASED, quantities, reference)


@transaction.atomic
def deduct_shipped_stock(*, quantities: Mapping[int, int], reference: str) -> None:
    """Stock leaves the warehouse: the reservation and the units on hand go down together."""
    _locked(quantities)
    _apply(quantities, reserved=-1, on_hand=-1)
    _record(StockMovement.Kind.SHIPPED, quantities, reference)


@transaction.atomic
def restock_returned(*, quantities: Mapping[int, int], reference: str) -> None:
    _locked(quantities)
    _apply(quantities, on_hand=+1)
    _record(StockMovement.Kind.RETURNED, quantities, reference)


@transaction.atomic
def set_stock_on_hand(*, sku_id: int, actor, on_hand: int, reference: str = "") -> Stock:
    """A warehouse count: sets the units on hand; never below what open orders have reserved.
    A change is audit-logged with who counted (``actor``, None for the system)."""
    if not isinstance(on_hand, int) or on_hand < 0:
        raise StockError(_("Stock must be a whole number, zero or more."))
    stock, _created = Stock.objects.get_or_create(sku_id=sku_id)
    stock = lock_stock([sku_id]).get()
    if on_hand < stock.reserved:
        raise StockError(
            _("%(reserved)d units are reserved by open orders; stock cannot go below that.")
            % {"reserved": stock.reserved}
        )
    delta = on_hand - stock.on_hand
    Stock.objects.filter(pk=stock.pk).update(on_hand=on_hand)
    if delta:
        _record(StockMovement.Kind.ADJUSTED, {sku_id: delta}, reference)
        audit.record(
            actor=actor,
            action="stock.set",
            obj=stock,
            before={"sku": sku_id, "on_hand": stock.on_hand},
            after={"sku": sku_id, "on_hand": on_hand},
        )
    stock.on_hand = on_hand
    return stock
