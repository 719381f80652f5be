"""A distributor can never see another's data (issue 3, item 9).

Walks EVERY route of the distributor URLconf: as distributor A, with each path parameter filled
with distributor B's object (his order number, his ids, his products' slugs), A gets 404/403 or
his own data, never B's; no page of A's carries B's order numbers or masked customers. Customers
who are not distributors, staff and anonymous visitors get nothing on any /d/ route."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.content.library_fixtures import MP3
from tests.content.themes import make_theme
from tests.helpers import pay
from weishang.commissions.models import CommissionPlan, Withdrawal
from weishang.content import care, courses, posts
from weishang.content.models import ThemeMedia
from weishang.distribution import sharing
from weishang.distribution.models import Binding, ProgrammeSettings
from weishang.distribution.tokens import read_token
from weishang.sales import services as sales

from .conftest import english

URLCONF = "weishang.console.distributor_urls"


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        else:
            assert isinstance(entry, URLPattern)
            yield prefix + str(entry.pattern), entry


ROUTES = list(_patterns(get_resolver(URLCONF)))


def _fill(route: str, values: dict) -> str:
    """The route's path with each ``<converter:name>`` filled from ``values``; a parameter this
    test does not know fails loudly, so a new route cannot slip past the isolation walk."""
    path = route
    for match in re.finditer(r"<(?:(\w+):)?(\w+)>", route):
        name = match.group(2)
        assert name in values, f"teach the isolation test what B's {name!r} is ({route})"
        path = path.replace(match.group(0), str(values[name]))
    return "/d/" + path


@pytest.fixture
def world(db, brand, make_customer, make_distributor, make_product, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    now = timezone.now()
    ProgrammeSettings.objects.create(withdrawal_min_fen=1)
    CommissionPlan.objects.create(version=1, default_rate_bp=1000, created_at=now)
    result = {}
    for who, name, mobile in (("a", "张三", "13812345678"), ("b", "王五", "13700009999")):
        distributor = make_distributor()
        distributor.customer.addresses.update(detail=f"人民路{distributor.pk}号", recipient="店主")
        buyer = make_customer(mobile)
        buyer.addresses.update(recipient=name)
        Binding.objects.create(customer=buyer, distributor=distributor, source="qr", bound_at=now)
        sku = make_product(name=f"{who} 的枣")
        order = pay(
            sales.place_order(customer=buyer, items={sku.pk: 1}, address=buyer.addresses.get())
        )
        assert order.distributor_id == distributor.pk
        withdrawal = Withdrawal.objects.create(
            distributor=distributor, request_key=f"key-{who}", amount_fen=123, requested_at=now
        )
        result[who] = {
            "distributor": distributor,
            "order": order,
            "product": sku.product,
            "withdrawal": withdrawal,
            "masked": f"{name[0]}*",
            "phone": f"{mobile[:3]}****{mobile[-4:]}",
        }
    # The brand's courses are shared; what B did in them is his.
    course = courses.create_course(actor=None, title="新人上手", now=now)
    lesson = courses.add_lesson(actor=None, course=course, title="加好友", body="<p>先问候</p>")
    courses.publish_course(actor=None, course=course)
    courses.complete_lesson(distributor=result["b"]["distributor"], lesson=lesson, now=now)
    result["course"], result["lesson"] = course, lesson
    # The brand's themes and their voice are shared; B's post and care list are his.
    theme = make_theme(products=[result["b"]["product"]])
    voice = ThemeMedia(theme=theme, kind="voice", content_type="audio/mpeg", size=len(MP3))
    voice.uploaded_at = now
    voice.file.save("voice.mp3", ContentFile(MP3))
    b = result["b"]["distributor"]
    result["theme"], result["voice"] = theme, voice
    result["post"] = posts.make_post(
        distributor=b, theme_id=theme.pk, planned_on=timezone.localdate(), now=now
    )
    result["care_task"] = care.todays_care_list(b, today=timezone.localdate(), now=now)[0]
    return result


def _b_values(world) -> dict:
    b = world["b"]
    return {
        "order_number": b["order"].number,
        "distributor_id": b["distributor"].pk,
        "pk": b["distributor"].pk,
        "id": b["distributor"].pk,
        "slug": b["distributor"].slug,
        "withdrawal_id": b["withdrawal"].pk,
        "customer_id": b["order"].customer_id,
        "product_slug": b["product"].slug,  # the brand's catalogue: shared, not B's
        # A statement names no distributor: it is always the signed-in one's own month.
        "year": timezone.localdate().year,
        "month": timezone.localdate().month,
        "extension": "csv",
        "course_id": world["course"].pk,
        "lesson_id": world["lesson"].pk,
        "theme_id": world["theme"].pk,  # the brand's: shared
        "media_id": world["voice"].pk,  # the brand's: shared
        "key": world["post"].key,
        "number": 1,  # his post's first picture
        "task_id": world["care_task"].pk,
    }


def _assert_nothing_of_b(page: str, world, route: str) -> None:
    b = world["b"]
    for secret in (
        b["order"].number,
        b["masked"],
        b["phone"],
        b["distributor"].store_name,
        f"/s/{b['distributor'].slug}/",
        f"invite={b['distributor'].slug}",
    ):
        assert secret not in page, f"{route} shows B's {secret!r}"


def test_the_walk_covers_every_route():
    names = {entry.name for _route, entry in ROUTES}
    assert {"home", "orders", "customers", "earnings", "withdrawals", "share", "store"} <= names


@pytest.mark.parametrize(("route", "entry"), ROUTES, ids=[entry.name for _r, entry in ROUTES])
def test_a_never_sees_b(client, world, route, entry, monkeypatch):
    english(client)
    client.force_login(world["a"]["distributor"].customer.user)
    encoded = []
    real_svg = sharing.qr_svg

    def spy(url, **kwargs):
        encoded.append(url)
        return real_svg(url, **kwargs)

    monkeypatch.setattr(sharing, "qr_svg", spy)
    response = client.get(_fill(route, _b_values(world)))
    # 405: a route that only takes a POST (making, deleting, marking done) shows nothing to a GET.
    assert response.status_code in (200, 403, 404, 405), route
    if response.status_code != 200 or response["Content-Type"].startswith(("audio/", "video/")):
        return  # the brand's voice and video are shared material, the same for every distributor
    if response["Content-Type"].startswith(("text/html", "text/csv")):
        page = response.content.decode("utf-8-sig")
        _assert_nothing_of_b(page, world, route)
        a = world["a"]
        if entry.name == "orders":
            assert a["order"].number in page and a["masked"] in page  # the walk sees real pages
        if entry.name == "statement_file":
            assert a["distributor"].store_name in page  # his own statement
    else:
        # Share material made from a route parameter carries A's own token, never B's.
        assert encoded, route
        for url in encoded:
            token = read_token(parse_qs(urlsplit(url).query)["ref"][0])
            assert token.distributor_id == world["a"]["distributor"].pk


@pytest.mark.parametrize(("route", "entry"), ROUTES, ids=[entry.name for _r, entry in ROUTES])
def test_posting_as_a_never_changes_b(client, world, route, entry):
    english(client)
    client.force_login(world["a"]["distributor"].customer.user)
    b = world["b"]["distributor"]
    before = (b.store_name, b.intro, list(b.featured.values_list("pk", flat=True)))
    response = client.post(
        _fill(route, _b_values(world)),
        {
            "action": "store",
            "store_name": "被改了",
            "intro": "x",
            "distributor": b.pk,
            "amount": "1",
            "request_key": "key-b",
        },
    )
    assert response.status_code in (302, 200, 403, 404, 405)
    b.refresh_from_db()
    assert (b.store_name, b.intro, list(b.featured.values_list("pk", flat=True))) == before
    assert list(Withdrawal.objects.filter(distributor=b).values_list("amount_fen", flat=True)) == [
        123
    ]


@pytest.mark.parametrize(("route", "entry"), ROUTES, ids=[entry.name for _r, entry in ROUTES])
def test_anonymous_visitors_are_sent_to_sign_in(client, world, route, entry):
    response = client.get(_fill(route, _b_values(world)))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize(("route", "entry"), ROUTES, ids=[entry.name for _r, entry in ROUTES])
def test_customers_who_are_not_distributors_and_staff_are_refused(
    client, world, route, entry, make_customer, staff
):
    english(client)
    url = _fill(route, _b_values(world))
    for user in (make_customer().user, staff, world["b"]["order"].customer.user):
        client.force_login(user)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 403, (route, user)
            _assert_nothing_of_b(response.content.decode(), world, route)
