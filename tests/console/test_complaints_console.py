"""Console: the complaints queue (overdue first), answering and closing; the customer blacklist."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from weishang.compliance import blacklist
from weishang.compliance import complaints as services
from weishang.compliance.models import AuditEntry, BlacklistEntry, Complaint, ComplaintStatus
from weishang.orders.errors import OrderError

from .conftest import messages_of

pytestmark = pytest.mark.django_db


def file(order, *, filed_at=None, text="枣子发霉了"):
    return services.file_complaint(
        customer=order.customer, order=order, category="quality", text=text, now=filed_at
    )


def test_the_queue_puts_overdue_first_and_flags_them(console, place, staff):
    now = timezone.now()
    fresh = file(place(), filed_at=now - timedelta(hours=1))  # due in 47 h
    late = file(place(), filed_at=now - timedelta(hours=50))  # due 2 h ago
    later = file(place(), filed_at=now - timedelta(hours=60))  # due 12 h ago
    answered = file(place(), filed_at=now - timedelta(hours=70))  # late, but answered
    services.answer_complaint(complaint=answered, staff=staff, text="在查")
    html = console.get(reverse("console:complaint_list")).content.decode()
    order = [html.index(f'id="complaint-{c.number}"') for c in (later, late, answered, fresh)]
    assert order == sorted(order)
    assert html.count('class="overdue"') == 2
    assert html.count(">overdue<") == 2


def test_the_queue_filters_by_status(console, place, staff):
    open_one = file(place())
    closed = file(place())
    services.answer_complaint(complaint=closed, staff=staff, text="在查")
    services.resolve_complaint(complaint=closed, staff=staff, outcome="已退款")
    html = console.get(reverse("console:complaint_list")).content.decode()
    assert open_one.number in html and closed.number not in html
    html = console.get(reverse("console:complaint_list") + "?status=resolved").content.decode()
    assert open_one.number not in html and closed.number in html
    html = console.get(reverse("console:complaint_list") + "?status=all").content.decode()
    assert open_one.number in html and closed.number in html


def test_queue_query_count_does_not_grow(
    console, place, make_customer, sku, django_assert_max_num_queries
):
    file(place())
    with django_assert_max_num_queries(6):
        console.get(reverse("console:complaint_list"))
    for _ in range(5):
        file(place(who=make_customer()))
    with django_assert_max_num_queries(6):
        response = console.get(reverse("console:complaint_list") + "?status=all")
    assert response.content.decode().count('data-testid="complaint-row"') == 6


def test_staff_answer_and_resolve_through_the_pages(console, place, staff):
    complaint = file(place())
    detail = reverse("console:complaint_detail", args=[complaint.number])
    html = console.get(detail).content.decode()
    assert "枣子发霉了" in html and "Send answer" in html and "Resolve" not in html

    response = console.post(
        reverse("console:complaint_resolve", args=[complaint.number]),
        {"text": "已退款"},
        follow=True,
    )
    assert messages_of(response) == ["Answer the customer before closing the complaint."]

    response = console.post(
        reverse("console:complaint_answer", args=[complaint.number]),
        {"text": "请拍照给我们"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == detail
    assert "请拍照给我们" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.IN_PROGRESS

    response = console.post(
        reverse("console:complaint_resolve", args=[complaint.number]), {"text": ""}, follow=True
    )
    assert messages_of(response) == ["Write the outcome for the customer."]
    response = console.post(
        reverse("console:complaint_resolve", args=[complaint.number]),
        {"text": "已全额退款"},
        follow=True,
    )
    assert f"Complaint {complaint.number} is resolved." in messages_of(response)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome) == (ComplaintStatus.RESOLVED, "已全额退款")
    actions = list(
        AuditEntry.objects.filter(
            object_type="compliance.complaint", object_id=complaint.pk
        ).values_list("action", "actor")
    )
    assert sorted(actions) == [("complaint.answer", staff.pk), ("complaint.resolve", staff.pk)]


def test_staff_reject_with_an_outcome(console, place, staff):
    complaint = file(place())
    services.answer_complaint(complaint=complaint, staff=staff, text="在查")
    console.post(reverse("console:complaint_reject", args=[complaint.number]), {"text": "完好"})
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome) == (ComplaintStatus.REJECTED, "完好")


def test_an_unknown_complaint_is_not_found(console):
    assert console.get(reverse("console:complaint_detail", args=["C000"])).status_code == 404
    assert console.post(reverse("console:complaint_answer", args=["C000"])).status_code == 404


def test_blacklist_a_customer_by_mobile_and_lift_it(console, customer, place, staff, sku):
    url = reverse("console:blacklist")
    response = console.post(
        reverse("console:blacklist_add"),
        {"mobile": customer.mobile, "reason": "恶意刷单"},
        follow=True,
    )
    assert messages_of(response) == [
        f"Customer {customer.mobile} is blacklisted and can no longer place orders."
    ]
    html = response.content.decode()
    assert customer.mobile in html and "恶意刷单" in html and "operator" in html
    with pytest.raises(OrderError):
        place()

    response = console.post(
        reverse("console:blacklist_lift"), {"mobile": customer.mobile, "reason": ""}, follow=True
    )
    assert messages_of(response) == ["Give a reason for lifting the blacklisting."]
    console.post(reverse("console:blacklist_lift"), {"mobile": customer.mobile, "reason": "误判"})
    entry = BlacklistEntry.objects.get()
    assert (entry.lifted_by, entry.lift_reason) == (staff, "误判")
    html = console.get(url + "?show=lifted").content.decode()
    assert "误判" in html and "恶意刷单" in html
    assert customer.mobile not in console.get(url).content.decode()
    assert place().customer == customer


def test_an_unknown_mobile_or_missing_reason_changes_nothing(console, customer):
    response = console.post(
        reverse("console:blacklist_add"), {"mobile": "13900000000", "reason": "x"}, follow=True
    )
    assert messages_of(response) == ["No customer has the mobile number 13900000000."]
    response = console.post(
        reverse("console:blacklist_add"), {"mobile": customer.mobile, "reason": " "}, follow=True
    )
    assert messages_of(response) == ["Give a reason for blacklisting."]
    assert not BlacklistEntry.objects.exists() and not AuditEntry.objects.exists()


def test_blacklist_query_count_does_not_grow(
    console, make_customer, staff, django_assert_max_num_queries
):
    blacklist.blacklist_customer(customer=make_customer(), actor=staff, reason="r")
    with django_assert_max_num_queries(7):
        console.get(reverse("console:blacklist"))
    for _ in range(5):
        blacklist.blacklist_customer(customer=make_customer(), actor=staff, reason="r")
    with django_assert_max_num_queries(7):
        response = console.get(reverse("console:blacklist"))
    assert response.content.decode().count('data-testid="blacklist-row"') == 6


def test_only_staff_reach_the_pages(client, brand, customer, place):
    complaint = file(place())
    client.force_login(customer.user)
    login = reverse("console:login")
    for url in (
        reverse("console:complaint_list"),
        reverse("console:complaint_detail", args=[complaint.number]),
        reverse("console:blacklist"),
    ):
        assert client.get(url)["Location"].startswith(login)
    for url in (
        reverse("console:complaint_answer", args=[complaint.number]),
        reverse("console:complaint_resolve", args=[complaint.number]),
        reverse("console:blacklist_add"),
        reverse("console:blacklist_lift"),
    ):
        response = client.post(url, {"text": "x", "mobile": customer.mobile, "reason": "x"})
        assert response["Location"].startswith(login)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED
    assert (
        not BlacklistEntry.objects.exists()
        and not Complaint.objects.exclude(pk=complaint.pk).exists()
    )


def test_an_over_long_answer_or_blacklist_reason_is_a_message(console, customer, place):
    complaint = file(place())
    response = console.post(
        reverse("console:complaint_answer", args=[complaint.number]),
        {"text": "答" * 2001},
        follow=True,
    )
    assert "at most 2000 characters" in " ".join(messages_of(response))
    assert not complaint.messages.exists()
    response = console.post(
        reverse("console:blacklist_add"),
        {"mobile": customer.mobile, "reason": "坏" * 301},
        follow=True,
    )
    assert "at most 300 characters" in " ".join(messages_of(response))
    assert not BlacklistEntry.objects.exists()
