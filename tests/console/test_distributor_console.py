"""The distributor console (/d/): his own figures, masked orders and customers, earnings,
withdrawals, share material and store — through the real order, payment and settlement services."""

import re
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from tests.helpers import deliver, pay
from weishang.commissions import ledger
from weishang.commissions.models import CommissionPlan, Withdrawal
from weishang.commissions.payout_accounts import add_payout_account
from weishang.commissions.services import settle_commissions
from weishang.distribution.models import Binding, ProgrammeSettings, ShareVisit

from .conftest import english


@pytest.fixture
def shop(db, brand, make_customer, make_distributor, sku):
    """A distributor with one bound customer (张三, Shanghai) who bought and paid 2 × ¥39.90."""
    now = timezone.now()
    ProgrammeSettings.objects.create(withdrawal_min_fen=100)
    CommissionPlan.objects.create(version=1, default_rate_bp=1000, created_at=now)
    distributor = make_distributor()
    distributor.customer.addresses.update(detail="人民路1号", recipient="李四")
    buyer = make_customer("13812345678")
    Binding.objects.create(customer=buyer, distributor=distributor, source="qr", bound_at=now)
    from weishang.sales import services as sales

    order = pay(sales.place_order(customer=buyer, items={sku.pk: 2}, address=buyer.addresses.get()))
    ShareVisit.objects.create(distributor=distributor, source="qr", created_at=now)
    alipay = add_payout_account(
        distributor=distributor,
        kind="alipay",
        number="13900001111",
        holder_name="李四",
        consent=True,
    )
    return {
        "distributor": distributor,
        "buyer": buyer,
        "order": order,
        "sku": sku,
        "alipay": alipay,
    }


@pytest.fixture
def dclient(client, shop):
    english(client)
    client.force_login(shop["distributor"].customer.user)
    return client


def test_dashboard_shows_visits_orders_and_commission(dclient, shop, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = dclient.get("/d/")
    assert response.status_code == 200
    assert response.context["activity"] == {
        "visits_today": 1,
        "visits_month": 1,
        "orders_today": 1,
        "orders_month": 1,
    }
    money = response.context["money"]
    assert money["pending"] == 798  # 10 % of 2 × ¥39.90
    assert money["pending_today_fen"] == 798
    assert "¥7.98" in response.content.decode()


def test_orders_are_masked_and_never_show_the_address(dclient, shop, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = dclient.get("/d/orders/")
    page = response.content.decode()
    assert shop["order"].number in page
    assert "张*" in page and "138****5678" in page
    assert "张三" not in page and "13812345678" not in page
    assert "世纪大道" not in page and "浦东" not in page
    assert "若羌灰枣" in page and "¥79.80" in page


def test_order_list_query_count_does_not_grow(dclient, shop, django_assert_max_num_queries):
    from weishang.sales import services as sales

    buyer = shop["buyer"]
    for _ in range(5):
        sales.place_order(customer=buyer, items={shop["sku"].pk: 1}, address=buyer.addresses.get())
    with django_assert_max_num_queries(10):
        response = dclient.get("/d/orders/")
    assert len(response.context["rows"]) == 6


def test_customers_masked_with_city_and_order_count(
    dclient, shop, make_customer, django_assert_max_num_queries
):
    Binding.objects.create(
        customer=make_customer("13900001111"),
        distributor=shop["distributor"],
        source="poster",
        bound_at=timezone.now() - timedelta(days=1),
    )
    with django_assert_max_num_queries(10):
        response = dclient.get("/d/customers/")
    rows = response.context["rows"]
    assert [(r["name"], r["phone"], r["city"], r["paid_orders"]) for r in rows] == [
        ("张*", "138****5678", "上海市", 1),
        ("张*", "139****1111", "上海市", 0),
    ]
    page = response.content.decode()
    assert "世纪大道" not in page and "13812345678" not in page


def test_earnings_list_one_row_per_event_and_balances(dclient, shop, django_assert_max_num_queries):
    deliver(shop["order"])
    settle_commissions(now=timezone.now() + timedelta(days=9))
    with django_assert_max_num_queries(10):
        response = dclient.get("/d/earnings/")
    page = response.content.decode()
    assert response.context["balances"]["available"] == 798
    assert [(e.kind, e.sign, e.amount_fen) for e in response.context["page"]] == [
        ("settle", "", 798),
        ("earn", "+", 798),
    ]
    assert page.count(shop["order"].number) == 2
    assert "+¥7.98" in page and "Settled" in page and "available to withdraw" in page


def _make_available(shop):
    deliver(shop["order"])
    settle_commissions(now=timezone.now() + timedelta(days=9))


def _key(response) -> str:
    return re.search(r'name="request_key" value="([0-9a-f]+)"', response.content.decode())[1]


def test_withdrawal_double_submit_makes_one(dclient, shop, django_assert_max_num_queries):
    _make_available(shop)
    with django_assert_max_num_queries(12):
        form = dclient.get("/d/withdrawals/")
    key = _key(form)
    for _ in range(2):
        response = dclient.post(
            "/d/withdrawals/",
            {"amount": "5.5", "request_key": key, "payout_account": shop["alipay"].pk},
        )
        assert response.status_code == 302
    withdrawal = Withdrawal.objects.get()
    assert withdrawal.amount_fen == 550
    assert ledger.balances_for([shop["distributor"].pk])[shop["distributor"].pk]["available"] == 248
    page = dclient.get("/d/withdrawals/").content.decode()
    assert "¥5.50" in page and _key(form) != _key(dclient.get("/d/withdrawals/"))


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1.234", "at most two decimals"),
        ("0", "greater than zero"),
        ("-5", "greater than zero"),
        ("abc", "Enter an amount in yuan"),
        ("NaN", "Enter an amount in yuan"),
        ("100", "at most ¥7.98"),
    ],
)
def test_bad_withdrawal_amounts_are_refused(dclient, shop, amount, message):
    _make_available(shop)
    response = dclient.post(
        "/d/withdrawals/",
        {"amount": amount, "request_key": uuid.uuid4().hex, "payout_account": shop["alipay"].pk},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Withdrawal.objects.exists()


@pytest.mark.parametrize("key", ["k1", "", "x" * 64, "０" * 32, "A" * 32, "a" * 65])
def test_a_malformed_withdrawal_request_key_is_refused(dclient, shop, key):
    _make_available(shop)
    response = dclient.post("/d/withdrawals/", {"amount": "5", "request_key": key})
    assert response.status_code == 200
    assert "missing its key" in response.content.decode()
    assert not Withdrawal.objects.exists()


def test_an_over_long_store_name_is_a_message_and_changes_nothing(dclient, shop):
    response = dclient.post(
        "/d/store/", {"action": "store", "store_name": "店" * 41, "intro": "新的介绍"}
    )
    assert response.status_code == 200
    assert "at most 40 characters" in response.content.decode()
    shop["distributor"].refresh_from_db()
    assert shop["distributor"].intro != "新的介绍"


def test_share_page_has_links_qr_poster_and_invite(dclient, shop, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = dclient.get("/d/share/")
    page = response.content.decode()
    slug = shop["distributor"].slug
    assert f"{settings.SITE_URL}/s/{slug}/?ref=" in page
    assert f"/s/{slug}/qr.png" in page and f"/s/{slug}/qr.svg" in page
    assert f"/s/{slug}/poster.png" in page
    product = shop["sku"].product
    assert f"{settings.SITE_URL}/p/{product.slug}/?ref=" in page
    assert f"/s/{slug}/p/{product.slug}/poster.png" in page
    assert f"{settings.SITE_URL}/distributor/apply/?invite={slug}" in page
    svg = dclient.get(f"/d/share/p/{product.slug}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert dclient.get("/d/share/p/no-such-product/qr.svg").status_code == 404


def test_store_edit_and_featured_products(
    dclient, shop, make_product, django_assert_max_num_queries
):
    other = make_product(name="和田大枣").product
    with django_assert_max_num_queries(12):
        assert dclient.get("/d/store/").status_code == 200
    response = dclient.post(
        "/d/store/", {"action": "store", "store_name": "小张的枣铺", "intro": "新疆好枣"}
    )
    assert response.status_code == 302
    distributor = shop["distributor"]
    distributor.refresh_from_db()
    assert (distributor.store_name, distributor.intro) == ("小张的枣铺", "新疆好枣")
    first = shop["sku"].product
    dclient.post(
        "/d/store/",
        {
            "action": "featured",
            "featured": [first.pk, other.pk],
            f"position_{first.pk}": "2",
            f"position_{other.pk}": "1",
        },
    )
    assert list(distributor.featured.values_list("product_id", flat=True)) == [other.pk, first.pk]
    response = dclient.post("/d/store/", {"action": "store", "store_name": ""})
    assert "1 to 40 characters" in response.content.decode()


def test_frozen_distributor_reads_with_reason_but_cannot_write(dclient, shop):
    from weishang.distribution.models import Distributor

    Distributor.objects.filter(pk=shop["distributor"].pk).update(
        status="frozen", status_reason="刷单嫌疑"
    )
    response = dclient.get("/d/orders/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "刷单嫌疑" in page and shop["order"].number in page
    assert 'data-testid="withdraw-form"' not in dclient.get("/d/withdrawals/").content.decode()
    response = dclient.post("/d/store/", {"action": "store", "store_name": "新名字"}, follow=True)
    assert "frozen" in response.content.decode()
    shop["distributor"].refresh_from_db()
    assert shop["distributor"].store_name != "新名字"
    dclient.post("/d/withdrawals/", {"amount": "1", "request_key": "k"})
    assert not Withdrawal.objects.exists()


def test_blacklisted_distributor_sees_only_a_closed_notice(dclient, shop):
    from weishang.distribution.models import Distributor

    Distributor.objects.filter(pk=shop["distributor"].pk).update(
        status="blacklisted", status_reason="传销宣传"
    )
    response = dclient.get("/d/orders/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "传销宣传" in page and shop["order"].number not in page


def test_featured_products_are_named_by_ids_in_ascii_digits(dclient, shop):
    """int() reads "١" as 1: an Arabic-Indic id would feature a product nobody ticked."""
    product = shop["sku"].product
    arabic = "".join(chr(0x0660 + int(d)) for d in str(product.pk))
    response = dclient.post("/d/store/", {"action": "featured", "featured": [arabic]}, follow=True)
    assert "Choose products from the list." in response.content.decode()
    assert not shop["distributor"].featured.exists()


def test_earnings_show_his_level_and_what_he_still_needs_to_sell(
    dclient, shop, django_assert_max_num_queries
):
    from weishang.money import format_fen
    from weishang.orders.models import Order

    assert 'data-testid="level"' not in dclient.get("/d/earnings/").content.decode()
    CommissionPlan.objects.filter(version=1).update(
        sales_levels=[
            {"name": "银牌", "threshold_fen": 5000, "extra_rate_bp": 100},
            {"name": "金牌", "threshold_fen": 100_000, "extra_rate_bp": 300},
        ]
    )
    order = shop["order"]
    Order.objects.filter(pk=order.pk).update(status="completed", completed_at=timezone.now())
    own = order.total_fen - order.freight_fen
    with django_assert_max_num_queries(12):
        response = dclient.get("/d/earnings/")
    page = response.content.decode()
    progress = response.context["level"]
    assert progress.own_sales_fen == own and progress.level.name == "银牌"
    assert f"{format_fen(100_000 - own)} more completed sales to reach 金牌" in page
    assert "<progress" in page and "Level 银牌" in page and "1 %" in page


def test_an_order_of_a_campaign_excluded_from_commission_says_why(dclient, shop, staff):
    from datetime import timedelta

    from weishang.campaigns import services as campaigns
    from weishang.sales import services as sales

    now = timezone.now()
    campaign = campaigns.publish_campaign(
        actor=staff,
        campaign=campaigns.save_campaign(
            actor=staff,
            kind="presale",
            name="清仓预售",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=2),
            per_customer_limit=2,
            stock_units=10,
            target_units=5,
            exclude_from_commission=True,
            items=[campaigns.ItemInput(sku_id=shop["sku"].pk, price_fen=1000)],
        ),
    )
    buyer = shop["buyer"]
    order = sales.place_order(
        customer=buyer,
        items={shop["sku"].pk: 1},
        address=buyer.addresses.get(),
        campaign_id=campaign.pk,
    )
    page = dclient.get("/d/orders/").content.decode()
    assert order.number in page
    assert "No commission: bought in the campaign “清仓预售”" in page
    assert page.count('data-testid="no-commission-campaign"') == 1
