"""The distributor console over the API: his orders and customers masked as the console masks
them, his earnings, withdrawals under an Idempotency-Key, and his share links and QR codes."""

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image

from tests.console.test_distributor_console import _make_available, shop  # noqa: F401
from tests.helpers import pay
from weishang.commissions import ledger
from weishang.commissions.models import Withdrawal
from weishang.distribution.models import Binding, Distributor
from weishang.sales import services as sales

from .conftest import new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def dapi(shop, as_customer):  # noqa: F811
    return as_customer(shop["distributor"].customer)


def test_his_orders_show_the_buyer_masked(dapi, shop):  # noqa: F811
    page = dapi.get("/distributor/orders").json()
    assert page["next_cursor"] is None
    [row] = page["items"]
    assert row["number"] == shop["order"].number
    assert (row["name"], row["phone"]) == ("张*", "138****5678")
    assert row["total_fen"] == shop["order"].total_fen
    assert "address" not in row and "人民路" not in str(row)


def test_his_order_and_customer_pages_cost_a_fixed_number_of_queries(
    dapi,
    shop,  # noqa: F811
    make_customer,
    django_assert_max_num_queries,
):
    with django_assert_max_num_queries(8) as one:
        dapi.get("/distributor/orders")
    with django_assert_max_num_queries(8) as one_customer:
        dapi.get("/distributor/customers")
    for n in range(4):
        buyer = make_customer(f"1371234560{n}")
        Binding.objects.create(
            customer=buyer, distributor=shop["distributor"], source="qr", bound_at=timezone.now()
        )
        pay(
            sales.place_order(
                customer=buyer, items={shop["sku"].pk: 1}, address=buyer.addresses.get()
            )
        )
    with django_assert_max_num_queries(len(one)):
        assert len(dapi.get("/distributor/orders").json()["items"]) == 5
    with django_assert_max_num_queries(len(one_customer)):
        assert len(dapi.get("/distributor/customers").json()["items"]) == 5
    first = dapi.get("/distributor/customers", {"limit": 3}).json()
    rest = dapi.get("/distributor/customers", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) + len(rest["items"]) == 5 and rest["next_cursor"] is None


def test_his_customers_are_masked_to_the_city(dapi):
    [row] = dapi.get("/distributor/customers").json()["items"]
    assert (row["name"], row["phone"], row["city"]) == ("张*", "138****5678", "上海市")
    assert row["paid_orders"] == 1


def test_earnings_show_the_balances_and_the_ledger_in_his_words(dapi, shop):  # noqa: F811
    _make_available(shop)
    earnings = dapi.get("/distributor/earnings").json()
    assert earnings["balances"]["available"] == 798
    assert earnings["events"][0]["amount_fen"] == 798
    assert all(isinstance(event["event"], str) for event in earnings["events"])


def test_a_withdrawal_under_one_key_is_made_once(dapi, shop):  # noqa: F811
    _make_available(shop)
    body = {"amount_fen": 550, "payout_account_id": shop["alipay"].pk}
    key = new_key()
    first = dapi.post("/distributor/withdrawals", body, key=key)
    again = dapi.post("/distributor/withdrawals", body, key=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert Withdrawal.objects.get().amount_fen == 550
    distributor_id = shop["distributor"].pk
    assert ledger.balances_for([distributor_id])[distributor_id]["available"] == 248
    other = dapi.post("/distributor/withdrawals", {**body, "amount_fen": 100}, key=key)
    assert other.status_code == 409
    listed = dapi.get("/distributor/withdrawals").json()["items"]
    assert [(w["amount_fen"], w["status"]) for w in listed] == [(550, "requested")]


def test_a_withdrawal_over_the_balance_is_refused_and_moves_nothing(dapi, shop):  # noqa: F811
    _make_available(shop)
    refused = dapi.post(
        "/distributor/withdrawals",
        {"amount_fen": 100_000, "payout_account_id": shop["alipay"].pk},
        key=new_key(),
    )
    assert refused.status_code == 400
    assert refused.json()["message"]
    assert not Withdrawal.objects.exists()


def test_his_payout_accounts_are_masked(dapi, shop):  # noqa: F811
    [account] = dapi.get("/distributor/payout-accounts").json()
    assert account["id"] == shop["alipay"].pk
    assert "13900001111" not in account["description"]


def test_share_links_and_a_qr_code_a_scanner_reads(dapi, shop, tmp_path):  # noqa: F811
    links = dapi.get("/distributor/share").json()
    assert links["store_link"].startswith("https://weishang.test/s/")
    assert links["invite_link"].endswith(f"?invite={shop['distributor'].slug}")
    [product] = dapi.get("/distributor/share/products").json()["items"]
    assert product["key"] == shop["sku"].product.url_key
    svg = dapi.client.get(product["qr_svg"].removeprefix("http://testserver"), **dapi._headers({}))
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    png = dapi.client.get(f"/s/{shop['distributor'].slug}/p/{product['key']}/qr.png").content
    path = tmp_path / "qr.png"
    path.write_bytes(png)
    [decoded] = zxingcpp.read_barcodes(Image.open(path))
    assert decoded.text.split("?")[0] == product["link"].split("?")[0]


def test_a_customer_who_is_not_a_distributor_is_refused(api):
    refused = api.get("/distributor/orders")
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_distributor"


def test_a_frozen_distributor_reads_but_cannot_withdraw(dapi, shop):  # noqa: F811
    Distributor.objects.filter(pk=shop["distributor"].pk).update(
        status="frozen", status_reason="核查中"
    )
    assert dapi.get("/distributor/orders").status_code == 200
    refused = dapi.post(
        "/distributor/withdrawals",
        {"amount_fen": 100, "payout_account_id": shop["alipay"].pk},
        key=new_key(),
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "distributor_frozen"
    assert "核查中" in refused.json()["message"]


def test_a_blacklisted_distributor_is_closed_out(dapi, shop):  # noqa: F811
    Distributor.objects.filter(pk=shop["distributor"].pk).update(status="blacklisted")
    assert dapi.get("/distributor/orders").json()["code"] == "distributor_closed"


@pytest.mark.postgres
def test_racing_withdrawals_with_one_key_reserve_once(postgres_only, shop, as_customer):  # noqa: F811
    from tests.concurrency import run_in_parallel

    _make_available(shop)
    body = {"amount_fen": 550, "payout_account_id": shop["alipay"].pk}
    key = new_key()
    customer = shop["distributor"].customer
    answers = run_in_parallel(
        lambda _i: as_customer(customer).post("/distributor/withdrawals", body, key=key), 4
    )
    assert {answer.status_code for answer in answers} <= {201, 409}
    assert Withdrawal.objects.get().amount_fen == 550
    distributor_id = shop["distributor"].pk
    assert ledger.balances_for([distributor_id])[distributor_id]["available"] == 248


def test_he_adds_and_removes_a_payout_account(dapi, shop):  # noqa: F811
    refused = dapi.post(
        "/distributor/payout-accounts",
        {"kind": "wechat", "number": "wxid_lisi", "holder_name": "李四", "consent": False},
    )
    assert refused.status_code == 400
    added = dapi.post(
        "/distributor/payout-accounts",
        {"kind": "wechat", "number": "wxid_lisi", "holder_name": "李四", "consent": True},
    )
    assert added.status_code == 201
    assert "wxid_lisi" not in added.json()["description"]
    assert len(dapi.get("/distributor/payout-accounts").json()) == 2
    removed = dapi.client.delete(
        f"/api/v1/distributor/payout-accounts/{added.json()['id']}", **dapi._headers({})
    )
    assert removed.status_code == 204
    assert [a["id"] for a in dapi.get("/distributor/payout-accounts").json()] == [shop["alipay"].pk]


def test_he_names_his_store_and_chooses_its_featured_products(dapi, shop, make_product):  # noqa: F811
    other = make_product()
    saved = dapi.put("/distributor/store", {"store_name": "李四的枣铺", "intro": "新疆好枣"})
    assert saved.status_code == 200
    assert saved.json()["store_name"] == "李四的枣铺"
    featured = dapi.put("/distributor/store/featured", {"product_ids": [other.product.pk]})
    assert featured.json()["featured"] == [other.product.url_key]
    assert saved.json()["store_url"].endswith(f"/s/{shop['distributor'].slug}/")
    refused = dapi.put("/distributor/store", {"store_name": "   "})
    assert refused.status_code == 400
    assert dapi.get("/distributor/store").json()["store_name"] == "李四的枣铺"
