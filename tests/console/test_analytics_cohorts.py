"""The repurchase cohorts page: the triangle of shares, its chart and the CSV downloads with the
same figures, a month range that refuses bad input with a message, in Chinese, and a constant
number of queries however many cohorts; ECharts and the chart script are served by the app."""

import csv
import io

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.helpers import bought_on, mid_month
from weishang.analytics.fold import fold

pytestmark = pytest.mark.django_db
PATH = reverse("console:analytics_cohorts")
RANGE = "?first=2026-01&last=2026-03"


@pytest.fixture
def buy(make_product):
    sku = make_product(price_fen=1_000, stock=500)
    return lambda customer, when: bought_on(customer, sku, when)


@pytest.fixture
def cohorts(buy, make_customer):
    """January: three first orders, one of them back in February, two in March; February: one."""
    a, b, c, d = (make_customer() for _ in range(4))
    for customer in (a, b, c):
        buy(customer, mid_month(2026, 1))
    buy(a, mid_month(2026, 2))
    buy(d, mid_month(2026, 2))
    buy(a, mid_month(2026, 3))
    buy(b, mid_month(2026, 3))


def table_cells(response) -> list[list[str]]:
    """The cohort table's rows as a person reads them."""
    return [
        [row["cohort"], str(row["size"])]
        + [("—" if cell["share"] is None else f"{cell['share']}%") for cell in row["cells"]]
        for row in response.context["rows"]
    ]


def read_csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_table_shows_each_cohorts_size_and_shares(console, cohorts):
    response = console.get(PATH + RANGE)
    assert response.status_code == 200
    assert table_cells(response) == [
        ["2026-01", "3", "100.0%", "33.3%", "66.7%"],
        ["2026-02", "1", "100.0%", "0.0%"],
        ["2026-03", "0", "—"],
    ]
    page = response.content.decode()
    assert 'data-chart="chart-data-retention"' in page
    assert 'id="chart-data-retention" type="application/json"' in page
    assert "/static/vendor/echarts.min.js" in page and "/static/console/charts.js" in page
    assert "<script>" not in page  # no inline script: CSP allows scripts from the site only


def test_the_csv_downloads_have_the_tables_figures(console, cohorts):
    page = console.get(PATH + RANGE)
    table = console.get(PATH + RANGE + "&csv=table")
    assert table["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in table["Content-Disposition"]
    rows = read_csv(table)
    assert rows[0] == ["First order in", "Customers", "Month 0", "Month 1", "Month 2"]
    shown = [[cell.replace("%", "").replace("—", "") for cell in row] for row in table_cells(page)]
    assert [[cell for cell in row if cell] for row in rows[1:]] == [
        [cell for cell in row if cell] for row in shown
    ]
    chart = read_csv(console.get(PATH + RANGE + "&csv=retention"))
    assert chart == [
        ["Months since the first order", "2026-01", "2026-02"],
        ["Month 0", "100.0", "100.0"],
        ["Month 1", "33.3", "0.0"],
        ["Month 2", "66.7", ""],
    ]
    # The link on the page asks for the same range.
    assert 'href="?first=2026-01&amp;last=2026-03&amp;csv=retention"' in page.content.decode()


def test_the_page_reads_chinese(client, staff, cohorts):
    client.force_login(staff)
    page = client.get(PATH + RANGE).content.decode()
    assert "复购同期群" in page and "下载 CSV" in page and "首单月份" in page
    rows = read_csv(client.get(PATH + RANGE + "&csv=table"))
    assert rows[0][:3] == ["首单月份", "顾客", "第 0 个月"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?first=2026-13&last=2026-03", "Enter a month as year-month"),
        ("?first=march&last=", "Enter a month as year-month"),
        ("?first=2026-04&last=2026-01", "The first month must come before the last."),
        ("?first=2020-01&last=2026-01", "Choose at most 36 months."),
    ],
)
def test_a_bad_month_range_gets_a_message_and_the_last_12_months(console, query, message):
    response = console.get(PATH + query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert len(response.context["rows"]) == 12


def test_an_unknown_download_shows_the_page_with_a_message(console, cohorts):
    response = console.get(PATH + RANGE + "&csv=nonsense")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "This page has no such figures to download." in response.content.decode()


def test_customer_service_may_not_open_it(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username="cs", password="x", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="customer_service")[0])
    client.force_login(user)
    assert client.get(PATH).status_code == 403


def test_the_query_count_does_not_grow_with_the_cohorts(
    console, buy, make_customer, django_assert_num_queries
):
    url = PATH + "?first=2025-01&last=2026-03"
    buy(make_customer(), mid_month(2026, 1))
    console.get(url)
    with CaptureQueriesContext(connection) as first:
        console.get(url)
    assert len(first.captured_queries) <= 8
    for month in (1, 2, 3):
        buy(make_customer(), mid_month(2026, month))
        buy(make_customer(), mid_month(2025, month))
    fold()
    with django_assert_num_queries(len(first.captured_queries)):
        console.get(url)


def test_echarts_and_the_chart_script_are_served(settings):
    assert finders.find("vendor/echarts.min.js").endswith("echarts/dist/echarts.min.js")
    assert finders.find("vendor/echarts.js") is None  # only the minified build is served
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = False
    client = Client()
    for path in ("/static/vendor/echarts.min.js", "/static/console/charts.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "javascript" in response["Content-Type"], path
        body = b"".join(response.streaming_content)
        assert b"echarts" in body, path
