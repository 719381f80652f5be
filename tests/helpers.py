"""Steps many tests take through the real services to bring an order to a given state."""

import io
import itertools
from datetime import UTC, datetime
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from weishang.catalog.services import add_sku, create_product, publish_product
from weishang.distribution.rules import id_check_char
from weishang.orders import services as orders
from weishang.payments.providers import Notification
from weishang.payments.services import start_payment
from weishang.sales.services import confirm_payment, place_order, refund_return


def pay(order):
    """Pays the order as the sandbox provider's notification would."""
    payment = start_payment(order=order)
    confirm_payment(
        provider="sandbox",
        notification=Notification(
            payment.number, f"txn-{payment.number}", payment.amount_fen, timezone.now()
        ),
    )
    order.refresh_from_db()
    return order


def bought(customer, sku, quantity=1):
    """An order of ``quantity`` of the SKU to the customer's address, paid."""
    return pay(
        place_order(
            customer=customer,
            items={sku.pk: quantity},
            address=customer.addresses.get(),
            clear_cart=False,
        )
    )


def mid_month(year: int, month: int) -> datetime:
    """Noon in Shanghai on the 15th: well inside the month in the brand's time zone."""
    return datetime(year, month, 15, 4, 0, tzinfo=UTC)


def bought_on(customer, sku, when: datetime):
    """``bought`` with the clock at ``when``: placed and paid then."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        return bought(customer, sku)


def returned(order, quantity, *, now=None):
    """A 7-day return of ``quantity`` units of the order's one line: requested, approved, the
    goods received and the money refunded."""
    rr = orders.request_return(
        order=order,
        customer=order.customer,
        quantities={order.lines.get().pk: quantity},
        now=now,
    )
    orders.approve_return(actor=None, return_request=rr)
    orders.receive_return(actor=None, return_request=rr)
    return refund_return(return_request=rr, now=now)


def deliver(order):
    """Ships the paid order and records the courier's sign-for now."""
    orders.ship_order(actor=None, order=order, carrier="sf", tracking_no=f"SF{order.pk:013d}")
    orders.mark_delivered(actor=None, order=order, signed_at=timezone.now())
    order.refresh_from_db()
    return order


_id_sequence = itertools.count(1)


def new_id_number() -> str:
    """A valid resident ID number no other call returned: one person, one distributor."""
    first17 = f"11010519491231{next(_id_sequence) % 1000:03d}"
    return first17 + id_check_char(first17)


def published_food(category):
    """A published food product with its licence number and one SKU, as the catalogue requires."""
    product = create_product(
        actor=None,
        name="灰枣",
        slug="huizao",
        category=category,
        is_food=True,
        food_licence_no="SC1",
    )
    add_sku(actor=None, product=product, code="HZ-500", name="500g", list_price_fen=3990)
    publish_product(actor=None, product=product)
    return product


def png_upload(name="photo.png"):
    """A small real PNG, as a browser would upload it."""
    buffer = io.BytesIO()
    Image.new("RGB", (12, 8), (120, 40, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
