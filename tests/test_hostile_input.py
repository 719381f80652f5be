"""Every route, for every role, answers hostile input without a server error.

The URL resolver is walked, so a new route is swept without being listed here. Each route is
requested with real values in its path (objects of the demo brand) and with hostile ones; GET
requests carry hostile query parameters; POST requests carry the fields of the forms the role's
pages show for that route (the usual field names for a form the role is not shown), half of them
valid and half hostile, in turns, so that validation of one field cannot hide a crash deeper down.
Django's admin is swept fully for the owner (the only role it lets in) and by its real pages for
the others. Runs on PostgreSQL too, where a NUL or an over-long field used to break."""

import itertools
import zlib
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter
from django.utils import timezone

from tests.helpers import deliver
from weishang.campaigns import services as campaigns
from weishang.catalog.models import Licence, Product, ProductImage, Sku
from weishang.catalog.services import schedule_price_period
from weishang.commissions.models import Commission, Withdrawal
from weishang.compliance import complaints
from weishang.compliance.models import ComplaintCategory
from weishang.customers.models import Customer
from weishang.distribution.models import Application, Distributor
from weishang.orders import services as orders
from weishang.orders.models import Order, OrderStatus
from weishang.payments.models import Payment

HOSTILE = [
    "\x00",
    "x" * 3000,
    "-1",
    "99999999999999999999",
    "-99999999999999999999",
    "²",
    "١٢٣",
    "１３８００１３８０００",
    "0001-01-01",
    "9999-12-31",
    "1969-12-31",
    "2099-12-31T23:59:59+14:00",
    "0001-01-01T00:00",
    "9999-12-31 23:59:59",
    "1e999",
    "NaN",
    "-0.001",
    " ",
    "",
    "<script>'\"",
    "%00",
    "1.5",
]
# Each kind of path parameter gets values its converter accepts, or the URL would not resolve.
HOSTILE_PATH = {
    IntConverter: ["0", "99999999999999999999", "2147483648"],
    SlugConverter: ["x" * 2000, "-1", "0001-01-01", "_"],
    None: ["\x00", "x" * 2000, "١٢٣", "-1", "9999-12-31", "²"],
}
VALID = {
    "mobile": "13800138000",
    "phone": "13800138000",
    "recipient": "王小枣",
    "province": "上海市",
    "city": "上海市",
    "district": "浦东新区",
    "detail": "世纪大道1号",
    "quantity": "1",
    "price": "9.90",
    "amount": "1",
    "on_hand": "5",
    "starts_at": "2030-01-01T10:00",
    "ends_at": "2030-01-02T10:00",
    "signed_at": "2030-01-01T10:00",
    "start": "2030-01-01",
    "end": "2030-01-02",
    "issued_on": "2020-01-01",
    "expires_on": "2030-01-01",
    "binding_window_days": "30",
    "review_refund_rate_pc": "10",
    "default_rate_pc": "5",
    "reason": "测试",
    "text": "测试",
    "name": "测试",
    "slug": "hostile-test",
    "code": "HOSTILE-1",
    "carrier": "sf",
    "tracking_no": "SF1402837465920",
}
QUERY_NAMES = ["q", "page", "c", "status", "sort", "show", "next", "invite", "order", "start"]
ROLES = [
    "anonymous",
    "customer",
    "distributor",
    "owner",
    "operator",
    "finance",
    "service",
    "auditor",
]
# The fields posted to a route whose form the role is not shown.
UNSEEN_FORM = sorted({*VALID, *QUERY_NAMES, "address", "sku"})
# Routes whose POST would end the signed-in session the sweep runs as.
SESSION_ENDING = {"logout"}
POSTS_PER_FORM = 2
# Multipart parsing is slow and is tested on its own (tests/config/test_input_guard.py).
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Route:
    name: str
    view: object
    params: dict  # name -> converter class, None for any text
    namespace: str

    @property
    def is_admin(self) -> bool:
        return self.namespace.startswith("admin:")

    @property
    def short_name(self) -> str:
        return self.name.rpartition(":")[2] if self.name else ""

    def url(self, values: dict) -> str | None:
        try:
            if self.name:
                return reverse(self.name, kwargs=values)
            return reverse(self.view, kwargs=values)
        except NoReverseMatch:
            return None


def _routes(resolver=None, namespace="", inherited=None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        params = {**(inherited or {}), **_params(pattern.pattern)}
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern, inner, params)
        else:
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield Route(name, pattern.callback, params, namespace)


def _params(pattern) -> dict:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return {name: type(converter) for name, converter in converters.items()}
    return dict.fromkeys(pattern.regex.groupindex)


ROUTES = list(_routes())


FIELD_TAGS = {"input", "select", "textarea", "button"}


class FormFields(HTMLParser):
    """The POST forms of a page: {target path: ({field names}, {action button values})}."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path, self.forms, self.current = page_path, {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                target = urlsplit(attrs.get("action") or self.page_path).path
                self.current = self.forms.setdefault(target, (set(), set()))
        elif (
            tag in {"input", "select", "textarea", "button"} and self.current and attrs.get("name")
        ):
            names, actions = self.current
            names.add(attrs["name"])
            if attrs["name"] == "action" and attrs.get("value"):
                actions.add(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


@pytest.fixture
def world(db, settings, tmp_path):
    """The demo brand plus one of every object a route can name."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    customer = Customer.objects.get(mobile="13800138000")
    delivered = Order.objects.filter(customer=customer, status=OrderStatus.DELIVERED).first()
    if delivered is None:
        delivered = deliver(Order.objects.filter(status=OrderStatus.PAID).first())
    line = delivered.lines.filter(returnable=True).first() or delivered.lines.first()
    returned = orders.request_return(
        order=delivered, customer=customer, quantities={line.pk: 1}, reason="不想要了"
    )
    complaint = complaints.file_complaint(
        customer=customer,
        order=delivered,
        category=ComplaintCategory.values[0],
        text="枣有虫",
        photos=[],
    )
    sku = Sku.objects.order_by("pk").first()
    now = timezone.now()
    period = schedule_price_period(
        actor=None,
        sku=sku,
        starts_at=now + timedelta(days=40),
        ends_at=now + timedelta(days=41),
        price_fen=99,
    )
    users = get_user_model().objects
    distributor = Distributor.objects.first()
    presale = campaigns.save_campaign(
        actor=None,
        kind="presale",
        name="新枣预售",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=2),
        per_customer_limit=2,
        stock_units=10,
        target_units=3,
        items=[campaigns.ItemInput(sku_id=sku.pk, price_fen=2990)],
    )
    campaigns.publish_campaign(actor=None, campaign=presale)
    return {
        "campaign_id": presale.pk,
        "order": Order.objects.order_by("pk").values_list("number", flat=True).first(),
        "return": returned.number,
        "complaint": complaint.number,
        "payment": Payment.objects.values_list("number", flat=True).first(),
        "product_slug": sku.product.slug,
        "store_slug": distributor.slug,
        "product_id": sku.product_id,
        "sku_id": sku.pk,
        "period_id": period.pk,
        "image_id": ProductImage.objects.filter(product=sku.product).values_list("pk", flat=True)[
            0
        ],
        "photo_id": 1,
        "distributor_id": distributor.pk,
        "application_id": Application.objects.values_list("pk", flat=True).first(),
        "withdrawal_id": Withdrawal.objects.values_list("pk", flat=True).first() or 1,
        "commission_id": Commission.objects.values_list("pk", flat=True).first(),
        "licence_id": Licence.objects.values_list("pk", flat=True).first(),
        "user_id": users.get(username="auditor").pk,
        "object_id": str(Product.objects.values_list("pk", flat=True).first()),
    }


REAL_ACTIONS = {
    "distributor_status": ["freeze", "unfreeze", "blacklist"],
    "application_act": ["approve", "reject"],
    "withdrawal_act": ["approve", "reject", "pay"],
    "held_commission_act": ["release", "reject"],
}


def _real_value(route: Route, param: str, world: dict, turn: int) -> str:
    short = route.short_name
    if param == "number":
        for key in ("return", "complaint"):
            if key in short:
                return world[key]
        return world["payment"] if "sandbox" in short else world["order"]
    if param == "slug":
        return world["product_slug"] if short == "product_detail" else world["store_slug"]
    if param == "action":
        choices = REAL_ACTIONS.get(short, ["approve"])
        return choices[turn % len(choices)]
    known = {
        "provider": "sandbox",
        "app_label": "catalog",
        "model_name": "product",
        "content_type_id": "1",
        "path": "products/none.jpg",
        "url": "catalog/",
    }
    return str(world.get(param, known.get(param, "1")))


def _hostile(seed: int, index: int) -> str:
    return HOSTILE[(seed + index * 7) % len(HOSTILE)]


def _seed(*parts) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _sign_in(client, role: str):
    user = None
    if role in {"customer", "distributor"}:
        mobile = "13800138000" if role == "customer" else "13900139000"
        user = Customer.objects.get(mobile=mobile).user
    elif role != "anonymous":
        username = {"owner": "admin", "service": "service"}.get(role, role)
        user = get_user_model().objects.get(username=username)
    if user is not None:
        client.force_login(user)
    return user


def _check(failures, response, method, url, data=None):
    if response.status_code >= 500:
        shown = {name: value[:30] for name, value in (data or {}).items()}
        failures.append(f"{method} {url[:80]!r} {shown!r} -> {response.status_code}")


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_hostile_input_with_a_server_error(client, world, role):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.raise_request_exception = False
    user = _sign_in(client, role)
    forms: dict[str, tuple[set, set]] = {}
    posts, failures = [], []
    for turn, route in enumerate(ROUTES):
        seed = _seed(role, route.name, turn)
        real = route.url({p: _real_value(route, p, world, turn) for p in route.params})
        hostile = route.url(
            {p: _hostile_path(kind, seed + i) for i, (p, kind) in enumerate(route.params.items())}
        )
        if route.is_admin and role != "owner":
            hostile = None  # Django's admin refuses them all in one place: its real pages suffice
        for url in {real, hostile} - {None}:
            query = {name: _hostile(seed, i) for i, name in enumerate(QUERY_NAMES)}
            response = client.get(url, query)
            _check(failures, response, "GET", url, query)
            if url == real and response.status_code == 200 and "html" in response["Content-Type"]:
                _learn_forms(forms, url, response)
        admin_refused = route.is_admin and role != "owner"
        if real and route.short_name not in SESSION_ENDING and not admin_refused:
            posts.append((real, seed))
    for url, seed in posts:
        for data in _bodies(forms, url, seed, world):
            response = client.post(url, urlencode(data), content_type=FORM)
            _check(failures, response, "POST", url, data)
            if user is not None and client.session.get("_auth_user_id") != str(user.pk):
                client.force_login(user)
    assert not failures, "\n".join(failures)


def _hostile_path(kind, seed: int) -> str:
    values = HOSTILE_PATH.get(kind, HOSTILE_PATH[None])
    return values[seed % len(values)]


def _learn_forms(forms: dict, url: str, response) -> None:
    parser = FormFields(url)
    parser.feed(response.content.decode(errors="replace"))
    for target, (names, actions) in parser.forms.items():
        known = forms.setdefault(target, (set(), set()))
        known[0].update(names)
        known[1].update(actions)


def _bodies(forms: dict, url: str, seed: int, world: dict):
    """POST bodies for a route: for a form the role was shown, one per action button and turn,
    each field hostile in one turn and valid in the others; for a form it was not shown (it will
    be refused), one body of the usual field names."""
    seen = forms.get(urlsplit(url).path)
    if seen is None:
        names, variants = UNSEEN_FORM, [(None, 0)]
    else:
        turns = 1 if url.startswith("/admin/") else POSTS_PER_FORM  # Django's own, kept short
        names = sorted(seen[0] - {"csrfmiddlewaretoken", "action"})
        variants = itertools.product(sorted(seen[1]) or [None], range(turns))
    for action, turn in variants:
        data = {
            name: (
                _hostile(seed + turn, i)
                if (i + turn) % POSTS_PER_FORM == 0
                else VALID.get(name, _hostile(seed, i))
            )
            for i, name in enumerate(names)
        }
        data.update({"action": action} if action else {})
        data.update(_prefixed(world, seed + turn))
        yield data


def _prefixed(world, seed) -> dict:
    """Fields named by an object's id (quantities, returns, featured positions)."""
    value = _hostile(seed, 0)
    return {
        f"qty_{world['sku_id']}": value,
        f"return_{world['sku_id']}": value,
        f"position_{world['product_id']}": value,
        "qty_²": "1",
        "return_²": "1",
    }
