"""After-sales in the brand console: the settings page and return addresses (operators and the
owner write, everyone else reads), and the return parcel shown in the returns queue."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.helpers import deliver, pay
from weishang.catalog.models import Brand
from weishang.compliance.models import AuditEntry
from weishang.orders import after_sales, services
from weishang.orders.models import AfterSalesSettings, ReturnAddress, ReturnStatus
from weishang.sales import services as sales

from .conftest import english, messages_of
from .test_roles import member, signed_in

pytestmark = pytest.mark.django_db

ADDRESS = {"recipient": "退货组", "phone": "0996-1234567", "address": "新疆若羌县枣园路1号"}


def requested_return(customer, sku):
    order = deliver(
        pay(
            sales.place_order(
                customer=customer, items={sku.pk: 1}, address=customer.addresses.get()
            )
        )
    )
    return services.request_return(
        order=order, customer=customer, quantities={order.lines.get().pk: 1}
    )


def test_an_operator_sets_the_period_the_freight_rule_and_a_return_address(
    client, django_user_model, brand
):
    operator = member(django_user_model, "operator")
    signed_in(english(client), operator)
    response = client.post(
        reverse("console:after_sales"),
        {"auto_confirm_days": "7", "brand_pays_return_shipping": "on"},
        follow=True,
    )
    assert "The after-sales settings are saved." in messages_of(response)
    assert AfterSalesSettings.current().auto_confirm_days == 7
    assert Brand.objects.get().return_shipping_paid_by_brand
    response = client.post(reverse("console:return_address_add"), ADDRESS, follow=True)
    assert "The return address is added." in messages_of(response)
    assert "新疆若羌县枣园路1号" in response.content.decode()
    assert ReturnAddress.objects.get().recipient == "退货组"
    actions = list(
        AuditEntry.objects.filter(actor=operator).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["after_sales.settings", "return_address.add"]


def test_bad_input_changes_nothing_and_says_why(console):
    response = console.post(
        reverse("console:after_sales"), {"auto_confirm_days": "１０"}, follow=True
    )
    assert response.status_code == 200 and messages_of(response)
    assert AfterSalesSettings.objects.count() == 0
    response = console.post(
        reverse("console:return_address_add"), ADDRESS | {"address": ""}, follow=True
    )
    assert any("Address" in message for message in messages_of(response))
    assert not ReturnAddress.objects.exists()
    assert console.post(reverse("console:return_address_retire", args=[999])).status_code == 404


@pytest.mark.parametrize("role", ["customer_service", "finance", "auditor"])
def test_other_roles_read_the_settings_but_cannot_change_them(client, django_user_model, role):
    signed_in(english(client), member(django_user_model, role))
    page = client.get(reverse("console:after_sales"))
    assert page.status_code == 200 and "Return addresses" in page.content.decode()
    assert client.post(reverse("console:return_address_add"), ADDRESS).status_code == 403
    assert not ReturnAddress.objects.exists()


def test_the_queue_shows_where_the_goods_go_and_the_customers_parcel(
    console, staff, customer, make_customer, sku, django_assert_max_num_queries
):
    warehouse = after_sales.add_return_address(actor=staff, **ADDRESS)
    shanghai = after_sales.add_return_address(
        actor=staff, recipient="上海仓", phone="021-5555666", address="上海市嘉定区仓库路2号"
    )
    rr = requested_return(customer, sku)
    page = console.get(reverse("console:return_list")).content.decode()
    assert "上海市嘉定区仓库路2号" in page  # a choice of address on approval
    console.post(
        reverse("console:return_approve", args=[rr.number]), {"return_address": shanghai.pk}
    )
    rr.refresh_from_db()
    assert (rr.status, rr.return_address) == (ReturnStatus.APPROVED, shanghai)
    assert warehouse != shanghai
    after_sales.record_return_shipment(
        return_request=rr, customer=customer, carrier="sf", tracking_no="SF1402837465920"
    )
    for _ in range(5):
        other = services.approve_return(
            return_request=requested_return(make_customer(), sku), actor=None
        )
        after_sales.record_return_shipment(
            return_request=other,
            customer=other.order.customer,
            carrier="zto",
            tracking_no="78310029455612",
        )
    with django_assert_max_num_queries(9):
        response = console.get(reverse("console:return_list"))
    html = response.content.decode()
    assert "SF Express SF1402837465920" in html and "ZTO Express 78310029455612" in html
    assert "Send back to 上海仓" in html and "the customer pays the return shipping" in html
    response = console.post(
        reverse("console:return_receive", args=[rr.number]), {"next": "/console/returns/"}
    )
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.RECEIVED


def test_an_unknown_address_on_approval_is_refused(console, customer, sku):
    rr = requested_return(customer, sku)
    response = console.post(
        reverse("console:return_approve", args=[rr.number]), {"return_address": "42"}, follow=True
    )
    assert "Choose a return address in use." in messages_of(response)
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.REQUESTED


def test_the_order_page_says_how_receipt_was_confirmed(console, customer, sku):
    order = pay(
        sales.place_order(customer=customer, items={sku.pk: 1}, address=customer.addresses.get())
    )
    order = services.ship_order(
        actor=None, order=order, carrier="sf", tracking_no="SF1402837465920"
    )
    html = console.get(reverse("console:order_detail", args=[order.number])).content.decode()
    due = timezone.localtime(order.shipped_at + timedelta(days=10))
    assert f"it is confirmed automatically on {due:%Y-%m-%d %H:%M}" in html
    after_sales.confirm_receipt(order=order, customer=customer)
    html = console.get(reverse("console:order_detail", args=[order.number])).content.decode()
    assert "The customer confirmed receipt" in html
