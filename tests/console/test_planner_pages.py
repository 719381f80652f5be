"""The distributor's posting planner (/d/planner/) and care list (/d/care/) as he uses them:
his posts for a day with the day's check, the warning before breaking the brand's cadence with
"post anyway", moving and deleting; today's customers masked with a message to copy and "done"."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from weishang.content import posts
from weishang.content.models import CareTask, Post, Theme
from weishang.distribution.models import Binding

from .conftest import english

pytestmark = pytest.mark.django_db
MARKUP = "<script>alert(1)</script><img src=x onerror=alert(1)>"


@pytest.fixture
def distributor(brand, make_distributor):
    return make_distributor()


@pytest.fixture
def dclient(client, distributor):
    english(client)
    client.force_login(distributor.customer.user)
    return client


def post(distributor, day, about_products=False, text="今天的枣"):
    return Post.objects.create(
        distributor=distributor,
        key=posts.new_post_key(),
        text=text,
        about_products=about_products,
        planned_on=day,
        created_at=timezone.now(),
    )


def today():
    return timezone.localdate()


def test_the_planner_shows_his_posts_and_the_days_check(
    dclient, distributor, make_distributor, django_assert_max_num_queries
):
    theme = Theme.objects.create(
        title="秋收", copy="x", status="published", created_at=timezone.now()
    )
    post(distributor, today(), about_products=True).__class__.objects.filter(
        distributor=distributor
    ).update(theme=theme)
    post(distributor, today(), text="我自己写的")
    post(make_distributor(), today(), text="别人的帖子")
    with django_assert_max_num_queries(12):
        page = dclient.get("/d/planner/").content.decode()
    assert page.count('data-testid="planned-post"') == 2
    assert "秋收" in page and "Own post" in page and "我自己写的" in page
    assert "别人的帖子" not in page
    assert "2 posts planned for the day; the brand suggests at least 5 a day." in page
    assert f"?day={today() - timedelta(days=1):%Y-%m-%d}" in page


def test_the_planners_queries_stay_flat_as_posts_grow(
    dclient, distributor, django_assert_num_queries
):
    for _n in range(2):
        post(distributor, today())
    with django_assert_num_queries(6) as few:
        dclient.get("/d/planner/")
    for _n in range(10):
        post(distributor, today())
    with django_assert_num_queries(len(few.captured_queries)):
        dclient.get("/d/planner/")


def test_adding_his_own_post(dclient, distributor):
    response = dclient.post(
        "/d/planner/", {"action": "add", "text": "早安", "day": today().isoformat()}, follow=True
    )
    assert "Your post is planned." in response.content.decode()
    assert Post.objects.get(distributor=distributor).text == "早安"


def test_the_warning_comes_before_the_ninth_post_and_post_anyway_saves_it(dclient, distributor):
    for _n in range(8):
        post(distributor, today())
    data = {"action": "add", "text": "第九条", "day": today().isoformat(), "about_products": "on"}
    response = dclient.post(f"/d/planner/?day={today():%Y-%m-%d}", data)
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="cadence-warning"' in page
    assert "9 posts planned for the day, more than the brand&#x27;s rule of at most 8" in page
    assert Post.objects.count() == 8
    confirm = re.search(r'data-testid="confirm-form">(.*?)</form>', page, re.S).group(1)
    assert 'name="confirm" value="1"' in confirm and 'value="第九条"' in confirm
    response = dclient.post("/d/planner/", {**data, "confirm": "1"}, follow=True)
    assert "Your post is planned." in response.content.decode()
    assert Post.objects.filter(text="第九条", about_products=True).count() == 1


def test_moving_and_deleting(dclient, distributor):
    moving = post(distributor, today())
    tomorrow = today() + timedelta(days=1)
    response = dclient.post(
        "/d/planner/", {"action": "move", "key": moving.key, "day": tomorrow.isoformat()}
    )
    assert response.status_code == 302 and response.url.endswith(f"?day={tomorrow:%Y-%m-%d}")
    moving.refresh_from_db()
    assert moving.planned_on == tomorrow
    dclient.post("/d/planner/", {"action": "delete", "key": moving.key})
    assert not Post.objects.exists()


def test_he_cannot_touch_another_distributors_post(dclient, make_distributor):
    theirs = post(make_distributor(), today())
    response = dclient.post("/d/planner/", {"action": "delete", "key": theirs.key}, follow=True)
    assert "That post is not in your plan." in response.content.decode()
    assert Post.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    "data,message",
    [
        ({"action": "add", "text": "", "day": "2026-12-01"}, "Write the post&#x27;s text."),
        ({"action": "add", "text": "x" * 2001, "day": "2026-12-01"}, "at most 2000 characters"),
        ({"action": "add", "text": "早安", "day": "２０２６-12-01"}, "digits 0 to 9"),
        ({"action": "add", "text": "早安", "day": "2026-13-45"}, "Post on"),
        ({"action": "move", "key": "x" * 40, "day": "2026-12-01"}, "Ensure this value"),
        ({"action": "fly"}, "Choose what to do with the post."),
    ],
)
def test_bad_input_is_a_message_and_changes_nothing(dclient, data, message):
    response = dclient.post("/d/planner/", data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Post.objects.exists()


def test_a_bad_day_in_the_address_shows_today_with_a_message(dclient):
    response = dclient.get("/d/planner/?day=2026-02-30")
    page = response.content.decode()
    assert response.status_code == 200 and "Enter a day as YYYY-MM-DD" in page
    assert f">{today():%Y-%m-%d} · today<" in page


def test_an_own_post_with_markup_is_inert_on_the_planner(dclient, distributor):
    dclient.post("/d/planner/", {"action": "add", "text": MARKUP, "day": today().isoformat()})
    page = dclient.get("/d/planner/").content.decode()
    assert Post.objects.get().text == MARKUP
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_warning_with_markup_in_the_text_is_inert(dclient, distributor):
    for _n in range(8):
        post(distributor, today())
    page = dclient.post(
        "/d/planner/", {"action": "add", "text": MARKUP, "day": today().isoformat()}
    ).content.decode()
    assert 'data-testid="cadence-warning"' in page
    assert "<script>alert" not in page and "<img src=x" not in page


# The care list -----------------------------------------------------------------------------------


@pytest.fixture
def customers(distributor, make_customer):
    def make(count, first=0):
        made = []
        for n in range(first, first + count):
            customer = make_customer(f"1391234{n:04d}")
            customer.nickname = "王小明"
            customer.save()
            Binding.objects.create(
                customer=customer,
                distributor=distributor,
                source="qr",
                bound_at=timezone.now() - timedelta(days=100),
            )
            made.append(customer)
        return made

    return make


def test_the_care_list_is_masked(dclient, customers, django_assert_max_num_queries):
    people = customers(3)
    with django_assert_max_num_queries(20):
        page = dclient.get("/d/care/").content.decode()
    assert page.count('data-testid="care-row"') == 3
    assert "王* · 139****0000" in page
    for person in people:
        assert person.mobile not in page
    assert "王小明" not in page
    assert "Not greeted for a while" in page or "not greeted for a while" in page


def test_a_customer_without_a_nickname_is_named_by_his_address_masked(dclient, customers):
    (person,) = customers(1)
    person.nickname = ""
    person.save()
    person.addresses.update(recipient="赵大宝")
    page = dclient.get("/d/care/").content.decode()
    assert "赵* · 139****0000" in page and "赵大宝" not in page


def test_the_care_page_queries_do_not_grow_with_his_customers(
    dclient, customers, django_assert_num_queries
):
    customers(2)
    with django_assert_num_queries(11):
        dclient.get("/d/care/")
    CareTask.objects.all().delete()
    customers(12, first=2)
    with django_assert_num_queries(11):
        page = dclient.get("/d/care/").content.decode()
    assert page.count('data-testid="care-row"') == 10
    with django_assert_num_queries(5):
        dclient.get("/d/care/")


def test_marking_done_strikes_the_row(dclient, customers):
    customers(1)
    dclient.get("/d/care/")
    task = CareTask.objects.get()
    response = dclient.post(f"/d/care/{task.pk}/done/", follow=True)
    page = response.content.decode()
    assert "Marked as greeted." in page and 'class="care-done"' in page
    task.refresh_from_db()
    assert task.done_at is not None


def test_marking_another_distributors_task_is_refused(dclient, make_distributor, make_customer):
    other = make_distributor()
    task = CareTask.objects.create(
        distributor=other, customer=make_customer(), day=today(), reason="no_contact"
    )
    response = dclient.post(f"/d/care/{task.pk}/done/", follow=True)
    assert "That customer is not on your care list." in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is None


def test_a_suggested_message_with_markup_is_inert(dclient, customers):
    Theme.objects.create(
        title="主题",
        copy=MARKUP,
        status="published",
        created_at=timezone.now(),
        published_at=timezone.now(),
    )
    customers(1)
    page = dclient.get("/d/care/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "console/copy.js" in page
