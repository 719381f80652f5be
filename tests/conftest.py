"""Fixtures shared by the whole suite: a brand, products with stock, customers with addresses."""

import itertools

import pytest
from django.db import connection
from hypothesis import settings as hypothesis_settings

from tests.wechatpay_stub import wechat_gateway, wechat_keys, wechatpay  # noqa: F401 - fixtures
from weishang.catalog.models import Brand, Category, Product, Sku
from weishang.customers.models import Customer
from weishang.customers.services import add_address
from weishang.inventory.services import set_stock_on_hand

_seq = itertools.count(1)

# Property tests check what holds, not how fast: on a shared, loaded machine a per-example
# deadline fails examples for the machine's sake (speed is measured in bench/).
hypothesis_settings.register_profile("weishang", deadline=None)
hypothesis_settings.load_profile("weishang")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Test passwords need no brute-force resistance; the real hasher is slow by design."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def static_files_without_collectstatic(settings):
    """Production hashes static file names at collectstatic; tests find them where they lie."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttle counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgresql://…")


@pytest.fixture
def brand(db):
    return Brand.objects.create(
        name="枣知道",
        company_name="新疆枣知道农业有限公司",
        business_licence_no="91350100M000100Y43",
        food_licence_no="SC11265010200123",
        service_phone="400-820-0000",
    )


@pytest.fixture
def make_product(db):
    def make(
        *,
        price_fen=3990,
        stock=100,
        name=None,
        return_class="normal",
        exclusion_reason="",
        **fields,
    ):
        n = next(_seq)
        category, _ = Category.objects.get_or_create(slug="jujube", defaults={"name": "红枣"})
        product = Product.objects.create(
            name=name or f"若羌灰枣 {n}",
            slug=f"product-{n}",
            category=category,
            status=Product.Status.PUBLISHED,
            return_class=return_class,
            exclusion_reason=exclusion_reason,
            **fields,
        )
        sku = Sku.objects.create(
            product=product, code=f"SKU-{n}", name="500g", list_price_fen=price_fen
        )
        set_stock_on_hand(actor=None, sku_id=sku.pk, on_hand=stock)
        return sku

    return make


@pytest.fixture
def sku(make_product):
    return make_product()


@pytest.fixture
def make_customer(db):
    def make(mobile=None):
        from django.contrib.auth import get_user_model

        mobile = mobile or f"138{next(_seq):08d}"
        user = get_user_model().objects.create_user(username=f"m{mobile}")
        customer = Customer.objects.create(user=user, mobile=mobile)
        add_address(
            customer=customer,
            recipient="张三",
            phone=mobile,
            province="上海市",
            city="上海市",
            district="浦东新区",
            detail="世纪大道100号",
        )
        return customer

    return make


@pytest.fixture
def customer(make_customer):
    return make_customer()


@pytest.fixture
def staff(db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username="operator", password="pw-operator-1", is_staff=True
    )
    user.groups.add(Group.objects.get_or_create(name="owner")[0])  # console role: everything
    return user


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Service-level tests read messages in English; pages pick their language per request."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def make_distributor(make_customer):
    """An approved distributor made directly with the ORM (no application): ``make(customer=None,
    status="active", **fields)``."""

    def make(customer=None, *, status="active", **fields):
        from django.utils import timezone

        from weishang.distribution.models import Distributor

        n = next(_seq)
        fields.setdefault("slug", f"store-{n}")
        fields.setdefault("store_name", f"李四的小店 {n}")
        return Distributor.objects.create(
            customer=customer or make_customer(),
            status=status,
            real_name="李四",
            id_number="11010519491231002X",
            id_number_masked="110***********002X",
            business_kind="small_trade",
            approved_at=timezone.now(),
            **fields,
        )

    return make


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """The WeChat stub (pytest-httpserver) listens on 127.0.0.1, on a free port."""
    return ("127.0.0.1", 0)


@pytest.fixture
def wechat_stub(httpserver, settings):
    """WeChat's servers stubbed on 127.0.0.1, and the settings of an official account and a
    mini-program pointing at them (tests/wechat_stub.py)."""
    from tests.wechat_stub import MP_APPID, MP_SECRET, OA_APPID, OA_SECRET, WechatStub

    stub = WechatStub(httpserver)
    settings.WECHAT_API_BASE = settings.WECHAT_OPEN_BASE = stub.base_url
    settings.WECHAT_OA_APPID, settings.WECHAT_OA_SECRET = OA_APPID, OA_SECRET
    settings.WECHAT_MP_APPID, settings.WECHAT_MP_SECRET = MP_APPID, MP_SECRET
    settings.WECHAT_TIMEOUT_SECONDS = 2
    return stub
