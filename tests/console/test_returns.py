"""The returns queue: approve, reject, receive, refund; overdue refunds first."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.helpers import deliver, pay
from weishang.console import roles
from weishang.inventory.models import Stock
from weishang.orders import services
from weishang.orders.models import OrderStatus, ReturnStatus
from weishang.payments.models import Refund
from weishang.sales import services as sales

from .conftest import english, messages_of
from .test_roles import member


@pytest.fixture
def delivered(place):
    return deliver(pay(place(quantity=2)))


def ask_return(order, quantity=1, reason="不喜欢"):
    return services.request_return(
        order=order,
        customer=order.customer,
        quantities={order.lines.get().pk: quantity},
        reason=reason,
    )


def act(console, action, rr, **data):
    return console.post(reverse(f"console:return_{action}", args=[rr.number]), data, follow=True)


@pytest.mark.django_db
def test_return_goes_from_request_to_refund_through_the_queue(console, delivered, sku):
    rr = ask_return(delivered)
    response = console.get(reverse("console:return_list"))
    html = response.content.decode()
    assert rr.number in html and delivered.number in html and "不喜欢" in html
    assert "Approve" in html

    response = act(console, "approve", rr)
    assert response.request["PATH_INFO"] == reverse("console:return_list")
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.APPROVED
    assert "Goods received" in response.content.decode()

    on_hand = Stock.objects.get(sku=sku).on_hand
    act(console, "receive", rr)
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.RECEIVED
    assert rr.refund_due_at is not None
    assert Stock.objects.get(sku=sku).on_hand == on_hand + 1
    html = console.get(reverse("console:return_list")).content.decode()
    assert timezone.localtime(rr.refund_due_at).strftime("%Y-%m-%d %H:%M") in html
    assert "Refund ¥39.90" in html

    response = act(console, "refund", rr)
    assert "is refunded" in " ".join(messages_of(response))
    rr.refresh_from_db()
    delivered.refresh_from_db()
    assert rr.status == ReturnStatus.REFUNDED
    assert delivered.status == OrderStatus.PARTIALLY_REFUNDED
    assert delivered.refunded_fen == 3990
    assert Refund.objects.filter(return_number=rr.number).count() == 1
    assert rr not in response.context["page"]  # it left the queue


@pytest.mark.django_db
def test_refund_pressed_twice_pays_once(console, delivered):
    rr = ask_return(delivered)
    act(console, "approve", rr)
    act(console, "receive", rr)
    act(console, "refund", rr)
    response = act(console, "refund", rr)
    assert messages_of(response)  # explained, not applied
    assert Refund.objects.filter(return_number=rr.number).count() == 1
    delivered.refresh_from_db()
    assert delivered.refunded_fen == 3990


@pytest.mark.django_db
def test_reject_needs_a_reason(console, delivered):
    rr = ask_return(delivered)
    response = act(console, "reject", rr, reason="  ")
    assert "Say why the return is rejected" in " ".join(messages_of(response))
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.REQUESTED

    act(console, "reject", rr, reason="包装已拆封且有使用痕迹")
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.REJECTED
    assert rr.reject_reason == "包装已拆封且有使用痕迹"


@pytest.mark.django_db
def test_out_of_order_steps_are_refused(console, delivered, sku):
    rr = ask_return(delivered)
    on_hand = Stock.objects.get(sku=sku).on_hand
    for action in ("receive", "refund"):
        response = act(console, action, rr)
        assert messages_of(response)
        rr.refresh_from_db()
        assert rr.status == ReturnStatus.REQUESTED
    assert Stock.objects.get(sku=sku).on_hand == on_hand
    assert not Refund.objects.exists()


@pytest.mark.django_db
def test_overdue_refunds_are_flagged_and_listed_first(console, place, make_customer):
    now = timezone.now()
    requested = ask_return(deliver(pay(place())))
    approved = ask_return(deliver(pay(place(who=make_customer()))))
    services.approve_return(actor=None, return_request=approved)
    due_later = ask_return(deliver(pay(place(who=make_customer()))))
    services.approve_return(actor=None, return_request=due_later)
    services.receive_return(actor=None, return_request=due_later)
    overdue = ask_return(deliver(pay(place(who=make_customer()))))
    services.approve_return(actor=None, return_request=overdue)
    services.receive_return(actor=None, return_request=overdue, now=now - timedelta(days=9))

    response = console.get(reverse("console:return_list"))
    numbers = [rr.number for rr in response.context["page"]]
    assert numbers == [overdue.number, due_later.number, requested.number, approved.number]
    html = response.content.decode()
    assert html.count('class="overdue"') == 1
    assert f'id="return-{overdue.number}" class="overdue"' in html

    home = console.get(reverse("console:dashboard"))
    assert {item["key"]: item["count"] for item in home.context["work"]}["refunds_overdue"] == 1
    assert "refund is past its due date" in home.content.decode()
    assert {item["key"]: item["count"] for item in home.context["work"]}["returns"] == 4


@pytest.mark.django_db
def test_returns_queue_queries_do_not_grow_with_rows(
    console, make_product, make_customer, django_assert_max_num_queries
):
    sku = make_product(stock=1000)
    for i in range(25):
        who = make_customer()
        order = sales.place_order(customer=who, items={sku.pk: 2}, address=who.addresses.get())
        rr = ask_return(deliver(pay(order)))
        if i % 2:
            services.approve_return(actor=None, return_request=rr)
    with django_assert_max_num_queries(8):
        response = console.get(reverse("console:return_list"))
    assert len(response.context["page"]) == 25


@pytest.mark.django_db
def test_unknown_return_is_404(console):
    assert console.post(reverse("console:return_approve", args=["R-nope"])).status_code == 404


@pytest.mark.django_db
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
def test_the_returns_queue_shows_the_customers_mobile_only_to_roles_that_need_it(
    client, django_user_model, delivered, role, full
):
    """Finance and the auditor may read the queue; the customer's mobile is masked for them
    (PIPL Art. 6), as in the order list."""
    ask_return(delivered)
    english(client).force_login(member(django_user_model, role))
    mobile = delivered.customer.mobile
    page = client.get(reverse("console:return_list")).content.decode()
    assert (mobile in page) is full
    assert (f"{mobile[:3]}****{mobile[-4:]}" in page) is not full
