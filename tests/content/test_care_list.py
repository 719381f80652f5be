"""The care list's services: his active bound customers' facts from orders, greetings and
birthdays, chosen once a day and stored, with a suggested message from a theme fitting the
customer; marking done is his own and idempotent; the queries do not grow with his customers."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from tests.helpers import pay
from weishang.community.models import Segment
from weishang.content import care
from weishang.content.errors import ContentError
from weishang.content.models import (
    CareTask,
    ContentSettings,
    RepurchaseInterval,
    Theme,
    ThemeProduct,
)
from weishang.distribution.models import Binding
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=TZ)
TODAY = NOW.date()
BOUND = NOW - timedelta(days=400)


@pytest.fixture
def shop(brand, make_distributor):
    return make_distributor()


@pytest.fixture
def bind(shop, make_customer):
    def bind(mobile=None, *, distributor=None, **fields):
        customer = make_customer(mobile)
        for name, value in fields.items():
            setattr(customer, name, value)
        customer.save()
        Binding.objects.create(
            customer=customer, distributor=distributor or shop, source="qr", bound_at=BOUND
        )
        return customer

    return bind


def bought(customer, sku, *, days_ago):
    order = pay(
        sales.place_order(customer=customer, items={sku.pk: 1}, address=customer.addresses.get())
    )
    order.paid_at = NOW - timedelta(days=days_ago)
    order.save(update_fields=["paid_at"])
    return order


def theme(title, copy, *, products=(), segment=None, days_ago=1):
    made = Theme.objects.create(
        title=title,
        copy=copy,
        status=Theme.Status.PUBLISHED,
        segment=segment,
        created_at=NOW - timedelta(days=days_ago),
        published_at=NOW - timedelta(days=days_ago),
    )
    for product in products:
        ThemeProduct.objects.create(theme=made, product=product)
    return made


def todays(shop, today=TODAY, now=NOW):
    return care.todays_care_list(shop, today=today, now=now)


def test_a_due_repurchase_comes_first_with_its_product_and_a_theme_linking_it(
    shop, bind, make_product
):
    sku = make_product(name="若羌灰枣")
    RepurchaseInterval.objects.create(product=sku.product, days=30)
    linked = theme("灰枣上新", "今年的灰枣又甜又糯。", products=[sku.product], days_ago=5)
    theme("最新主题", "别的内容", days_ago=1)
    regular = bind("13900000001")
    bought(regular, sku, days_ago=28)
    quiet = bind("13900000002")
    tasks = todays(shop)
    assert [(task.customer_id, task.reason) for task in tasks] == [
        (regular.pk, CareTask.Reason.REPURCHASE),
        (quiet.pk, CareTask.Reason.NO_CONTACT),
    ]
    assert tasks[0].product == sku.product and tasks[0].theme == linked
    assert tasks[0].message == "Hello! Is your 若羌灰枣 running low? 今年的灰枣又甜又糯。"
    assert tasks[1].message.startswith("Hello! It has been a while")


def test_a_cancelled_or_unpaid_order_is_no_purchase(shop, bind, make_product):
    sku = make_product()
    RepurchaseInterval.objects.create(product=sku.product, days=30)
    customer = bind()
    sales.place_order(customer=customer, items={sku.pk: 1}, address=customer.addresses.get())
    [task] = todays(shop)
    assert task.reason == CareTask.Reason.NO_CONTACT


def test_a_birthday_this_week(shop, bind):
    customer = bind(birthday=date(1990, 12, 5))
    [task] = todays(shop)
    assert (task.customer_id, task.reason) == (customer.pk, CareTask.Reason.BIRTHDAY)


def test_only_his_active_bound_customers(shop, bind, make_distributor):
    mine = bind()
    bind(distributor=make_distributor())
    closed = bind()
    closed.user.is_active = False
    closed.user.save()
    expired = bind()
    Binding.objects.filter(customer=expired).update(expires_at=NOW - timedelta(days=1))
    assert [task.customer_id for task in todays(shop)] == [mine.pk]


def test_the_list_is_stored_once_a_day_and_kept(shop, bind):
    first = bind()
    assert [task.customer_id for task in todays(shop)] == [first.pk]
    bind()
    assert [task.customer_id for task in todays(shop)] == [first.pk]
    assert CareTask.objects.count() == 1


def test_the_brands_size_and_gap(shop, bind):
    ContentSettings.objects.create(pk=1, care_list_size=2, care_contact_gap_days=10)
    people = [bind() for _n in range(4)]
    for person in people[:2]:
        CareTask.objects.create(
            distributor=shop,
            customer=person,
            day=TODAY - timedelta(days=5),
            reason=CareTask.Reason.NO_CONTACT,
            done_at=NOW - timedelta(days=5),
        )
    assert [task.customer_id for task in todays(shop)] == [people[2].pk, people[3].pk]


def test_a_greeted_customer_returns_after_the_gap(shop, bind):
    customer = bind()
    [task] = todays(shop, TODAY - timedelta(days=30), NOW - timedelta(days=30))
    care.mark_done(distributor=shop, task_id=task.pk, now=NOW - timedelta(days=30))
    assert todays(shop, TODAY - timedelta(days=1), NOW - timedelta(days=1)) == []
    assert [task.customer_id for task in todays(shop)] == [customer.pk]


def test_the_theme_fits_the_customers_segment(shop, bind):
    shanghai = Segment.objects.create(name="上海", city="上海市", created_at=NOW, updated_at=NOW)
    beijing = Segment.objects.create(name="北京", city="北京市", created_at=NOW, updated_at=NOW)
    theme("北京专享", "北京的活动", segment=beijing, days_ago=1)
    for_shanghai = theme("上海专享", "上海的活动", segment=shanghai, days_ago=2)
    bind()
    [task] = todays(shop)
    assert task.theme == for_shanghai


def test_a_long_copy_is_cut_to_300_characters(shop, bind):
    theme("长文", "枣" * 1000)
    bind()
    [task] = todays(shop)
    assert len(task.message) == 300 and task.message.endswith("…")


def test_an_expired_or_draft_theme_is_not_suggested(shop, bind):
    old = theme("过期", "过期的")
    old.valid_until = NOW - timedelta(days=1)
    old.valid_from = NOW - timedelta(days=10)
    old.save()
    Theme.objects.create(title="草稿", copy="草稿", created_at=NOW)
    bind()
    [task] = todays(shop)
    assert task.theme is None and task.message == "Hello! It has been a while, how are you doing?"


def test_mark_done_is_his_own_and_idempotent(shop, bind, make_distributor):
    bind()
    [task] = todays(shop)
    with pytest.raises(ContentError, match="not on your care list"):
        care.mark_done(distributor=make_distributor(), task_id=task.pk, now=NOW)
    care.mark_done(distributor=shop, task_id=task.pk, now=NOW)
    care.mark_done(distributor=shop, task_id=task.pk, now=NOW + timedelta(hours=1))
    task.refresh_from_db()
    assert task.done_at == NOW


def _customers(count, bind, make_product):
    sku = make_product()
    RepurchaseInterval.objects.create(product=sku.product, days=30)
    theme("主题", "内容", products=[sku.product])
    for n in range(count):
        customer = bind(birthday=date(1990, 12, 4) if n % 2 else None)
        if n % 3 == 0:
            bought(customer, sku, days_ago=29)


@pytest.mark.parametrize("customers", [3, 15])
def test_the_queries_do_not_grow_with_his_customers(
    customers, shop, bind, make_product, django_assert_num_queries
):
    _customers(customers, bind, make_product)
    with django_assert_num_queries(9):
        tasks = todays(shop)
    assert len(tasks) == min(customers, 10)
    with django_assert_num_queries(1):
        todays(shop)


def test_the_message_in_chinese_joins_without_a_space():
    from django.utils import translation

    with translation.override("zh-hans"):
        message = care.message_for("no_contact", theme=Theme(copy="冬天来一把\n若羌灰枣。"))
    assert message == "您好！好久没联系了，最近还好吗？冬天来一把 若羌灰枣。"
