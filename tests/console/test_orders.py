"""Orders through the console: the list, the detail page, ship, deliver and cancel."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.helpers import deliver, pay
from weishang.console import roles
from weishang.inventory.models import Stock
from weishang.orders.models import OrderStatus

from .conftest import english, messages_of
from .test_roles import member


def detail(order):
    return reverse("console:order_detail", args=[order.number])


@pytest.mark.django_db
def test_dashboard_counts_at_a_glance(console, place, sku):
    pay(place())
    pay(place(quantity=2))
    place()
    shipped = pay(place())
    console.post(
        reverse("console:order_ship", args=[shipped.number]),
        {"carrier": "sf", "tracking_no": "SF1402837465920"},
    )
    response = console.get(reverse("console:dashboard"))
    counts = {item["key"]: item["count"] for item in response.context["work"]}
    assert (counts["unshipped"], counts["awaiting_payment"], counts["shipped"]) == (2, 1, 1)
    figures = {kpi["key"]: kpi["now"] for kpi in response.context["kpis"]}
    assert (figures["orders"], figures["gmv"]) == ("3", "¥159.60")  # 4 × 39.90 paid today
    html = response.content.decode()
    assert 'class="tile alert" href="/console/orders/?status=paid"' in html  # unshipped: red


@pytest.mark.django_db
def test_order_list_filters_searches_and_flags_unshipped(console, place, make_customer, sku):
    paid = pay(place())
    unpaid = place()
    other = make_customer(mobile="13900001111")
    theirs = place(who=other)

    html = console.get(reverse("console:order_list")).content.decode()
    assert paid.number in html and unpaid.number in html
    assert "Unshipped" in html
    assert "13900001111" in html
    assert "¥39.90" in html

    response = console.get(reverse("console:order_list"), {"status": "paid"})
    assert [o.number for o in response.context["page"]] == [paid.number]

    response = console.get(reverse("console:order_list"), {"q": "0000111"})
    assert [o.number for o in response.context["page"]] == [theirs.number]

    response = console.get(reverse("console:order_list"), {"q": paid.number})
    assert [o.number for o in response.context["page"]] == [paid.number]

    response = console.get(reverse("console:order_list"), {"status": "bogus"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 3


@pytest.mark.django_db
def test_order_list_is_paginated_by_50(console, make_product, customer):
    sku = make_product(stock=1000)
    from weishang.sales.services import place_order

    for _ in range(51):
        place_order(customer=customer, items={sku.pk: 1}, address=customer.addresses.get())
    response = console.get(reverse("console:order_list"))
    assert len(response.context["page"]) == 50
    response = console.get(reverse("console:order_list"), {"page": 2})
    assert len(response.context["page"]) == 1


@pytest.mark.django_db
def test_order_list_queries_do_not_grow_with_rows(
    console, make_product, make_customer, django_assert_max_num_queries
):
    from weishang.sales.services import place_order

    skus = [make_product(stock=1000) for _ in range(3)]
    for i in range(40):
        who = make_customer()
        order = place_order(
            customer=who, items={s.pk: 1 for s in skus[: i % 3 + 1]}, address=who.addresses.get()
        )
        if i % 2:
            pay(order)
    with django_assert_max_num_queries(8):
        response = console.get(reverse("console:order_list"))
    assert len(response.context["page"]) == 40


@pytest.mark.django_db
def test_ship_then_deliver_through_the_pages(console, paid_order, sku):
    html = console.get(detail(paid_order)).content.decode()
    assert "Mark shipped" in html and "Art. 49" in html

    response = console.post(
        reverse("console:order_ship", args=[paid_order.number]),
        {"carrier": "sf", "tracking_no": "sf 1402 8374 6592 0"},
        follow=True,
    )
    assert "is shipped" in " ".join(messages_of(response))
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.SHIPPED
    assert (paid_order.carrier, paid_order.tracking_no) == ("sf", "SF1402837465920")
    stock = Stock.objects.get(sku=sku)
    assert (stock.on_hand, stock.reserved) == (99, 0)
    assert "SF Express · Tracking number: SF1402837465920" in response.content.decode()
    assert "Mark delivered" in response.content.decode()

    signed = timezone.localtime().replace(second=0, microsecond=0) + timedelta(minutes=1)
    response = console.post(
        reverse("console:order_deliver", args=[paid_order.number]),
        {"signed_at": signed.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.DELIVERED
    assert paid_order.delivered_at == signed
    html = response.content.decode()
    assert "No-reason return window closes" in html
    assert "Signed for" in html


@pytest.mark.django_db
def test_deliver_defaults_to_now(console, paid_order):
    console.post(
        reverse("console:order_ship", args=[paid_order.number]),
        {"carrier": "sf", "tracking_no": "SF1402837465920"},
    )
    console.post(reverse("console:order_deliver", args=[paid_order.number]), {"signed_at": ""})
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.DELIVERED
    assert abs(paid_order.delivered_at - timezone.now()) < timedelta(minutes=1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"carrier": "sf", "tracking_no": ""},
        {"carrier": "sf", "tracking_no": "   "},
        {"carrier": "", "tracking_no": "SF1402837465920"},
        {},
    ],
)
def test_shipping_without_tracking_changes_nothing(console, paid_order, sku, data):
    response = console.post(
        reverse("console:order_ship", args=[paid_order.number]), data, follow=True
    )
    assert "Enter the carrier and the tracking number." in messages_of(response)
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID
    assert paid_order.tracking_no == ""
    assert Stock.objects.get(sku=sku).reserved == 1


@pytest.mark.django_db
def test_bad_sign_for_times_change_nothing(console, paid_order):
    console.post(
        reverse("console:order_ship", args=[paid_order.number]),
        {"carrier": "sf", "tracking_no": "SF1402837465920"},
    )
    url = reverse("console:order_deliver", args=[paid_order.number])
    before = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    for value, message in [
        (before, "before the order was shipped"),
        (future, "cannot be in the future"),
        ("yesterday", "Enter a valid date/time."),
    ]:
        response = console.post(url, {"signed_at": value}, follow=True)
        assert message in " ".join(messages_of(response)), value
        paid_order.refresh_from_db()
        assert paid_order.status == OrderStatus.SHIPPED
        assert paid_order.delivered_at is None


@pytest.mark.django_db
def test_deliver_before_shipping_is_refused(console, paid_order):
    response = console.post(
        reverse("console:order_deliver", args=[paid_order.number]), {}, follow=True
    )
    assert messages_of(response)
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID


@pytest.mark.django_db
def test_brand_cancels_an_unpaid_order(console, place, sku):
    order = place(quantity=3)
    assert Stock.objects.get(sku=sku).reserved == 3
    assert "Cancel this unpaid order" in console.get(detail(order)).content.decode()
    response = console.post(
        reverse("console:order_cancel", args=[order.number]),
        {"reason": "customer asked by phone"},
        follow=True,
    )
    assert "is cancelled" in " ".join(messages_of(response))
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == "customer asked by phone"
    assert Stock.objects.get(sku=sku).reserved == 0


@pytest.mark.django_db
def test_brand_cannot_cancel_a_paid_order(console, paid_order, sku):
    html = console.get(detail(paid_order)).content.decode()
    assert "Cancel this unpaid order" not in html
    assert "the brand cannot cancel it alone. Ship it" in html

    response = console.post(reverse("console:order_cancel", args=[paid_order.number]), follow=True)
    (message,) = messages_of(response)
    assert "Art. 49" in message
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID
    assert paid_order.refunded_fen == 0
    assert Stock.objects.get(sku=sku).reserved == 1


@pytest.mark.django_db
def test_order_detail_shows_lines_address_payments_and_refunds(console, place, sku):
    from weishang.orders import services
    from weishang.sales import services as sales

    order = deliver(pay(place(quantity=2)))
    rr = services.request_return(
        order=order, customer=order.customer, quantities={order.lines.get().pk: 1}
    )
    services.approve_return(actor=None, return_request=rr)
    services.receive_return(actor=None, return_request=rr)
    sales.refund_return(return_request=rr)
    html = console.get(detail(order)).content.decode()
    for text in [
        sku.product.name,
        "世纪大道100号",
        "张三",
        order.customer.mobile,
        order.payments.get().number,
        rr.number,
        "¥79.80",
        "Refunded ¥39.90",
        "Order placed",
    ]:
        assert text in html, text


@pytest.mark.django_db
def test_unknown_order_is_404(console):
    assert console.get(reverse("console:order_detail", args=["nope"])).status_code == 404
    assert console.post(reverse("console:order_ship", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_actions_need_post(console, paid_order):
    response = console.get(reverse("console:order_ship", args=[paid_order.number]))
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("role", "full"),
    [
        (roles.OWNER, True),
        (roles.OPERATOR, True),
        (roles.CUSTOMER_SERVICE, True),
        (roles.FINANCE, False),
        (roles.AUDITOR, False),
    ],
)
def test_order_pages_show_the_delivery_in_full_only_to_roles_that_need_it(
    client, django_user_model, paid_order, role, full
):
    """Finance and the auditor see amounts and statuses; the recipient, his phone and address
    are masked for them (PIPL Art. 6), as on the customer pages."""
    english(client).force_login(member(django_user_model, role))
    masked_phone = paid_order.phone[:3] + "****" + paid_order.phone[-4:]
    page = client.get(detail(paid_order)).content.decode()
    listing = client.get(reverse("console:order_list")).content.decode()
    for html in (page, listing):
        assert (paid_order.customer.mobile in html) is full
        assert (paid_order.recipient in html) is full
    assert (paid_order.phone in page) is full
    assert (paid_order.address in page) is full
    if not full:
        assert masked_phone in page
        assert paid_order.city in page
