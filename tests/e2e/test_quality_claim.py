"""A quality claim in a real browser: three weeks after delivery, the 7-day return window long
closed, the customer claims a refund for mouldy jujubes with a photo; customer service looks at
the photo and approves; the refund reaches the sandbox provider after the commit and the customer
sees it on his order page."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from weishang.compliance.models import AuditEntry
from weishang.orders import services as orders
from weishang.orders.models import Order, OrderStatus, QualityClaim
from weishang.payments.models import Refund

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER = "13800138000"


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("load_demo", verbosity=0)


def photo_file(tmp_path):
    path = tmp_path / "mouldy.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 110, 60)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_claim_after_the_window_is_approved_and_refunded(
    demo, live_server, new_page, screenshot, tmp_path, picture_width
):
    store = live_server.url
    order = Order.objects.get(customer__mobile=CUSTOMER, status=OrderStatus.DELIVERED)
    # Three weeks have passed since the sign-for: the order completed when its window closed.
    Order.objects.filter(pk=order.pk).update(delivered_at=timezone.now() - timedelta(days=21))
    assert orders.complete_orders()

    customer = new_page(phone=True)
    customer.goto(store + "/login/")
    customer.click("details summary")
    customer.fill("#pw-mobile", CUSTOMER)
    customer.fill("#password", "weishang-demo")
    customer.click("button[name=action][value=password]")
    customer.wait_for_url(re.compile(r"/$|/account/"))
    customer.goto(f"{store}/orders/{order.number}/")
    assert customer.locator("[data-testid=return-form]").count() == 0
    line = order.lines.order_by("pk").first()
    unit_paid = line.paid_fen // line.quantity  # what the payment paid for one unit of it
    customer.select_option("#claim-line", str(line.pk))
    customer.fill("#claim-quantity", "1")
    customer.select_option("#claim-remedy", "refund")
    customer.fill("#claim-description", "打开后发现枣子发霉，附照片。")
    customer.set_input_files("#claim-photos", str(photo_file(tmp_path)))
    customer.click("[data-testid=claim-form] button[type=submit]")
    customer.wait_for_selector("[data-testid=claim]")
    claim = QualityClaim.objects.get(order=order)
    assert (claim.status, claim.photos.count()) == ("requested", 1)
    assert "待处理" in customer.inner_text("[data-testid=claim-status]")

    service = new_page(phone=False)
    service.goto(store + "/console/")
    service.fill("#id_username", "service")
    service.fill("#id_password", "weishang-demo")
    service.click("form button[type=submit]")
    service.wait_for_url(re.compile(r"/console/$"))
    service.goto(store + "/console/claims/")
    assert claim.number in service.inner_text("[data-testid=claim-row]")
    service.click(f"a:text('{claim.number}')")
    assert picture_width(service, "[data-testid=claim-photo]") == 64
    service.select_option("#remedy", "refund")
    service.fill("#reason", "照片显示发霉，全额退这一件。")
    screenshot(service, "console-claim")
    service.click("[data-testid=approve]")
    service.wait_for_selector("[data-testid=decision]")

    claim.refresh_from_db()
    order.refresh_from_db()
    assert (claim.status, claim.refund_fen) == ("refunded", unit_paid)
    assert (order.status, order.refunded_fen) == (OrderStatus.PARTIALLY_REFUNDED, unit_paid)
    refund = Refund.objects.get(return_number=claim.number)
    assert refund.status == Refund.Status.SUCCEEDED and refund.provider_refund_id
    assert AuditEntry.objects.get(action="claim.refund").actor_label == "service"

    customer.goto(f"{store}/orders/{order.number}/")
    assert customer.inner_text("[data-testid=claim-status]") == "已退款"
    assert "照片显示发霉" in customer.inner_text("[data-testid=claim]")
    assert customer.inner_text("[data-testid=refunded]").endswith(f"{unit_paid / 100:.2f}")
    screenshot(customer, "store-order-claim")
