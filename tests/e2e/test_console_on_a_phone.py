"""Every console page on a phone (390×844) and a laptop (1440×900): the page never scrolls
sideways, the grouped menu stays on one line on the laptop, and "搜索" is never broken in two.
The distributor console on a phone shows its whole "我的微店" tab.

The pages are not listed by hand: every route of the ``console`` namespace (and of the
distributor console) is asked for with real object ids from the demo data, as the owner. A route
that only takes POST answers 405 and must be a classified act in ``test_every_act_audited``; a
download is named in ``DOWNLOADS``; every other route is a page and is visited in the browser. A
new route whose parameters name no object this test knows, or that answers neither a page, a 405
nor a download, fails the test until it is classified here. The distributor console's routes are
asked for as the demo distributor, with his post, course and lesson. Screenshots go to
test-artifacts/console-390/<route>.png (and console-1440/)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.console.test_every_act_audited import ACTS, READ_ONLY
from tests.console.test_roles import console_routes
from tests.content.library_fixtures import MP3, media_upload
from tests.helpers import png_upload
from weishang.campaigns import services as campaigns
from weishang.campaigns.models import Campaign
from weishang.catalog.models import Licence, PricePeriod, Product, ProductImage, Sku
from weishang.commissions import payout_accounts
from weishang.commissions import services as commissions
from weishang.commissions.models import Withdrawal
from weishang.community.models import OpinionLeader, Segment, Station, Tag
from weishang.compliance import complaints
from weishang.compliance.models import Complaint
from weishang.console import roles
from weishang.content import library
from weishang.content.models import Course, PosterTemplate, Submission, Theme
from weishang.customers.models import Customer
from weishang.distribution.models import Distributor, ProgrammeSettings
from weishang.loyalty.models import CouponTemplate
from weishang.orders import claims
from weishang.orders import services as orders
from weishang.orders.models import Order, OrderStatus, QualityClaim, ReturnRequest
from weishang.teams.models import Team

pytestmark = pytest.mark.django_db(transaction=True)

PHONE, LAPTOP = (390, 844), (1440, 900)
# Routes answering a GET with a file, not a page: their own tests fetch them.
DOWNLOADS = frozenset(
    {
        "export_download",
        "complaint_photo",
        "claim_photo",
        "waybill_template",
        "theme_media",
        "poster_template_preview",
    }
)
DISTRIBUTOR_DOWNLOADS = frozenset(
    {"product_qr_svg", "statement_file", "theme_media", "post_picture", "post_pictures_zip"}
)
# Distributor routes that take only POST: a GET answers 405, their own tests post to them.
DISTRIBUTOR_POST_ONLY = frozenset({"use_theme", "delete_post", "care_done"})
DISTRIBUTOR_MOBILE = "13900139000"

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
# Every element whose own text is "搜索" (a button, a link) lays it out on one line.
SEARCH_UNBROKEN = """() => {
  const broken = [];
  for (const el of document.querySelectorAll('button, a, input[type=submit], label, span')) {
    if (el.textContent.trim() !== '搜索') continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    if (tops.size > 1) broken.push(el.outerHTML);
  }
  return broken;
}"""
# The menu's top-level items (dashboard and the groups) all on one line.
MENU_LINES = """() => {
  const items = document.querySelectorAll('.console-nav > a, .console-nav > details > summary');
  return new Set([...items].map((el) => Math.round(el.getBoundingClientRect().top))).size;
}"""


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.OTP_SHOW_ON_PAGE = True
    call_command("load_demo", verbosity=0)
    order = Order.objects.filter(customer__mobile="13800138000", status=OrderStatus.SHIPPED).get()
    complaints.file_complaint(
        customer=order.customer, order=order, category="delivery", text="物流三天没有更新。"
    )
    delivered = Order.objects.filter(status=OrderStatus.DELIVERED).first()
    line = next(line for line in delivered.lines.all() if line.returnable)
    orders.request_return(order=delivered, customer=delivered.customer, quantities={line.pk: 1})
    received = orders.mark_delivered(order=order, actor=None)
    claims.file_claim(
        order=received,
        customer=received.customer,
        order_line_id=received.lines.first().pk,
        quantity=1,
        remedy="refund",
        description="收到时已经发霉。",
        photos=[png_upload()],
    )
    store = Distributor.objects.get(customer__mobile="13900139000")
    # A month on, the demo store's settled commission is small: the brand allows ¥1 withdrawals.
    commissions.settle_commissions(now=timezone.now() + timedelta(days=30))
    ProgrammeSettings.objects.update_or_create(pk=1, defaults={"withdrawal_min_fen": 100})
    card = payout_accounts.add_payout_account(
        distributor=store,
        kind="bank_card",
        number="6222020000000012344",
        holder_name="李小枣",
        consent=True,
    )
    withdrawal = commissions.request_withdrawal(
        distributor=store, amount_fen=500, request_key="phone-test", payout_account=card
    )
    finance = get_user_model().objects.get(username="finance")
    commissions.approve_withdrawal(withdrawal=withdrawal, actor=finance)
    sku = Sku.objects.order_by("pk").first()
    now = timezone.now()
    PricePeriod.objects.create(
        sku=sku, starts_at=now, ends_at=now + timedelta(days=3), price_fen=2990
    )
    presale = campaigns.save_campaign(
        actor=None,
        kind="presale",
        name="新枣预售",
        starts_at=now,
        ends_at=now + timedelta(days=3),
        per_customer_limit=2,
        stock_units=10,
        target_units=3,
        items=[campaigns.ItemInput(sku_id=sku.pk, price_fen=2990)],
    )
    campaigns.publish_campaign(actor=None, campaign=presale, now=now)
    # The demo's themes, posters, courses, ideas and stations are the pages' rows; a voice file
    # for the theme editor's media list.
    library.attach_theme_media(
        actor=None, theme=first(Theme), kind="voice", upload=media_upload(MP3, "a.mp3")
    )


def first(model):
    return model.objects.order_by("pk").first()


def real_ids() -> dict:
    """The object each route parameter names, from the demo data; ``image_id`` names a theme's
    picture on a theme route and a product's picture on a product route."""
    theme, course = first(Theme), first(Course)
    return {
        "number": {
            "order": first(Order).number,
            "complaint": first(Complaint).number,
            "return": first(ReturnRequest).number,
            "claim": first(QualityClaim).number,
        },
        "product_id": first(Product).pk,
        "sku_id": first(Sku).pk,
        "period_id": first(PricePeriod).pk,
        "image_id": first(ProductImage).pk,
        "licence_id": first(Licence).pk,
        "distributor_id": first(Distributor).pk,
        "withdrawal_id": first(Withdrawal).pk,
        "template_id": first(CouponTemplate).pk,
        "customer_id": Customer.objects.get(mobile="13800138000").pk,
        "campaign_id": first(Campaign).pk,
        "user_id": get_user_model().objects.get(username="operator").pk,
        "theme_id": theme.pk,
        "theme_image_id": theme.images.order_by("pk").first().pk,
        "poster_id": first(PosterTemplate).pk,
        "media_id": theme.media.order_by("pk").first().pk,
        "course_id": course.pk,
        "lesson_id": course.lessons.order_by("pk").first().pk,
        "idea_id": first(Submission).pk,
        "station_id": first(Station).pk,
        "leader_id": first(OpinionLeader).pk,
        "tag_id": first(Tag).pk,
        "segment_id": first(Segment).pk,
        "team_id": first(Team).pk,
    }


def route_url(namespace: str, name: str, pattern, ids: dict) -> str:
    kwargs = {}
    for param in pattern.pattern.converters:
        if param == "number":
            kind = name.split("_")[0]
            assert kind in ids["number"], (
                f"{namespace}:{name} takes a number of a kind this test does not know ({kind}): "
                "add a real one to real_ids()"
            )
            kwargs[param] = ids["number"][kind]
        elif param == "image_id" and name.startswith("theme_"):
            kwargs[param] = ids["theme_image_id"]
        elif param in ids:
            kwargs[param] = ids[param]
        elif param in {
            "action",
            "application_id",
            "commission_id",
            "address_id",
            "tier_id",
            "offer_id",
            "key_id",
        }:
            # Only on routes that take POST alone: any value, the 405 comes first.
            kwargs[param] = {"action": "approve"}.get(param, 1)
        else:
            pytest.fail(f"{namespace}:{name} takes {param!r}: add a real one to real_ids()")
    return reverse(f"{namespace}:{name}", kwargs=kwargs)


def console_pages(client: Client) -> dict[str, str]:
    """{route name: url} of every console route that answers a GET with a page."""
    ids = real_ids()
    pages = {}
    for name, pattern in sorted(console_routes().items()):
        if name in roles.OPEN_ROUTES or name in DOWNLOADS:
            continue
        assert name in roles.ROUTE_AREAS, f"{name} is not mapped in console/roles.py"
        url = route_url("console", name, pattern, ids)
        response = client.get(url)
        if response.status_code == 405:
            assert name in ACTS, f"{name} takes only POST but is not an act in the audit test"
            continue
        assert response.status_code == 200, (name, url, response.status_code)
        assert response["Content-Type"].startswith("text/html"), (name, response["Content-Type"])
        assert name in ACTS or name in READ_ONLY, f"{name} is not classified in the audit test"
        pages[name] = url
    return pages


def distributor_ids(store: Distributor) -> dict:
    """The demo distributor's own objects his console's routes name: his post of the day, the
    onboarding course and its first lesson."""
    course = first(Course)
    return {
        "key": store.posts.first().key,
        "course_id": course.pk,
        "lesson_id": course.lessons.order_by("pk").first().pk,
    }


def distributor_pages() -> dict[str, str]:
    """{route name: url} of every distributor console route that answers a GET with a page."""
    from weishang.console import distributor_urls

    store = Distributor.objects.select_related("customer__user").get(
        customer__mobile=DISTRIBUTOR_MOBILE
    )
    ids = distributor_ids(store)
    client = Client()
    client.force_login(store.customer.user)
    pages = {}
    for pattern in distributor_urls.urlpatterns:
        name, params = pattern.name, pattern.pattern.converters
        if name in DISTRIBUTOR_DOWNLOADS:
            continue
        if name in DISTRIBUTOR_POST_ONLY:
            url = reverse(f"distributor:{name}", kwargs={p: ids.get(p, 1) for p in params})
            assert client.get(url).status_code == 405, f"distributor:{name} answers a GET"
            continue
        unknown = sorted(set(params) - set(ids))
        assert not unknown, f"distributor:{name} takes {unknown}: classify it in this test"
        url = reverse(f"distributor:{name}", kwargs={p: ids[p] for p in params})
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        pages[name] = url
    return pages


def sign_in_console(new_page, store, size):
    page = new_page(size=size)
    page.goto(store + "/console/login/")
    assert_fits(page, f"the sign-in page at {size[0]} px")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "weishang-demo")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/console/$"))
    return page


def assert_fits(page, where: str):
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{where} scrolls sideways: {widths}"
    assert page.evaluate(SEARCH_UNBROKEN) == [], f"{where}: 搜索 is broken in two"


def test_every_console_page_fits_a_phone_and_a_laptop(demo, live_server, new_page, screenshot):
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    pages = console_pages(client)
    # The pages this issue is about are among them, found without being listed.
    assert {"dashboard", "order_list", "customer_list", "customer_detail"} <= set(pages)

    phone = sign_in_console(new_page, live_server.url, PHONE)
    laptop = sign_in_console(new_page, live_server.url, LAPTOP)
    for name, url in pages.items():
        phone.goto(live_server.url + url)
        assert_fits(phone, f"{name} at 390 px")
        screenshot(phone, f"console-390/{name}")

        laptop.goto(live_server.url + url)
        assert_fits(laptop, f"{name} at 1440 px")
        assert laptop.evaluate(MENU_LINES) == 1, f"{name}: the menu wraps at 1440 px"
        screenshot(laptop, f"console-1440/{name}", full_page=False)

    # On the phone the menu is folded away until asked for, then every group shows.
    phone.goto(live_server.url + reverse("console:customer_list"))
    assert not phone.is_visible(".console-nav")
    phone.click(".console-menu > summary")
    for group in ("orders", "products", "distribution", "compliance", "settings"):
        assert phone.is_visible(f".menu-group[data-group={group}] ul")
    assert_fits(phone, "the open menu at 390 px")
    screenshot(phone, "console-390/_menu-open", full_page=False)

    # On the laptop a group opens as a drop-down over the page.
    laptop.goto(live_server.url + reverse("console:dashboard"))
    laptop.click(".menu-group[data-group=distribution] > summary")
    laptop.click(".menu-group[data-group=distribution] a >> text=入驻申请")
    laptop.wait_for_url(re.compile(r"/console/applications/$"))


def test_a_role_sees_only_the_menu_entries_it_may_open(demo, live_server, new_page):
    page = new_page(size=LAPTOP)
    page.goto(live_server.url + "/console/login/")
    page.fill("#id_username", "finance")
    page.fill("#id_password", "weishang-demo")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/console/$"))
    links = page.eval_on_selector_all(".console-nav a", "els => els.map((a) => a.pathname)")
    assert reverse("console:withdrawal_list") in links
    assert reverse("console:staff_list") not in links  # the owner's alone
    assert reverse("console:export") not in links  # owner, operator and auditor


def test_the_distributor_console_fits_a_phone_with_its_whole_store_tab(
    demo, live_server, new_page, screenshot
):
    # The pages are found with a test client of his own before the browser signs him in, so
    # that nothing the test client does to his sessions touches the browser's.
    pages = distributor_pages()
    page = new_page(size=PHONE)
    page.goto(live_server.url + "/login/")
    page.click("details summary")
    page.fill("#pw-mobile", DISTRIBUTOR_MOBILE)
    page.fill("#password", "weishang-demo")
    page.click("button[name=action][value=password]")
    page.wait_for_url(re.compile(r"/$|/account/"))
    for name, url in pages.items():
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")  # a post's pictures are drawn as they load
        assert_fits(page, f"distributor {name} at 390 px")
        screenshot(page, f"console-390/distributor-{name}")

    page.goto(live_server.url + reverse("distributor:home"))
    tab = page.locator(".dist-nav a", has_text="我的微店")
    box = tab.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0], box
    # Nothing of the tab bar is hidden in a scroll area either.
    assert page.evaluate(
        "() => { const nav = document.querySelector('.dist-nav');"
        " return nav.scrollWidth <= nav.clientWidth; }"
    )
    assert tab.inner_text().strip() == "我的微店"
