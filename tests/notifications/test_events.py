"""Each act a customer cares about puts a message in his inbox, in the words of his language,
with the act's own figures; told twice, he reads it once."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.distribution.conftest import application_fields
from tests.helpers import bought, deliver
from weishang.commissions import services as commissions
from weishang.compliance import complaints
from weishang.distribution import services as distribution
from weishang.notifications import events, services
from weishang.notifications.models import Message
from weishang.orders import services as orders
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db


def told(customer):
    return [
        (m.event, events.body(m.event, m.params))
        for m in Message.objects.filter(customer=customer).order_by("pk")
    ]


def read_in(language, message):
    with translation.override(language):
        return events.title(message.event), events.body(message.event, message.params)


def test_a_paid_order_and_its_shipping_are_told_in_his_language(customer, sku):
    order = deliver(bought(customer, sku, 2))
    paid, shipped = Message.objects.filter(customer=customer).order_by("pk")
    assert read_in("en", paid) == (
        "Payment received",
        f"We received your payment of ¥79.80 for order {order.number}. It ships from the "
        "brand's warehouse soon.",
    )
    title, body = read_in("zh-hans", shipped)
    assert title == "订单已发货"
    assert "顺丰速运" in body and order.tracking_no in body and order.number in body
    assert "SF Express" in read_in("en", shipped)[1]


def test_an_approved_return_and_its_refund_are_told(
    customer, sku, django_capture_on_commit_callbacks
):
    order = deliver(bought(customer, sku, 2))
    rr = orders.request_return(order=order, customer=customer, quantities={order.lines.get().pk: 1})
    orders.approve_return(actor=None, return_request=rr)
    orders.receive_return(actor=None, return_request=rr)
    with django_capture_on_commit_callbacks(execute=True):
        sales.refund_return(return_request=rr)
    kinds = [event for event, _words in told(customer)]
    assert kinds == ["order_paid", "order_shipped", "return_approved", "refunded"]
    assert told(customer)[-1][1] == (
        f"¥39.90 for order {order.number} is refunded to the account you paid from."
    )


def test_a_refund_is_told_only_once_the_provider_made_it(
    customer, sku, django_capture_on_commit_callbacks
):
    order = bought(customer, sku)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        sales.cancel_order(order=order, by_brand=False)
    assert "refunded" not in [event for event, _words in told(customer)]
    for callback in queued:
        callback()
    assert [event for event, _words in told(customer)][-1] == "refunded"


def test_the_applicant_hears_the_review_either_way(make_customer, staff):
    accepted, refused = make_customer(), make_customer()
    fields = application_fields(accepted)
    distribution.approve_application(
        application=distribution.apply_to_distribute(customer=accepted, **fields), reviewer=staff
    )
    other = application_fields(refused)
    distribution.reject_application(
        application=distribution.apply_to_distribute(customer=refused, **other),
        reviewer=staff,
        reason="身份证照片模糊",
    )
    assert told(accepted)[0][0] == "application_approved"
    assert fields["store_name"] in told(accepted)[0][1]
    assert told(refused) == [
        ("application_rejected", "Your distributor application was not approved: 身份证照片模糊")
    ]


def test_a_complaint_answer_is_told_to_who_complained(customer, sku, staff):
    order = bought(customer, sku)
    complaint = complaints.file_complaint(
        customer=customer, order=order, category="quality", text="枣子有虫"
    )
    sales.answer_complaint(complaint=complaint, staff=staff, text="很抱歉，马上处理")
    assert told(customer)[-1] == (
        "complaint_answered",
        f"The brand answered your complaint {complaint.number}: read it on the complaint's page.",
    )


def test_settlement_tells_each_distributor_once_what_became_available(
    make_customer, make_distributor, sku
):
    from weishang.commissions.models import CommissionPlan
    from weishang.distribution import binding
    from weishang.distribution.models import ShareSource

    CommissionPlan.objects.create(
        version=1, mode="strict", default_rate_bp=1_000, created_at=timezone.now() - timedelta(1)
    )
    seller = make_distributor()
    seller.customer.addresses.update(detail="人民路1号")  # not the buyer's: nothing held
    buyer = make_customer()
    binding.bind_customer(customer=buyer, distributor=seller, source=ShareSource.STORE_LINK)
    deliver(bought(buyer, sku))
    deliver(bought(buyer, sku, 2))
    later = timezone.now() + timedelta(days=9)
    assert commissions.settle_commissions(now=later) == 2
    assert commissions.settle_commissions(now=later) == 0
    assert told(seller.customer) == [
        (
            "commission_available",
            "¥11.97 of commission is now available to withdraw: the return windows of the "
            "orders it was earned on have closed.",
        )
    ]


def test_telling_twice_with_one_key_leaves_one_message(customer):
    for _time in range(2):
        services.notify(
            customer_id=customer.pk,
            event="withdrawal_paid",
            params={"amount_fen": 5000, "reference": "WX-1"},
            key="withdrawal_paid:1",
        )
    assert told(customer) == [
        ("withdrawal_paid", "Your withdrawal of ¥50.00 is paid (reference WX-1).")
    ]
