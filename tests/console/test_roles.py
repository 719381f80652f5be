"""Staff roles against every console route: the decision for every route × role × method matches
the policy below (written from the issue, not copied from roles.py), every route is mapped, real
requests are refused with a 403 that changes nothing, and each area's writers really can act."""

from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from tests.helpers import deliver, pay
from weishang.catalog.licences import add_licence, local_today
from weishang.catalog.services import schedule_price_period
from weishang.commissions.models import CommissionPlan, Withdrawal
from weishang.commissions.services import request_withdrawal, settle_commissions
from weishang.compliance import complaints
from weishang.compliance.models import AuditEntry, Complaint
from weishang.console import roles
from weishang.distribution.models import Binding, Distributor, ProgrammeSettings
from weishang.distribution.services import apply_to_distribute
from weishang.orders import services as orders
from weishang.orders.models import Order, ReturnRequest
from weishang.sales import services as sales
from weishang.teams import services as teams

from .conftest import english

OWNER, OPERATOR, FINANCE, CS, AUDITOR = (
    "owner",
    "operator",
    "finance",
    "customer_service",
    "auditor",
)
EVERYONE = {OWNER, OPERATOR, FINANCE, CS, AUDITOR}
NOBODY: set = set()

# url name: (who may GET it, who may POST to it) — the table, route by route.
ORDERS = (EVERYONE, {OWNER, OPERATOR})
SHIPPING = ({OWNER, OPERATOR}, {OWNER, OPERATOR})
RETURN_REVIEW = (EVERYONE, {OWNER, OPERATOR, CS})
REFUND = (EVERYONE, {OWNER, FINANCE})
CATALOGUE = (EVERYONE, {OWNER, OPERATOR})
OWNER_ONLY_WRITES = (EVERYONE, {OWNER})
DISTRIBUTION = (EVERYONE, {OWNER, OPERATOR})
MONEY_OUT = (EVERYONE, {OWNER, FINANCE})
CUSTOMER_CARE = (EVERYONE, {OWNER, CS})
EXPORT = ({OWNER, AUDITOR, OPERATOR}, NOBODY)
READ_ONLY = (EVERYONE, NOBODY)
STAFF = ({OWNER}, {OWNER})
COUPONS = (EVERYONE, {OWNER, OPERATOR})
CONTENT = (EVERYONE, {OWNER, OPERATOR})
COMMUNITY = (EVERYONE, {OWNER, OPERATOR})
# The brand's figures: customer service has no use for them; the owner sets the big-B threshold.
ANALYTICS = ({OWNER, OPERATOR, FINANCE, AUDITOR}, {OWNER})
# Reseller bands and approving resellers: those who run the catalogue and distribution.
RESELLER = (EVERYONE, {OWNER, OPERATOR})
POLICY = {
    "analytics_factors": ANALYTICS,
    "analytics_funnel": ANALYTICS,
    "analytics_funnel_threshold": ANALYTICS,
    "dashboard": READ_ONLY,
    "analytics_cohorts": ANALYTICS,
    "order_list": ORDERS,
    "order_detail": ORDERS,
    "order_ship": ORDERS,
    "order_deliver": ORDERS,
    "order_cancel": ORDERS,
    "packing_list": SHIPPING,
    "waybill_template": SHIPPING,
    "waybill_import": SHIPPING,
    "freight": ORDERS,
    "freight_delete": ORDERS,
    "redemption_list": COUPONS,
    "redemption_retire": COUPONS,
    "return_list": RETURN_REVIEW,
    "return_approve": RETURN_REVIEW,
    "return_reject": RETURN_REVIEW,
    "return_receive": RETURN_REVIEW,
    "return_refund": REFUND,
    **dict.fromkeys(
        [
            "product_list",
            "product_new",
            "product_edit",
            "sku_add",
            "image_add",
            "image_remove",
            "category_add",
            "product_publish",
            "product_unpublish",
            "price_periods",
            "price_period_delete",
            "stock_set",
            "sku_edit",
            "sku_cost",
            "sku_activate",
            "sku_deactivate",
            "licence_list",
            "licence_edit",
            "licence_retire",
        ],
        CATALOGUE,
    ),
    **dict.fromkeys(
        [
            "complaint_list",
            "complaint_detail",
            "complaint_photo",
            "complaint_answer",
            "complaint_resolve",
            "complaint_reject",
            "blacklist",
            "blacklist_add",
            "blacklist_lift",
        ],
        CUSTOMER_CARE,
    ),
    "plan_list": OWNER_ONLY_WRITES,
    "plan_new": OWNER_ONLY_WRITES,
    "programme": OWNER_ONLY_WRITES,
    "share_rewards": OWNER_ONLY_WRITES,
    "top_sharers": OWNER_ONLY_WRITES,
    "theme_stats": CONTENT,
    "analytics_rankings": ANALYTICS,
    "analytics_health": ANALYTICS,
    "export": EXPORT,
    "export_download": EXPORT,
    **dict.fromkeys(
        [
            "distributor_list",
            "distributor_detail",
            "customer_reassign",
            "distributor_status",
            "application_list",
            "application_act",
        ],
        DISTRIBUTION,
    ),
    **dict.fromkeys(
        [
            "withdrawal_list",
            "withdrawal_act",
            "held_commission_list",
            "held_commission_act",
            "withholding_rule",
            "tax_remit",
        ],
        MONEY_OUT,
    ),
    # The payee's full account number: only the roles that pay see it (PIPL Art. 51).
    "withdrawal_payee": ({OWNER, FINANCE}, {OWNER, FINANCE}),
    "audit_log": READ_ONLY,
    # Customers: every role finds one; who sees his full details is decided on the page.
    "customer_list": READ_ONLY,
    "customer_detail": READ_ONLY,
    # Quality claims: customer service decides them, a refund included; the period is the owner's
    **dict.fromkeys(
        [
            "claim_list",
            "claim_detail",
            "claim_photo",
            "claim_approve",
            "claim_reject",
            "claim_ship",
        ],
        RETURN_REVIEW,
    ),
    "complaint_refund": CUSTOMER_CARE,
    "aftersales_settings": OWNER_ONLY_WRITES,
    # Members: tiers, points settings and red packets are the owner's; operators award points.
    **dict.fromkeys(
        ["loyalty_settings", "tier_add", "tier_edit", "red_packet_add", "red_packet_edit"],
        OWNER_ONLY_WRITES,
    ),
    "customer_points": (EVERYONE, {OWNER, OPERATOR}),
    **dict.fromkeys(
        [
            "staff_list",
            "staff_create",
            "staff_role",
            "staff_deactivate",
            "api_key_list",
            "api_key_create",
            "api_key_revoke",
        ],
        STAFF,
    ),
    # Training courses: the content area, written by the owner and operators
    **dict.fromkeys(
        [
            "course_list",
            "course_detail",
            "course_publish",
            "course_unpublish",
            "lesson_new",
            "lesson_edit",
            "lesson_move",
            "lesson_delete",
            "lesson_image",
        ],
        (EVERYONE, {OWNER, OPERATOR}),
    ),
    **dict.fromkeys(
        ["after_sales", "return_address_add", "return_address_edit", "return_address_retire"],
        CATALOGUE,
    ),
    **dict.fromkeys(
        [
            "coupon_templates",
            "coupon_template_new",
            "coupon_template_edit",
            "coupon_template_deactivate",
            "coupon_segment",
            "coupon_rules",
            "coupon_issue",
        ],
        COUPONS,
    ),
    # Community: city stations, opinion leaders, tags and segments; a customer's tags and station
    **dict.fromkeys(
        [
            "station_list",
            "station_detail",
            "station_close",
            "leader_appoint",
            "leader_remove",
            "tag_list",
            "tag_rename",
            "tag_delete",
            "segment_list",
            "segment_new",
            "segment_detail",
            "segment_edit",
            "segment_delete",
            "customer_tag",
            "customer_untag",
            "customer_station",
        ],
        COMMUNITY,
    ),
    # The material library and poster templates: operators run them, every role reads them
    **dict.fromkeys(
        [
            "theme_list",
            "theme_new",
            "theme_edit",
            "theme_publish",
            "theme_withdraw",
            "theme_image_add",
            "theme_image_remove",
            "theme_image_earlier",
            "theme_media_add",
            "theme_media",
            "theme_media_remove",
            "poster_template_list",
            "poster_template_new",
            "poster_template_edit",
            "poster_template_preview",
            "poster_template_activate",
            "poster_template_deactivate",
        ],
        CONTENT,
    ),
    # Content: the creative group's review
    **dict.fromkeys(["idea_list", "idea_detail", "idea_accept", "idea_reject"], CONTENT),
    # Content: the posting cadence report, its settings and the repurchase intervals
    **dict.fromkeys(["content_cadence", "content_settings", "repurchase_intervals"], CONTENT),
    "reseller_pricing": RESELLER,
    "reseller_list": RESELLER,
    "reseller_approve": RESELLER,
    "reseller_revoke": RESELLER,
    "reseller_report": RESELLER,
    "reseller_detail": RESELLER,
    # Teams carry each member's sales: owner and operators manage them, the auditor reads them.
    **dict.fromkeys(
        [
            "team_list",
            "team_detail",
            "team_leader",
            "team_close",
            "team_member_add",
            "team_member_remove",
            "team_course_assign",
            "team_course_unassign",
        ],
        ({OWNER, OPERATOR, AUDITOR}, {OWNER, OPERATOR}),
    ),
    # A staff member of any role may lead a team; the page only reads the teams he leads.
    "my_team": READ_ONLY,
    # A staff leader assigns courses to his own team (the service checks he leads it); the
    # auditor only reads.
    "my_team_course": (EVERYONE, {OWNER, OPERATOR, FINANCE, CS}),
    # Campaigns: prices and stock like the catalogue; every role reads their results
    **dict.fromkeys(
        [
            "campaign_list",
            "campaign_new",
            "campaign_detail",
            "campaign_edit",
            "campaign_publish",
            "campaign_end",
        ],
        CATALOGUE,
    ),
}


def console_routes() -> dict[str, URLPattern]:
    """Every route in the ``console`` namespace, by URL name ("" for an unnamed one)."""
    found = {}

    def walk(patterns, namespaces):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespaces + [pattern.namespace] if pattern.namespace else namespaces
                walk(pattern.url_patterns, inner)
            elif namespaces[:1] == ["console"]:
                found[pattern.name or f"<unnamed {pattern.pattern}>"] = pattern

    walk(get_resolver().url_patterns, [])
    return found


CHECKED = sorted(set(console_routes()) - roles.OPEN_ROUTES)


def test_every_console_route_has_an_area():
    unmapped = [name for name in CHECKED if name not in roles.ROUTE_AREAS]
    assert not unmapped, f"console routes missing from roles.ROUTE_AREAS (shut for all): {unmapped}"
    stale = sorted(set(roles.ROUTE_AREAS) - set(CHECKED))
    assert not stale, f"roles.ROUTE_AREAS names routes that do not exist: {stale}"


def test_every_console_route_is_in_this_tests_policy():
    missing = [name for name in CHECKED if name not in POLICY]
    assert not missing, f"add these routes to POLICY in {__name__}: {missing}"


def test_the_role_names_are_the_groups():
    assert set(roles.ROLES) == EVERYONE
    assert set(roles.ALL_ROLES) == EVERYONE


def test_an_unmapped_route_is_refused_to_everyone():
    for role in EVERYONE:
        for method in ("GET", "HEAD", "POST"):
            assert not roles.can(role, "a_route_nobody_mapped", method)


@pytest.mark.parametrize("name", CHECKED)
def test_decision_for_every_role_and_method(name):
    readers, writers = POLICY[name]
    for role in sorted(EVERYONE):
        for method in ("GET", "HEAD"):
            assert roles.can(role, name, method) == (role in readers), (name, role, method)
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            assert roles.can(role, name, method) == (role in writers), (name, role, method)


# Real requests ----------------------------------------------------------------------------------


def member(django_user_model, role: str, *, superuser=False):
    """The staff account holding ``role`` (made on first use)."""
    existing = django_user_model.objects.filter(username=f"{role}-user").first()
    if existing:
        return existing
    user = django_user_model.objects.create_user(
        username=f"{role}-user", password="pw-role-12345", is_staff=True, is_superuser=superuser
    )
    if not superuser:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def signed_in(client, user):
    english(client)
    client.force_login(user)
    return client


def database_state() -> dict:
    """Every row of every table the application owns, to prove a refused request changed nothing.
    (Sessions are left out: signing in writes one.)"""
    state = {}
    for model in apps.get_models():
        if model._meta.label_lower == "sessions.session":
            continue
        state[model._meta.label_lower] = list(model.objects.order_by("pk").values())
    return state


@pytest.fixture
def world(brand, staff, make_customer, make_product, make_distributor):
    """One of each object the console's routes act on."""
    ProgrammeSettings.objects.create(withdrawal_min_fen=100)
    CommissionPlan.objects.create(version=1, default_rate_bp=1000, created_at=timezone.now())
    sku = make_product()
    now = timezone.now()
    period = schedule_price_period(
        actor=None,
        sku=sku,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=3),
        price_fen=2990,
    )
    seller = make_distributor()
    seller.customer.addresses.update(detail="人民路1号", recipient="李四")  # not a self-purchase

    def sold(quantity=1):
        buyer = make_customer()
        Binding.objects.create(customer=buyer, distributor=seller, source="qr", bound_at=now)
        return pay(
            sales.place_order(
                customer=buyer, items={sku.pk: quantity}, address=buyer.addresses.get()
            )
        )

    paid = sold()
    delivered = [deliver(sold(2)) for _ in range(3)]

    def ask_return(order):
        return orders.request_return(
            order=order, customer=order.customer, quantities={order.lines.get().pk: 1}, reason="x"
        )

    requested = ask_return(delivered[0])
    received = orders.receive_return(
        actor=None,
        return_request=orders.approve_return(actor=None, return_request=ask_return(delivered[1])),
    )
    settle_commissions(now=now + timedelta(days=9))
    withdrawal = request_withdrawal(distributor=seller, amount_fen=100, request_key="w1")
    applicant = make_customer()
    application = apply_to_distribute(
        customer=applicant,
        real_name="张三",
        id_number="11010519491231002X",
        mobile=applicant.mobile,
        business_kind="small_trade",
        store_name="申请店",
    )
    complaint = complaints.file_complaint(
        customer=paid.customer, order=paid, category="quality", text="坏了"
    )
    licence = add_licence(
        actor=staff, kind="other", number="L1", holder="h", issued_on=local_today()
    )
    team = teams.create_team(actor=staff, name="一队", leader_username=staff.username, now=now)
    teams.add_member(actor=staff, team_id=team.pk, mobile=seller.customer.mobile, now=now)
    return {
        "team": team,
        "sku": sku,
        "period": period,
        "seller": seller,
        "paid": paid,
        "requested": requested,
        "received": received,
        "withdrawal": withdrawal,
        "application": application,
        "complaint": complaint,
        "licence": licence,
    }


def url_for(name: str, world) -> str:
    """A URL for the route with real objects where the route's parameters name one."""
    pattern = console_routes()[name]
    values = {
        "number": {
            "order": world["paid"].number,
            "return": world["requested"].number,
            "complaint": world["complaint"].number,
        }.get(name.split("_")[0], "0"),
        "product_id": world["sku"].product_id,
        "period_id": world["period"].pk,
        "sku_id": world["sku"].pk,
        "image_id": 999999,
        "licence_id": world["licence"].pk,
        "distributor_id": world["seller"].pk,
        "application_id": world["application"].pk,
        "withdrawal_id": world["withdrawal"].pk,
        "commission_id": 999999,
        "user_id": 999999,
        "action": "approve",
        "team_id": world["team"].pk,
    }
    kwargs = {key: values.get(key, 999999) for key in pattern.pattern.converters}
    return reverse(f"console:{name}", kwargs=kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_every_route_refuses_what_the_role_may_not_do_and_changes_nothing(
    client, django_user_model, world, role
):
    signed_in(client, member(django_user_model, role))
    before = database_state()
    refused = 0
    for name in CHECKED:
        readers, writers = POLICY[name]
        url = url_for(name, world)
        if role not in writers:
            response = client.post(url, {"reason": "x", "carrier": "x", "tracking_no": "y"})
            assert response.status_code == 403, (name, role)
            refused += 1
        if role not in readers:
            response = client.get(url)
            assert response.status_code == 403, (name, role)
            assert "needs one of these roles" in response.content.decode()
            refused += 1
    assert refused > 0
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_every_route_a_role_may_read_opens_for_it(client, django_user_model, world, role):
    signed_in(client, member(django_user_model, role))
    for name in CHECKED:
        if role in POLICY[name][0]:
            response = client.get(url_for(name, world))
            # 405 for a route that only takes POST: the role check let it through.
            assert response.status_code in (200, 302, 404, 405), (name, role)


@pytest.mark.django_db
def test_the_refusal_names_the_role_needed(client, django_user_model, world):
    signed_in(client, member(django_user_model, FINANCE))
    response = client.post(url_for("order_ship", world), {"carrier": "x", "tracking_no": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Changing Orders and shipping needs one of these roles: owner, operator." in page
    assert "Your roles: finance." in page


@pytest.mark.django_db
def test_staff_without_a_role_sees_nothing(client, django_user_model, brand):
    user = django_user_model.objects.create_user(username="nobody", is_staff=True)
    signed_in(client, user)
    response = client.get(reverse("console:dashboard"))
    assert response.status_code == 403
    assert "has no console role" in response.content.decode()


@pytest.mark.django_db
def test_a_superuser_counts_as_owner(client, django_user_model, world):
    signed_in(client, member(django_user_model, "root", superuser=True))
    assert client.get(reverse("console:staff_list")).status_code == 200
    response = client.post(url_for("withdrawal_act", world))
    assert response.status_code == 302
    assert Withdrawal.objects.get(pk=world["withdrawal"].pk).status == "approved"


@pytest.mark.django_db
def test_anonymous_and_customers_still_go_to_the_sign_in_page(client, world, customer):
    url = url_for("order_list", world)
    assert client.get(url)["Location"].startswith(reverse("console:login"))
    client.force_login(customer.user)
    response = client.post(url_for("order_ship", world), {"carrier": "x", "tracking_no": "y"})
    assert response["Location"].startswith(reverse("console:login"))


# Each area's writers can act, and the roles next to them cannot ----------------------------------


def act(client, django_user_model, role, url, data=None):
    client.logout()
    signed_in(client, member(django_user_model, role))
    return client.post(url, data or {})


@pytest.mark.django_db
def test_operator_ships_finance_cannot(client, django_user_model, world):
    url = url_for("order_ship", world)
    data = {"carrier": "sf", "tracking_no": "SF1402837465920"}
    assert act(client, django_user_model, FINANCE, url, data).status_code == 403
    assert Order.objects.get(pk=world["paid"].pk).status == "paid"
    assert act(client, django_user_model, OPERATOR, url, data).status_code == 302
    assert Order.objects.get(pk=world["paid"].pk).status == "shipped"


@pytest.mark.django_db
def test_customer_service_approves_returns_finance_refunds_them(client, django_user_model, world):
    approve = reverse("console:return_approve", args=[world["requested"].number])
    refund = reverse("console:return_refund", args=[world["received"].number])
    assert act(client, django_user_model, FINANCE, approve).status_code == 403
    assert act(client, django_user_model, CS, refund).status_code == 403
    assert ReturnRequest.objects.get(pk=world["received"].pk).status == "received"
    assert act(client, django_user_model, CS, approve).status_code == 302
    assert ReturnRequest.objects.get(pk=world["requested"].pk).status == "approved"
    assert act(client, django_user_model, FINANCE, refund).status_code == 302
    assert ReturnRequest.objects.get(pk=world["received"].pk).status == "refunded"


@pytest.mark.django_db
def test_finance_approves_withdrawals_operator_cannot(client, django_user_model, world):
    url = url_for("withdrawal_act", world)
    assert act(client, django_user_model, OPERATOR, url).status_code == 403
    assert Withdrawal.objects.get(pk=world["withdrawal"].pk).status == "requested"
    assert act(client, django_user_model, FINANCE, url).status_code == 302
    assert Withdrawal.objects.get(pk=world["withdrawal"].pk).status == "approved"


@pytest.mark.django_db
def test_customer_service_answers_complaints_operator_cannot(client, django_user_model, world):
    url = url_for("complaint_answer", world)
    assert act(client, django_user_model, OPERATOR, url, {"text": "在查"}).status_code == 403
    assert Complaint.objects.get().status == "received"
    assert act(client, django_user_model, CS, url, {"text": "在查"}).status_code == 302
    assert Complaint.objects.get().status == "in_progress"


@pytest.mark.django_db
def test_operator_runs_distributors_and_products_customer_service_cannot(
    client, django_user_model, world
):
    freeze = reverse("console:distributor_status", args=[world["seller"].pk, "freeze"])
    unpublish = url_for("product_unpublish", world)
    assert act(client, django_user_model, CS, freeze, {"reason": "查"}).status_code == 403
    assert act(client, django_user_model, CS, unpublish).status_code == 403
    assert Distributor.objects.get(pk=world["seller"].pk).status == "active"
    assert act(client, django_user_model, OPERATOR, freeze, {"reason": "查"}).status_code == 302
    assert Distributor.objects.get(pk=world["seller"].pk).status == "frozen"
    assert act(client, django_user_model, OPERATOR, unpublish).status_code == 302
    world["sku"].product.refresh_from_db()
    assert world["sku"].product.status != "published"


@pytest.mark.django_db
def test_only_the_owner_changes_the_plan_and_programme(client, django_user_model, world):
    before = ProgrammeSettings.objects.values().get()
    for role in (OPERATOR, FINANCE, CS, AUDITOR):
        for name in ("plan_new", "programme"):
            response = act(client, django_user_model, role, reverse(f"console:{name}"))
            assert response.status_code == 403, (role, name)
    assert CommissionPlan.objects.count() == 1
    assert ProgrammeSettings.objects.values().get() == before


@pytest.mark.django_db
def test_the_auditor_downloads_the_export_finance_cannot(client, django_user_model, world):
    today = timezone.localdate()
    query = f"?start={today - timedelta(days=1):%Y-%m-%d}&end={today + timedelta(days=1):%Y-%m-%d}"
    url = reverse("console:export_download") + query + "&format=csv"
    signed_in(client, member(django_user_model, FINANCE))
    assert client.get(url).status_code == 403
    client.logout()
    signed_in(client, member(django_user_model, AUDITOR))
    response = client.get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert AuditEntry.objects.filter(actor_label="auditor-user").exists()


@pytest.mark.django_db
def test_buttons_a_role_cannot_use_are_hidden(client, django_user_model, world):
    detail = url_for("order_detail", world)
    signed_in(client, member(django_user_model, AUDITOR))
    assert "Mark shipped" not in client.get(detail).content.decode()
    returns = client.get(reverse("console:return_list")).content.decode()
    assert ">Approve<" not in returns and "Refund ¥" not in returns
    withdrawals = client.get(reverse("console:withdrawal_list")).content.decode()
    assert 'data-testid="withdrawal-row"' in withdrawals and ">Approve<" not in withdrawals
    nav = client.get(reverse("console:dashboard")).content.decode()
    assert "Audit log" in nav and 'href="/console/staff/"' not in nav
    client.logout()
    signed_in(client, member(django_user_model, FINANCE))
    returns = client.get(reverse("console:return_list")).content.decode()
    assert "Refund ¥" in returns and ">Approve<" not in returns
    assert "Regulator export" not in client.get(reverse("console:dashboard")).content.decode()
    client.logout()
    signed_in(client, member(django_user_model, OPERATOR))
    assert "Mark shipped" in client.get(detail).content.decode()
    returns = client.get(reverse("console:return_list")).content.decode()
    assert ">Approve<" in returns and "Refund ¥" not in returns
    withdrawals = client.get(reverse("console:withdrawal_list")).content.decode()
    assert ">Approve<" not in withdrawals
    client.logout()
    signed_in(client, member(django_user_model, FINANCE))
    assert ">Approve<" in client.get(reverse("console:withdrawal_list")).content.decode()


# What each role is shown -------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The action of every form that posts, on one page ("" for the page itself)."""

    def __init__(self):
        super().__init__()
        self.actions = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.actions.append(attrs.get("action") or "")


def posting_forms(html: str) -> list[str]:
    parser = _Forms()
    parser.feed(html)
    return parser.actions


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_every_form_a_role_is_shown_is_one_it_may_submit(client, django_user_model, world, role):
    signed_in(client, member(django_user_model, role))
    shown = refused = 0
    for name in CHECKED:
        if role not in POLICY[name][0]:
            continue
        page = url_for(name, world)
        response = client.get(page)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for action in posting_forms(response.content.decode()):
            target = resolve(urlsplit(action or page).path)
            if target.namespace != "console" or target.url_name in roles.OPEN_ROUTES:
                continue
            shown += 1
            if target.url_name not in POLICY or role not in POLICY[target.url_name][1]:
                refused += 1
                print(f"{role} is shown a form it may not submit: {name} -> {target.url_name}")
    assert shown or role == AUDITOR
    assert refused == 0
