"""The brand's content pages for the posting cadence and the care list: who broke the rule in
the last 7 or 30 days (sortable, one query for the list), the settings (percent typed, basis
points kept, audited, validated) and the products' repurchase intervals (audited)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from weishang.compliance.models import AuditEntry
from weishang.content.models import ContentSettings, Post, RepurchaseInterval
from weishang.content.posts import new_post_key

from .conftest import messages_of

pytestmark = pytest.mark.django_db


def posts(distributor, day, count, about_products=0):
    for n in range(count):
        Post.objects.create(
            distributor=distributor,
            key=new_post_key(),
            text="枣",
            about_products=n < about_products,
            planned_on=day,
            created_at=timezone.now(),
        )


def test_the_cadence_page_lists_who_broke_the_rule(console, make_distributor):
    today = timezone.localdate()
    heavy = make_distributor(store_name="刷屏小店")
    salesy = make_distributor(store_name="推销小店")
    polite = make_distributor(store_name="文明小店")
    posts(heavy, today - timedelta(days=2), 12)
    posts(salesy, today, 4, about_products=3)
    posts(salesy, today - timedelta(days=1), 4, about_products=3)
    posts(polite, today, 6, about_products=3)
    posts(polite, today - timedelta(days=20), 10)
    page = console.get("/console/content/cadence/").content.decode()
    assert page.count('data-testid="breaker"') == 2
    assert page.index("刷屏小店") < page.index("推销小店") and "文明小店" not in page
    page = console.get("/console/content/cadence/?sort=days_over_share").content.decode()
    assert page.index("推销小店") < page.index("刷屏小店")
    page = console.get("/console/content/cadence/?days=30&sort=nonsense").content.decode()
    assert "文明小店" in page


@pytest.mark.parametrize("breakers", [1, 8])
def test_the_cadence_page_reads_in_a_fixed_number_of_queries(
    breakers, console, make_distributor, django_assert_num_queries
):
    for _n in range(breakers):
        posts(make_distributor(), timezone.localdate(), 9)
    with django_assert_num_queries(6):
        page = console.get("/console/content/cadence/").content.decode()
    assert page.count('data-testid="breaker"') == breakers


def settings_data(**fields):
    return {
        "posts_min_per_day": "4",
        "posts_max_per_day": "6",
        "product_posts_max_bp": "40",
        "care_list_size": "12",
        "care_contact_gap_days": "21",
    } | fields


def test_saving_the_settings_converts_the_percentage_and_audits(console, staff):
    response = console.post("/console/content/settings/", settings_data(), follow=True)
    assert "The posting and care list settings are saved." in messages_of(response)
    saved = ContentSettings.current()
    assert (saved.posts_min_per_day, saved.posts_max_per_day, saved.product_posts_max_bp) == (
        4,
        6,
        4000,
    )
    assert (saved.care_list_size, saved.care_contact_gap_days) == (12, 21)
    entry = AuditEntry.objects.get(action="content.settings")
    assert entry.actor == staff and entry.after["product_posts_max_bp"] == 4000
    page = console.get("/console/content/settings/").content.decode()
    assert 'value="40"' in page


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"posts_min_per_day": "9"}, "cannot be more than the most posts a day"),
        ({"product_posts_max_bp": "120"}, "from 0 to 100"),
        ({"product_posts_max_bp": "abc"}, "Enter a percentage"),
        ({"care_list_size": "0"}, "greater than or equal to 1"),
        ({"care_list_size": "５"}, "Enter a whole number"),
        ({"care_contact_gap_days": "400"}, "less than or equal to 365"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(console, fields, message):
    response = console.post("/console/content/settings/", settings_data(**fields), follow=True)
    assert response.status_code == 200
    assert any(message in text for text in messages_of(response)), messages_of(response)
    assert not ContentSettings.objects.exists()
    assert not AuditEntry.objects.filter(action="content.settings").exists()


def test_repurchase_intervals_are_set_changed_and_removed_with_audit(
    console, make_product, django_assert_max_num_queries
):
    dates, tea = make_product(name="若羌灰枣").product, make_product(name="枣茶").product
    with django_assert_max_num_queries(8):
        page = console.get("/console/content/repurchase-intervals/").content.decode()
    assert page.count('data-testid="interval-row"') == 2
    response = console.post(
        "/console/content/repurchase-intervals/",
        {f"days_{dates.pk}": "30", f"days_{tea.pk}": ""},
        follow=True,
    )
    assert "Repurchase intervals saved (1 changed)." in messages_of(response)
    assert RepurchaseInterval.objects.get(product=dates).days == 30
    console.post(
        "/console/content/repurchase-intervals/",
        {f"days_{dates.pk}": "", f"days_{tea.pk}": "60"},
    )
    assert dict(RepurchaseInterval.objects.values_list("product__name", "days")) == {"枣茶": 60}
    entries = AuditEntry.objects.filter(action="repurchase_interval.set").order_by("pk")
    assert [entry.after for entry in entries] == [
        {"若羌灰枣": 30},
        {"枣茶": 60, "若羌灰枣": None},
    ]


def test_a_bad_interval_is_refused_and_nothing_changes(console, make_product):
    product = make_product(name="若羌灰枣").product
    response = console.post(
        "/console/content/repurchase-intervals/", {f"days_{product.pk}": "1000"}, follow=True
    )
    assert any("若羌灰枣" in text and "1 to 730" in text for text in messages_of(response))
    assert 'value="1000"' in response.content.decode()
    assert not RepurchaseInterval.objects.exists()
    assert not AuditEntry.objects.filter(action="repurchase_interval.set").exists()


def test_the_content_menu_names_the_pages(console):
    page = console.get("/console/content/settings/").content.decode()
    for label in ("Posting cadence", "Posting and care list settings", "Repurchase intervals"):
        assert label in page


def test_the_audit_log_words_the_content_acts(console, make_product):
    product = make_product(name="若羌灰枣").product
    console.post("/console/content/settings/", settings_data())
    console.post("/console/content/repurchase-intervals/", {f"days_{product.pk}": "45"})
    page = console.get("/console/audit/").content.decode()
    assert "Posting and care list settings changed" in page
    assert "Repurchase intervals set" in page and "若羌灰枣" in page
