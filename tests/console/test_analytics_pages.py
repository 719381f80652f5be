"""The owner's home, the GMV factors and the funnel pages: the period's figures beside the
previous period's, the work waiting and the commission owed by role, CSV downloads with the
chart's very numbers, and bad input answered with a message."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.helpers import pay
from weishang.analytics.fold import fold
from weishang.analytics.models import AnalyticsSettings
from weishang.compliance.models import AuditEntry
from weishang.sales import services as sales

from .conftest import english

pytestmark = pytest.mark.django_db
HOME = "/console/"
FACTORS = "/console/analytics/factors/"
FUNNEL = "/console/analytics/funnel/"


@pytest.fixture
def sold(customer, make_product):
    sku = make_product(price_fen=2_500, stock=20)
    return pay(
        sales.place_order(customer=customer, items={sku.pk: 2}, address=customer.addresses.get())
    )


def signed_in(client, role):
    user = get_user_model().objects.create_user(username=f"s-{role}", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    english(client).force_login(user)
    return client


def test_the_home_shows_todays_sales_beside_yesterdays_in_chinese(client, staff, brand, sold):
    client.force_login(staff)
    page = client.get(HOME).content.decode()
    assert "概览" in page and "上一周期" in page
    assert 'data-kpi="gmv"' in page and "¥50.00" in page
    assert "已付款未发货" in page and "待办事项" in page


def test_the_trend_downloads_as_csv_with_the_same_numbers(console, sold):
    response = console.get(HOME + "?period=7d&csv=trend")
    body = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv") and body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["Day", "GMV", "Orders"]
    assert len(rows) == 1 + 7
    assert rows[-1] == [timezone.localdate().isoformat(), "50.0", "1"]
    chart = console.get(HOME + "?period=7d").context["chart"]
    assert chart.rows()[1:] == [[r[0], float(r[1]), int(r[2])] for r in rows[1:]]


def test_bad_period_input_is_answered_with_a_message_and_the_default(console, sold):
    for query in (
        "?period=forever",
        "?period=custom&first=2026-05-01&last=2026-04-01",
        "?period=custom&first=2025-01-01&last=2026-06-01",
        "?period=custom&first=x",
    ):
        response = console.get(HOME + query)
        assert response.status_code == 200
        assert response.context["form"].errors
        assert response.context["period"].days == 1  # today, the home's default


def test_work_waiting_and_commission_owed_show_only_what_the_role_may_open(client, brand, sold):
    owner = signed_in(client, "owner").get(HOME)
    assert [item["key"] for item in owner.context["work"]][:3] == [
        "unshipped",
        "awaiting_payment",
        "shipped",
    ]
    assert owner.context["work"][0]["count"] == 1
    assert [item["key"] for item in owner.context["owed"]] == [
        "pending",
        "held",
        "available",
        "withdrawing",
    ]
    assert owner.context["can_analyse"]
    service = signed_in(client, "customer_service").get(HOME)
    assert not service.context["can_analyse"]
    assert FACTORS not in service.content.decode()
    assert client.get(FACTORS).status_code == 403


def test_the_factors_page_multiplies_back_to_gmv_for_the_brand_and_a_distributor(
    console, sold, make_distributor
):
    page = console.get(FACTORS + "?period=today")
    assert page.context["now"].product_fen() == page.context["now"].gmv_fen == 50_00
    assert "1 reached × 1/1 × 1/1 × ¥50.00/1 = ¥50.00" in page.content.decode()
    seller = make_distributor()
    theirs = console.get(FACTORS + f"?period=today&store={seller.slug}")
    assert theirs.context["whose"] == seller.store_name
    assert theirs.context["now"].gmv_fen == 0
    unknown = console.get(FACTORS + "?store=nobody-here")
    assert unknown.status_code == 200 and unknown.context["slicer"].errors


def test_the_home_and_factors_read_a_fixed_number_of_queries(
    console, sold, django_assert_max_num_queries
):
    fold()
    with django_assert_max_num_queries(30):
        console.get(HOME)
    with django_assert_max_num_queries(25):
        console.get(FACTORS)


def test_the_owner_sets_the_big_b_threshold_audited_and_bad_values_change_nothing(console):
    response = console.post(FUNNEL + "threshold/", {"threshold": "8000"}, follow=True)
    assert AnalyticsSettings.current().big_b_threshold_fen == 8_000_00
    assert AuditEntry.objects.filter(action="analytics.big_b_threshold").count() == 1
    assert "¥8,000.00" in response.content.decode()
    for bad in ("0", "-5", "八千", ""):
        console.post(FUNNEL + "threshold/", {"threshold": bad})
        assert AnalyticsSettings.current().big_b_threshold_fen == 8_000_00


def test_the_funnel_defines_each_step_and_downloads_its_figures(console, sold):
    page = console.get(FUNNEL + "?period=30d")
    assert [step["key"] for step in page.context["steps"]] == [
        "visitors",
        "small_c",
        "big_c",
        "small_b",
        "big_b",
    ]
    body = console.get(FUNNEL + "?period=30d&csv=funnel").content.decode()
    assert body.startswith("\ufeffStep,This period,Previous period")
