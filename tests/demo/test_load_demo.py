from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from weishang.catalog.models import Brand, PricePeriod, Product, ProductImage, ReturnClass, Sku
from weishang.customers.models import Customer
from weishang.customers.services import log_in_with_password
from weishang.inventory.models import Stock
from weishang.orders.models import Order, OrderStatus
from weishang.payments.models import Payment


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def load():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_loads_once_with_a_complete_catalogue(media, settings):
    first = load()
    second = load()

    assert "Loaded the demo brand" in first
    assert "not loaded again" in second
    for text in (first, second):
        assert f"{settings.SITE_URL}/console/" in text and "weishang-demo" in text
        assert f"{settings.SITE_URL}/d/" in text
        assert "13800138000" in text
    assert Brand.objects.count() == 1
    published = Product.objects.filter(status=Product.Status.PUBLISHED)
    assert published.count() >= 12
    assert Product.objects.count() == published.count()
    assert set(published.values_list("return_class", flat=True)) == set(ReturnClass.values)
    assert all(p.exclusion_reason for p in published.filter(return_class=ReturnClass.EXCLUDABLE))
    brand = Brand.objects.get()
    assert (
        not published.filter(is_food=True).exclude(food_licence_no=brand.food_licence_no).exists()
    )
    assert Sku.objects.count() == Stock.objects.count()
    assert not Stock.objects.filter(on_hand__lte=0).exists()


@pytest.mark.django_db
def test_a_price_period_is_running_and_another_is_coming(media):
    load()
    now = timezone.now()
    assert PricePeriod.objects.filter(starts_at__lte=now, ends_at__gt=now).exists()
    assert PricePeriod.objects.filter(starts_at__gt=now).exists()


@pytest.mark.django_db
def test_every_product_has_a_picture_that_opens(media):
    load()
    assert not Product.objects.filter(images__isnull=True).exists()
    for image in ProductImage.objects.all():
        path = media / image.image.name
        assert path.is_file()
        with Image.open(path) as picture:
            picture.verify()
        assert image.image.url.startswith("/media/products/")


@pytest.mark.django_db
def test_logins_and_the_customers_orders(media):
    load()
    users = get_user_model().objects
    operator = users.get(username="operator")
    assert (
        operator.is_staff and not operator.is_superuser and operator.check_password("weishang-demo")
    )
    assert users.get(username="admin").is_superuser
    roles = {u.username: u.groups.get().name for u in users.filter(is_staff=True)}
    assert roles == {
        "admin": "owner",
        "operator": "operator",
        "finance": "finance",
        "service": "customer_service",
        "auditor": "auditor",
    }

    customer = log_in_with_password(mobile="13800138000", password="weishang-demo")
    assert Customer.objects.count() == 2  # the shopper and the distributor
    assert customer.addresses.filter(is_default=True).count() == 1
    statuses = set(Order.objects.filter(customer=customer).values_list("status", flat=True))
    assert {
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    } <= statuses
    assert {OrderStatus.CANCELLED, OrderStatus.REFUNDED} <= statuses
    for order in Order.objects.exclude(
        status__in=[OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED]
    ):
        assert order.payments.get(status=Payment.Status.SUCCEEDED).amount_fen == order.total_fen
    # stock: reserved only by the open orders, shipped units left the warehouse
    assert (
        not Stock.objects.filter(reserved__gt=0)
        .exclude(sku__code__in=["ZZD-HZ-500", "ZZD-JZ-1000", "ZZD-GQ-15"])
        .exists()
    )
    assert Stock.objects.get(sku__code="ZZD-EJ-500").on_hand == 349
    shipped = Order.objects.filter(customer=customer, shipped_at__isnull=False)
    assert {(o.carrier, o.carrier_name) for o in shipped} == {
        ("sf", "SF Express"),
        ("zto", "ZTO Express"),
    }


@pytest.mark.django_db
def test_the_demo_distributor_earns_on_the_customers_orders(media):
    from weishang.commissions.models import Commission, CommissionPlan
    from weishang.distribution.models import Distributor

    load()
    distributor = Distributor.objects.get(customer__mobile="13900139000")
    assert distributor.can_sell and distributor.featured.count() == 3
    assert CommissionPlan.objects.get().default_rate_bp == 500
    paid = Order.objects.filter(customer__mobile="13800138000", status__in=["paid", "shipped"])
    assert paid.exists() and all(order.distributor == distributor for order in paid)
    assert set(Commission.objects.filter(order__in=paid).values_list("status", flat=True)) == {
        "pending"
    }
    (account,) = distributor.payout_accounts.all()
    assert (account.kind, account.number_masked) == ("alipay", "139****9000")
    assert account.consented_at is not None


@pytest.mark.django_db
def test_the_logins_name_the_address_the_demo_is_served_on(media, settings):
    """`make demo HOST=… PORT=…` sets WEISHANG_SITE_URL; the printed logins follow it."""
    settings.SITE_URL = "http://192.168.1.20:8080"
    out = load()
    assert "http://192.168.1.20:8080/console/" in out and "http://192.168.1.20:8080/d/" in out
    assert "127.0.0.1:8000" not in out


@pytest.mark.django_db
def test_a_visitor_gets_his_first_code_for_a_demo_number_right_after_loading(
    media, client, settings
):
    """The demo signs its customer and distributor up by one-time codes a moment before; those
    used codes must not make the visitor wait a minute for his own."""
    settings.OTP_SHOW_ON_PAGE = True
    load()
    for mobile in ("13800138000", "13900139000"):
        page = client.post("/login/", {"action": "send_code", "mobile": mobile}, follow=True)
        assert 'data-testid="demo-code"' in page.content.decode(), mobile


@pytest.mark.django_db
def test_every_product_page_has_a_gallery_and_a_long_description(media, client):
    """Several pictures (food: the product, a close-up, its facts, the orchard) and sections
    as a real product page has them, shown on the page."""
    load()
    for product in Product.objects.prefetch_related("images"):
        images = list(product.images.all())
        assert len(images) >= (4 if product.is_food else 2), product.slug
        assert len(product.description) >= 250, product.slug
        for section in ("【产品介绍】", "【产品参数】", "【储存方法】", "【售后说明】"):
            assert section in product.description or not product.is_food, (product.slug, section)
        page = client.get(f"/p/{product.url_key}/").content.decode()
        assert all(image.image.url in page for image in images), product.slug
        assert "<h2>产品参数</h2>" in page and "【" not in page, product.slug
        assert f"共 {len(images)} 张图片" in page


@pytest.mark.django_db
def test_the_redeem_centre_and_the_share_reward_are_filled(media, client):
    """The demo's loyalty pages are never empty: products for points (points alone, and points
    with cash), red packets, and a share reward rule that pays on a friend's completed order."""
    from weishang.loyalty.models import ShareRewardRule

    load()
    load()
    assert ShareRewardRule.objects.count() == 1
    rule = ShareRewardRule.current()
    assert (rule.trigger, rule.reward, rule.amount) == ("order_completed", "points_fixed", 200)

    customer = Customer.objects.get(mobile="13800138000")
    client.force_login(customer.user)
    page = client.get("/account/redeem/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert page.count('data-testid="redeem-product"') == 2
    assert "红枣脆片" in page and "100 积分" in page
    assert "红枣枸杞茶" in page and "300 积分 + ¥19.90" in page
    assert page.count('data-testid="red-packet"') == 2
    shares = client.get("/account/shares/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "200 积分" in shares


@pytest.mark.django_db
def test_the_community_and_content_are_loaded_once(media):
    """Stations, tags, segments, the poster template, themes, the distributor's post, ideas,
    courses and repurchase intervals: loading twice makes one of each."""
    from weishang.community.models import (
        CustomerTag,
        OpinionLeader,
        Segment,
        Station,
        StationMembership,
    )
    from weishang.content import library
    from weishang.content.models import (
        Course,
        LessonProgress,
        Post,
        RepurchaseInterval,
        Submission,
        Theme,
    )

    load()
    load()
    assert set(Station.objects.values_list("name", "province", "city")) == {
        ("乌鲁木齐站", "新疆", "乌鲁木齐"),
        ("郑州站", "河南", "郑州"),
    }
    leaders = {(lead.station.name, lead.customer.mobile) for lead in OpinionLeader.objects.all()}
    assert ("郑州站", "13800138000") in leaders and len(leaders) == 2
    assert set(StationMembership.objects.values_list("customer__mobile", flat=True)) == {
        "13800138000",
        "13900139000",
    }
    assert sorted(CustomerTag.objects.values_list("tag__name", "customer__mobile")) == [
        ("宝妈", "13800138000"),
        ("高复购", "13800138000"),
    ]
    segments = {segment.name: segment for segment in Segment.objects.select_related("min_tier")}
    assert set(segments) == {"三单以上老客", "60天未下单", "金卡及以上"}
    assert segments["三单以上老客"].min_orders == 3
    assert segments["60天未下单"].no_order_days == 60
    assert segments["金卡及以上"].min_tier.name == "金卡"

    template = library.store_poster_template()
    assert template.name == "枣知道红金" and (template.width, template.height) == (750, 1200)
    assert template.qr_size >= 220 and template.qr_x > template.width // 2
    assert template.qr_y > template.height // 2

    themes = {theme.title: theme for theme in library.themes_for_console()}
    assert set(themes) == {"新年送枣", "早餐一把枣", "枣茶食谱"}
    assert {theme.status for theme in themes.values()} == {Theme.Status.PUBLISHED}
    assert all(1 <= theme.image_count <= 3 for theme in themes.values())
    assert not themes["早餐一把枣"].theme_products.all()  # a life theme: no products
    assert themes["新年送枣"].poster_template == template
    assert themes["枣茶食谱"].segment.name == "三单以上老客"

    (post,) = Post.objects.select_related("distributor__customer", "theme")
    assert post.distributor.customer.mobile == "13900139000" and post.theme.title == "新年送枣"
    assert post.planned_on == timezone.localdate()

    ideas = dict(Submission.objects.values_list("status", "points"))
    assert ideas == {"pending": 0, "accepted": 200}
    assert set(Submission.objects.values_list("author__mobile", flat=True)) == {"13800138000"}

    onboarding = Course.objects.get(title="新人开店七步")
    assert onboarding.is_onboarding and onboarding.status == Course.Status.PUBLISHED
    assert onboarding.lessons.count() == 3
    assert all("<h2>" in lesson.body for lesson in onboarding.lessons.all())
    assert Course.objects.filter(status=Course.Status.PUBLISHED).count() == 2
    (done,) = LessonProgress.objects.select_related("lesson")
    assert done.lesson == onboarding.lessons.first()
    assert dict(RepurchaseInterval.objects.values_list("product__slug", "days")) == {
        "ruoqiang-grey-jujube": 30,
        "ejiao-jujube": 30,
        "jujube-goji-tea": 21,
    }


@pytest.mark.django_db
def test_the_store_poster_is_drawn_on_the_brands_artwork(media, client, settings):
    """The distributor's store poster is the brand's red and gold template with his QR code."""
    import io

    import zxingcpp

    load()
    distributor = Customer.objects.get(mobile="13900139000").distributor
    response = client.get(f"/s/{distributor.slug}/poster.png")
    assert response.status_code == 200
    poster = Image.open(io.BytesIO(response.content)).convert("RGB")
    assert poster.size == (750, 1200)
    red, green, _blue = poster.getpixel((375, 40))
    assert red > 150 and green < 60  # the warm red ground
    (code,) = zxingcpp.read_barcodes(poster)
    assert code.text.startswith(f"{settings.SITE_URL}/s/{distributor.slug}/")


@pytest.mark.django_db
def test_the_demo_has_one_team_led_by_the_operator_with_the_distributor_in_it(media):
    """The team pages and the distributor's "My team" have something to show."""
    from weishang.teams.models import Team

    load()
    load()
    team = Team.objects.get()
    assert (team.name, team.leader_staff.username, team.is_open) == (
        "新疆直营团队",
        "operator",
        True,
    )
    members = [
        m.distributor.customer.mobile
        for m in team.memberships.select_related("distributor__customer")
    ]
    assert members == ["13900139000"]
    assert team.assignments.get().course.is_onboarding


@pytest.mark.django_db
def test_the_demo_distributor_is_an_approved_reseller_with_two_bands_open(media):
    """His Reseller page has bands to set his price in; no price is set, so no demo price moves."""
    from weishang.demo import catalogue
    from weishang.reseller.models import Listing, Reseller, ResellerPricing

    load()
    reseller = Reseller.objects.select_related("distributor__customer").get()
    assert reseller.status == Reseller.Status.APPROVED
    assert reseller.distributor.customer.mobile == catalogue.DISTRIBUTOR["mobile"]
    assert sorted(
        ResellerPricing.objects.filter(is_open=True).values_list("sku__code", flat=True)
    ) == [
        "ZZD-HZ-500",
        "ZZD-JZ-500",
    ]
    assert not Listing.objects.exists()
