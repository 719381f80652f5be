"""Brand console for distribution: distributors with KPIs, their detail and status, reassigning a
customer, the application, withdrawal and held-commission queues, programme settings; every act
that changes money, bindings or status is in the audit log."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import deliver, pay
from weishang.commissions import ledger
from weishang.commissions.models import Commission, CommissionPlan, Withdrawal
from weishang.commissions.services import request_withdrawal, settle_commissions
from weishang.compliance.models import AuditEntry
from weishang.distribution.models import (
    Application,
    Binding,
    BindingEvent,
    Distributor,
    ProgrammeSettings,
)
from weishang.distribution.selectors import programme
from weishang.sales import services as sales

from .conftest import messages_of


@pytest.fixture
def plan(db):
    ProgrammeSettings.objects.create(withdrawal_min_fen=100)
    return CommissionPlan.objects.create(version=1, default_rate_bp=1000, created_at=timezone.now())


@pytest.fixture
def seller(make_distributor, plan):
    distributor = make_distributor(store_name="小李枣铺")
    distributor.customer.addresses.update(detail="人民路1号", recipient="李四")
    return distributor


def sell(distributor, buyer, sku, quantity=1):
    Binding.objects.update_or_create(
        customer=buyer,
        defaults={"distributor": distributor, "source": "qr", "bound_at": timezone.now()},
    )
    order = sales.place_order(
        customer=buyer, items={sku.pk: quantity}, address=buyer.addresses.get()
    )
    return pay(order)


def actions() -> list[str]:
    """The staff acts logged; the set-up's system acts (stock counts, shipping) have no actor."""
    staff_acts = AuditEntry.objects.filter(actor__isnull=False).order_by("pk")
    return list(staff_acts.values_list("action", flat=True))


def test_distributor_list_kpis_sorted_by_sales_in_bounded_queries(
    console, seller, make_distributor, make_customer, sku, django_assert_max_num_queries
):
    big = make_distributor(store_name="大卖家")
    big.customer.addresses.update(detail="人民路2号")
    sell(seller, make_customer(), sku)
    for _ in range(3):
        sell(big, make_customer(), sku, quantity=2)
    for _ in range(5):
        make_distributor()
    with django_assert_max_num_queries(8):
        response = console.get("/console/distributors/")
    rows = list(response.context["page"])
    assert [d.store_name for d in rows[:2]] == ["大卖家", "小李枣铺"]
    assert (rows[0].kpi_orders, rows[0].kpi_sales_fen, rows[0].kpi_customers) == (3, 23940, 3)
    assert rows[0].kpi_commission_fen == 2394
    page = response.content.decode()
    assert "¥239.40" in page and "¥23.94" in page
    by_orders = console.get("/console/distributors/?sort=customers").context["page"]
    assert by_orders[0].store_name == "大卖家"
    found = console.get("/console/distributors/?q=小李").context["page"]
    assert [d.store_name for d in found] == ["小李枣铺"]
    found = console.get(f"/console/distributors/?q={seller.customer.mobile}").context["page"]
    assert [d.pk for d in found] == [seller.pk]


def test_only_the_reviewing_roles_see_the_full_id_number(console, seller, staff):
    from django.contrib.auth.models import Group

    page = console.get(f"/console/distributors/{seller.pk}/").content.decode()
    assert "11010519491231002X" in page  # the owner reviews applications
    for role, sees in [("operator", True), ("finance", False), ("auditor", False)]:
        staff.groups.set([Group.objects.get_or_create(name=role)[0]])
        page = console.get(f"/console/distributors/{seller.pk}/").content.decode()
        assert ("11010519491231002X" in page) is sees, role
        assert "110***********002X" in page or sees


def test_detail_counts_bound_customers(console, seller, make_customer, sku):
    sell(seller, make_customer(), sku)
    Binding.objects.create(
        customer=make_customer(), distributor=seller, source="qr", bound_at=timezone.now()
    )
    response = console.get(f"/console/distributors/{seller.pk}/")
    assert response.context["bound_customers"] == 2
    assert response.context["complaints"] == 0
    assert console.get("/console/distributors/999999/").status_code == 404


def test_freeze_needs_a_reason_then_unfreeze_and_blacklist_are_audited(console, seller):
    url = f"/console/distributors/{seller.pk}/"
    response = console.post(url + "freeze/", {"reason": " "}, follow=True)
    assert "Give a reason" in " ".join(messages_of(response))
    seller.refresh_from_db()
    assert seller.status == "active"
    console.post(url + "freeze/", {"reason": "刷单嫌疑"})
    seller.refresh_from_db()
    assert (seller.status, seller.status_reason) == ("frozen", "刷单嫌疑")
    console.post(url + "unfreeze/", {"reason": "查清了"})
    console.post(url + "blacklist/", {"reason": "传销宣传"})
    seller.refresh_from_db()
    assert seller.status == "blacklisted"
    assert actions() == ["distributor.freeze", "distributor.unfreeze", "distributor.blacklist"]
    assert console.post(url + "explode/", {"reason": "x"}).status_code == 404


def test_reassign_a_customer_by_mobile_with_a_reason(
    console, seller, make_distributor, make_customer, sku
):
    other = make_distributor(slug="other-store")
    buyer = make_customer("13912340000")
    order = sell(seller, buyer, sku)
    url = f"/console/distributors/{seller.pk}/reassign-customer/"
    response = console.post(url, {"mobile": "13912340000", "to": "other-store"}, follow=True)
    assert "Say why" in " ".join(messages_of(response))
    assert Binding.objects.get(customer=buyer).distributor_id == seller.pk
    response = console.post(
        url, {"mobile": "139 1234 0000", "to": "other-store", "reason": "客户要求"}, follow=True
    )
    assert Binding.objects.get(customer=buyer).distributor_id == other.pk
    event = BindingEvent.objects.filter(customer=buyer).last()
    assert (event.source, event.reason, event.previous_distributor_id) == (
        "brand",
        "客户要求",
        seller.pk,
    )
    entry = AuditEntry.objects.get(action="binding.reassign")
    assert entry.before == {"distributor": seller.pk} and entry.reason == "客户要求"
    # commission already earned stays with the distributor the order was attributed to
    assert set(Commission.objects.filter(order=order).values_list("distributor", flat=True)) == {
        seller.pk
    }
    response = console.post(url, {"mobile": "13000000000", "reason": "x"}, follow=True)
    assert "No customer has this mobile number." in messages_of(response)


def test_application_queue_approve_and_reject(
    console, make_customer, django_assert_max_num_queries
):
    from weishang.distribution.services import apply_to_distribute

    applications = []
    for n in range(3):
        customer = make_customer()
        applications.append(
            apply_to_distribute(
                customer=customer,
                real_name="张三",
                id_number="11010519491231002X",
                mobile=customer.mobile,
                business_kind="small_trade",
                store_name=f"店{n}",
            )
        )
    with django_assert_max_num_queries(8):
        response = console.get("/console/applications/")
    page = response.content.decode()
    assert page.count('data-testid="application-row"') == 3
    assert "11010519491231002X" in page  # the owner reviews the real-name data
    first, second, _third = applications
    console.post(f"/console/applications/{first.pk}/approve/")
    response = console.post(
        f"/console/applications/{second.pk}/reject/", {"reason": ""}, follow=True
    )
    assert Application.objects.get(pk=second.pk).status == "pending"
    console.post(f"/console/applications/{second.pk}/reject/", {"reason": "资料不符"})
    assert Distributor.objects.filter(customer=first.customer).exists()
    assert Application.objects.get(pk=second.pk).reject_reason == "资料不符"
    assert actions() == ["distributor.approve", "distributor.reject"]


def _available(seller, make_customer, sku, count=1):
    for _ in range(count):
        deliver(sell(seller, make_customer(), sku))
    settle_commissions(now=timezone.now() + timedelta(days=9))


def test_withdrawal_queue_approve_pay_and_reject(
    console,
    seller,
    make_customer,
    sku,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    _available(seller, make_customer, sku, count=3)  # 3 × ¥3.99
    first = request_withdrawal(distributor=seller, amount_fen=500, request_key="a")
    second = request_withdrawal(distributor=seller, amount_fen=300, request_key="b")
    with django_assert_max_num_queries(8):
        response = console.get("/console/withdrawals/")
    assert response.content.decode().count('data-testid="withdrawal-row"') == 2
    console.post(f"/console/withdrawals/{first.pk}/approve/")
    response = console.post(
        f"/console/withdrawals/{first.pk}/pay/", {"payout_reference": ""}, follow=True
    )
    assert "reference" in " ".join(messages_of(response))
    with django_capture_on_commit_callbacks(execute=True):
        console.post(f"/console/withdrawals/{first.pk}/pay/", {"payout_reference": "WX20250101"})
    first.refresh_from_db()
    assert (first.status, first.payout_reference) == ("paid", "WX20250101")
    console.post(f"/console/withdrawals/{second.pk}/reject/", {"reason": "银行卡信息有误"})
    second.refresh_from_db()
    assert (second.status, second.reason) == ("rejected", "银行卡信息有误")
    balances = ledger.balances_for([seller.pk])[seller.pk]
    assert (balances["available"], balances["withdrawing"]) == (1197 - 500, 0)
    assert actions() == ["withdrawal.approve", "withdrawal.paid", "withdrawal.reject"]
    assert Withdrawal.objects.filter(status="paid").count() == 1


def test_held_commission_release_and_reject_with_the_hold_reason(
    console, seller, make_customer, make_product, django_assert_max_num_queries
):
    ProgrammeSettings.objects.update(review_order_amount_fen=5000)
    dear = make_product(price_fen=6000)
    sell(seller, make_customer(), dear)
    sell(seller, make_customer(), dear)
    held = list(Commission.objects.filter(status="held").order_by("pk"))
    assert len(held) == 2
    with django_assert_max_num_queries(8):
        response = console.get("/console/commissions/held/")
    page = response.content.decode()
    assert page.count('data-testid="held-row"') == 2 and held[0].hold_reason in page
    console.post(f"/console/commissions/held/{held[0].pk}/release/", {"reason": "熟客"})
    response = console.post(
        f"/console/commissions/held/{held[1].pk}/reject/", {"reason": ""}, follow=True
    )
    assert "Say why" in " ".join(messages_of(response))
    console.post(f"/console/commissions/held/{held[1].pk}/reject/", {"reason": "自买自卖"})
    assert [c.status for c in Commission.objects.order_by("pk")] == ["pending", "rejected"]
    assert actions() == ["commission.release", "commission.reject"]
    assert ledger.balances_for([seller.pk])[seller.pk]["pending"] == 600


def test_programme_settings_saved_in_yuan_and_audited(console, plan):
    response = console.get("/console/programme/")
    assert response.context["values"]["withdrawal_min_fen"] == "1.00"
    form = {
        "binding_rule": "lock",
        "binding_window_days": "15",
        "self_purchase_earns": "on",
        "withdrawal_min_fen": "20",
        "withdrawal_daily_limit_fen": "5000.50",
        "review_order_amount_fen": "800",
        "review_refund_rate_pc": "25.5",
    }
    response = console.post("/console/programme/", form)
    assert response.status_code == 302
    settings = programme()
    assert (
        settings.binding_rule,
        settings.binding_window_days,
        settings.self_purchase_earns,
        settings.withdrawal_min_fen,
        settings.withdrawal_daily_limit_fen,
        settings.review_order_amount_fen,
        settings.review_refund_rate_bp,
    ) == ("lock", 15, True, 2000, 500050, 80000, 2550)
    entry = AuditEntry.objects.get(action="programme.update")
    assert entry.before["withdrawal_min_fen"] == 100 and entry.after["withdrawal_min_fen"] == 2000
    for field, value, message in (
        ("withdrawal_min_fen", "1.234", "at most two decimals"),
        ("binding_window_days", "0", "1 to 365 days"),
        ("binding_rule", "forever", "Choose one of the binding rules"),
        ("withdrawal_min_fen", "99999", "cannot be above the daily"),
    ):
        response = console.post("/console/programme/", {**form, field: value})
        assert response.status_code == 200
        assert message in " ".join(messages_of(response)), field
    assert AuditEntry.objects.filter(action="programme.update").count() == 1


def test_order_detail_names_the_attributed_distributor(console, seller, make_customer, sku):
    order = sell(seller, make_customer(), sku)
    page = console.get(f"/console/orders/{order.number}/").content.decode()
    assert f'href="/console/distributors/{seller.pk}/"' in page and "小李枣铺" in page


@pytest.mark.parametrize(
    "url",
    [
        "/console/distributors/",
        "/console/applications/",
        "/console/withdrawals/",
        "/console/commissions/held/",
        "/console/programme/",
    ],
)
def test_brand_pages_are_for_staff_only(client, customer, url):
    assert client.get(url).status_code == 302
    client.force_login(customer.user)
    response = client.get(url)
    assert response.status_code == 302 and "/console/login/" in response["Location"]


def test_over_long_reasons_and_a_malformed_mobile_are_messages_and_change_nothing(
    console, seller, make_customer, sku
):
    url = f"/console/distributors/{seller.pk}/"
    response = console.post(url + "freeze/", {"reason": "嫌" * 301}, follow=True)
    assert "at most 300 characters" in " ".join(messages_of(response))
    seller.refresh_from_db()
    assert (seller.status, seller.status_reason) == ("active", "")
    buyer = make_customer("13912340000")
    sell(seller, buyer, sku)
    response = console.post(
        url + "reassign-customer/",
        {"mobile": "１３９１２３４００００", "reason": "客户要求"},
        follow=True,
    )
    assert "11-digit mainland mobile number" in " ".join(messages_of(response))
    _available(seller, make_customer, sku, count=2)
    withdrawal = request_withdrawal(distributor=seller, amount_fen=500, request_key="a")
    response = console.post(
        f"/console/withdrawals/{withdrawal.pk}/reject/", {"reason": "不" * 301}, follow=True
    )
    assert "at most 300 characters" in " ".join(messages_of(response))
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.reason) == ("requested", "")
    console.post(f"/console/withdrawals/{withdrawal.pk}/approve/")
    response = console.post(
        f"/console/withdrawals/{withdrawal.pk}/pay/", {"payout_reference": "W" * 65}, follow=True
    )
    assert "at most 64 characters" in " ".join(messages_of(response))
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.payout_reference) == ("approved", "")


def test_an_over_long_release_note_is_a_message_not_a_cut(
    console, seller, make_customer, make_product
):
    ProgrammeSettings.objects.update(review_order_amount_fen=5000)
    sell(seller, make_customer(), make_product(price_fen=6000))
    held = Commission.objects.get(status="held")
    response = console.post(
        f"/console/commissions/held/{held.pk}/release/", {"reason": "熟" * 301}, follow=True
    )
    assert "at most 300 characters" in " ".join(messages_of(response))
    held.refresh_from_db()
    assert (held.status, held.review_note) == ("held", "")
