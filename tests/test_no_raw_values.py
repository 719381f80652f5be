"""No page shows a stored code: the pages that show statuses are rendered, in Chinese and in
English, with objects in every state, and their visible text holds no enum value (such as
``partially_refunded`` or ``succeeded``) that is not also that value's own English label."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.utils import timezone

from weishang.compliance import audit
from weishang.compliance.models import Complaint, ComplaintCategory, ComplaintStatus
from weishang.distribution.models import Application, Distributor
from weishang.orders.models import Order, OrderStatus, ReturnRequest, ReturnStatus
from weishang.payments.models import Payment, Refund
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db

ENUMS = (
    OrderStatus,
    ReturnStatus,
    Payment.Status,
    Refund.Status,
    ComplaintStatus,
    ComplaintCategory,
    Distributor.Status,
    Application.Status,
)


class _Text(HTMLParser):
    """The text a visitor reads: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in {"script", "style"}

    def handle_endtag(self, tag):
        self._hidden -= tag in {"script", "style"}

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def _word(value: str) -> str:
    return rf"(?<![\w.]){re.escape(value)}(?![\w.])"


def raw_values_in(text: str, language: str) -> set[str]:
    """Enum values found as words in the text. In English, a value that is also a word of some
    label ("shipped", "quality" of "product quality") may be that word, so only the others
    count (``partially_refunded``, ``succeeded``); in Chinese every value counts."""
    members = [member for enum in ENUMS for member in enum]
    labels = " ".join(str(member.label) for member in members)
    return {
        member.value
        for member in members
        if re.search(_word(member.value), text)
        and not (language == "en" and re.search(_word(member.value), labels))
    }


@pytest.fixture
def every_state(brand, customer, sku, make_distributor):
    """One order in each status, each with a payment, a refund and a return in one of theirs;
    a complaint in each status; a distributor record and applications in every status."""
    now = timezone.now()
    orders = []
    for n, status in enumerate(OrderStatus.values):
        order = sales.place_order(
            customer=customer, items={sku.pk: 1}, address=customer.addresses.get()
        )
        Order.objects.filter(pk=order.pk).update(status=status)
        payment_status = Payment.Status.values[n % len(Payment.Status.values)]
        payment = Payment.objects.create(
            number=f"PAY{n:04d}",
            order=order,
            provider="sandbox",
            amount_fen=order.total_fen,
            status=payment_status,
            created_at=now,
            paid_at=now if payment_status == Payment.Status.SUCCEEDED else None,
        )
        Refund.objects.create(
            number=f"RF{n:04d}",
            payment=payment,
            amount_fen=100,
            status=Refund.Status.values[n % len(Refund.Status.values)],
            idempotency_key=f"refund-{n}",
            created_at=now,
        )
        ReturnRequest.objects.create(
            number=f"RT{n:04d}",
            order=order,
            status=ReturnStatus.values[n % len(ReturnStatus.values)],
            refund_fen=100,
            requested_at=now,
        )
        orders.append(order)
    complaints = []
    for n, status in enumerate(ComplaintStatus.values):
        complaints.append(
            Complaint.objects.create(
                number=f"TS{n:04d}",
                order=orders[n],
                customer=customer,
                category=ComplaintCategory.values[n % len(ComplaintCategory.values)],
                text="枣子发霉了",
                status=status,
                outcome="已处理" if status not in Complaint.OPEN else "",
                filed_at=now,
                due_at=now,
            )
        )
    make_distributor(customer, status=Distributor.Status.FROZEN)
    for n, status in enumerate(Application.Status.values):
        Application.objects.create(
            customer=customer,
            status=status,
            real_name="李四",
            id_number="11010519491231002X",
            id_number_masked="110***********002X",
            mobile=customer.mobile,
            business_kind="small_trade",
            store_name=f"小店 {n}",
            submitted_at=now,
            reject_reason="资料不全" if status == Application.Status.REJECTED else "",
        )
    audit.record(
        actor=None,
        action="withdrawal.paid",
        object_type="commissions.withdrawal",
        object_id=1,
        before={"status": "approved"},
        after={"status": "paid", "amount_fen": 1500},
    )
    return orders, complaints


def pages(orders, complaints):
    store = ["/account/privacy/export/", "/orders/", "/complaints/"]
    store += [f"/orders/{order.number}/" for order in orders]
    store += [f"/complaints/{complaint.number}/" for complaint in complaints]
    console = ["/console/orders/", "/console/returns/", "/console/complaints/", "/console/audit/"]
    console += [f"/console/orders/{order.number}/" for order in orders]
    console += [f"/console/complaints/{complaint.number}/" for complaint in complaints]
    return store, console


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_with_statuses_show_no_raw_value(client, customer, staff, every_state, language):
    store, console = pages(*every_state)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    shown = {}
    for user, urls in ((customer.user, store), (staff, console)):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = visible_text(response.content.decode())
            if found := raw_values_in(text, language[:2]):
                shown[url] = sorted(found)
            for code in ("amount_fen", "withdrawal.paid", "order.ship"):
                assert code not in text, (url, code)
    assert shown == {}
