"""The customer's inbox: what the brand told him, newest first, unread marked and counted on his
account page; opening a message marks it read and leads to its order; another's message is not
his to open."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.helpers import bought, deliver
from weishang.notifications.models import Message

pytestmark = pytest.mark.django_db
INBOX = reverse("storefront:inbox")


def test_the_inbox_lists_what_he_was_told_newest_first(shopper, customer, sku):
    order = deliver(bought(customer, sku))
    page = shopper.get(INBOX)
    titles = [m["title"] for m in page.context["shown"]]
    assert titles == ["Order shipped", "Payment received"]
    body = page.content.decode()
    assert order.tracking_no in body and "2 unread messages" in body
    account = shopper.get(reverse("storefront:account")).content.decode()
    assert 'data-testid="unread-count">2<' in account


def test_it_reads_in_chinese(client, brand, customer, sku):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(customer.user)
    deliver(bought(customer, sku))
    body = client.get(INBOX).content.decode()
    assert "订单已发货" in body and "顺丰速运" in body and "我的消息" in body


def test_opening_a_message_marks_it_read_and_leads_to_the_order(shopper, customer, sku):
    order = bought(customer, sku)
    message = Message.objects.get(customer=customer)
    response = shopper.get(reverse("storefront:open_message", args=[message.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("storefront:order_detail", args=[order.number])
    message.refresh_from_db()
    assert message.read_at is not None
    assert (
        "unread"
        not in shopper.get(INBOX)
        .content.decode()
        .split("<main")[-1]
        .split('data-testid="message"')[0]
    )


def test_another_customers_message_is_not_opened(shopper, make_customer, sku):
    other = make_customer()
    bought(other, sku)
    theirs = Message.objects.get(customer=other)
    response = shopper.get(reverse("storefront:open_message", args=[theirs.pk]), follow=True)
    assert "That message is not in your inbox." in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_as_read(shopper, customer, sku):
    deliver(bought(customer, sku))
    response = shopper.post(INBOX, follow=True)
    assert "All your messages are marked as read." in response.content.decode()
    assert not Message.objects.filter(customer=customer, read_at=None).exists()
    assert "unread-count" not in shopper.get(reverse("storefront:account")).content.decode()


def test_the_inbox_reads_in_a_fixed_number_of_queries(
    shopper, customer, sku, django_assert_max_num_queries
):
    bought(customer, sku)
    with django_assert_max_num_queries(12) as first:
        shopper.get(INBOX)
    for _n in range(5):
        deliver(bought(customer, sku))
    with django_assert_max_num_queries(len(first.captured_queries)):
        shopper.get(INBOX)


def test_strangers_are_sent_to_sign_in(client, brand):
    response = client.get(INBOX)
    assert response.status_code == 302 and reverse("storefront:login") in response["Location"]


def test_an_empty_inbox_says_what_will_arrive(shopper):
    assert "No messages yet" in shopper.get(INBOX).content.decode()
